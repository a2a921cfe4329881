/**
 * What a kafkajs error says, wherever kafkajs nested it (`cause`, `originalError`, the `errors` of
 * an aggregate, after its own retries): a size Kafka refuses, or a refusal of wharf's principal
 * (credentials or ACLs), said with what the operator must fix.
 */

interface KafkajsError {
  name?: unknown;
  type?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The first error in the nesting that `match` accepts. */
export function findKafkaError(err: unknown, match: (e: KafkajsError) => boolean, depth = 0): KafkajsError | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const e = err as KafkajsError;
  if (match(e)) return e;
  const nested = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  for (const n of nested) {
    const found = findKafkaError(n, match, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Whether a kafkajs error, or one it wraps, is Kafka refusing a size. */
export function isTooLarge(err: unknown): boolean {
  return findKafkaError(err, (e) => typeof e.type === 'string' && TOO_LARGE.has(e.type)) !== undefined;
}

/** Kafka's error codes that refuse the principal, and what to fix for each. */
const REFUSALS: Record<string, string> = {
  TOPIC_AUTHORIZATION_FAILED: 'the Kafka user lacks an ACL on a topic (TOPIC_AUTHORIZATION_FAILED): grant it the topic ACLs of docs/security.md',
  GROUP_AUTHORIZATION_FAILED: 'the Kafka user lacks an ACL on a consumer group (GROUP_AUTHORIZATION_FAILED): grant it the group ACLs of docs/security.md',
  CLUSTER_AUTHORIZATION_FAILED:
    'the Kafka user may not do this on the cluster (CLUSTER_AUTHORIZATION_FAILED; an idempotent producer needs WRITE on a topic): grant it the ACLs of docs/security.md',
  SASL_AUTHENTICATION_FAILED: 'Kafka refused the SASL credentials (SASL_AUTHENTICATION_FAILED): check kafka.sasl',
  UNSUPPORTED_SASL_MECHANISM: 'the broker does not offer this SASL mechanism (UNSUPPORTED_SASL_MECHANISM): check kafka.sasl.mechanism against the listener',
  ILLEGAL_SASL_STATE: 'the broker refused the SASL handshake (ILLEGAL_SASL_STATE): check that the listener expects SASL',
};

/** What to fix when Kafka refused wharf's principal or credentials; undefined for any other error. */
export function kafkaRefusal(err: unknown): string | undefined {
  const found = findKafkaError(err, (e) => (typeof e.type === 'string' && e.type in REFUSALS) || e.name === 'KafkaJSSASLAuthenticationError');
  if (!found) return undefined;
  if (typeof found.type === 'string' && found.type in REFUSALS) return REFUSALS[found.type];
  return `Kafka refused the SASL credentials (${String(found.message)}): check kafka.sasl`;
}
