/**
 * What a connectivity check of a server is: a real round trip (cluster metadata, a znode,
 * cluster health, the database list) that returns a short description of what answered, or
 * throws a retriable ServiceUnavailableError naming the service. Each component defines the
 * check of its own server in its folder; the service-health actor runs them all.
 */
import { describeError, ServiceUnavailableError } from '../errors';

export interface ServiceCheck {
  /** e.g. "kafka", "zookeeper", "sink:search" */
  service: string;
  endpoint: string;
  run(): Promise<string>;
}

export interface CheckResult {
  service: string;
  endpoint: string;
  ok: boolean;
  detail: string;
  latencyMs: number;
}

/** A check whose every failure is a ServiceUnavailableError naming its service. */
export function serviceCheck(service: string, endpoint: string, run: () => Promise<string>): ServiceCheck {
  return {
    service,
    endpoint,
    run: async () => {
      try {
        return await run();
      } catch (err) {
        throw err instanceof ServiceUnavailableError ? err : new ServiceUnavailableError(service, describeError(err), err);
      }
    },
  };
}

export async function runCheck(check: ServiceCheck): Promise<CheckResult> {
  const started = Date.now();
  try {
    const detail = await check.run();
    return { service: check.service, endpoint: check.endpoint, ok: true, detail, latencyMs: Date.now() - started };
  } catch (err) {
    return { service: check.service, endpoint: check.endpoint, ok: false, detail: describeError(err), latencyMs: Date.now() - started };
  }
}
