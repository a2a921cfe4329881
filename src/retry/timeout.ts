/**
 * A bound on how long wharf waits for anything it does not control (a Kafka send, an actor's
 * answer, an admin request). The operation itself is not cancelled, only no longer waited for:
 * callers that can cancel pass an AbortSignal to it as well.
 */
export async function withTimeout<T>(operation: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
