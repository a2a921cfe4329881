/**
 * zod building blocks shared by the configuration schemas of several components (each
 * component's own schema lives in its folder; src/config/schema.ts composes them). Messages say
 * what was expected, so that a config error names the key, the value and the expectation.
 */
import { z } from 'zod';
import { RETRY_POLICIES } from '../retry/policies';
import { secret } from './secret';
import { checkTlsMatchesUrl, tlsSchema } from './tls';

const RESTART = RETRY_POLICIES.supervisorRestart;

export const durationMs = (max: number) => z.int().min(1).max(max);

export const hostPort = z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:9092"');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** CouchDB's legal database names. */
const couchdbName = z.string().regex(/^[a-z][a-z0-9_$()+/-]*$/, 'expected a CouchDB database name');

export const componentId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'expected an id: a lowercase letter, then up to 62 of [a-z0-9_-]');

export const credentials = {
  username: z.string().min(1).optional().describe('User for Basic authentication; needs password.'),
  password: secret('Password of username for Basic authentication.').optional(),
};

/**
 * A username without a password (or the reverse) is an error, not "no authentication": a
 * half-given pair usually means a variable or a credential file that did not arrive.
 */
export function checkCredentials(value: { username?: string; password?: string }, ctx: z.RefinementCtx): void {
  if (value.username !== undefined && value.password === undefined) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'missing: username is set, so password is required' });
  }
  if (value.password !== undefined && value.username === undefined) {
    ctx.addIssue({ code: 'custom', path: ['username'], message: 'missing: password is set, so username is required' });
  }
}

export const backoffSchema = z.strictObject({
  minMs: durationMs(3_600_000).default(RESTART.minMs).describe('Delay after the first failure, in ms; it doubles with each consecutive failure.'),
  maxMs: durationMs(3_600_000).default(RESTART.maxMs).describe('Longest delay, in ms.'),
  jitter: z
    .number()
    .min(0)
    .max(1)
    .default(RESTART.jitter)
    .describe('Largest random stretch of a delay, as a fraction of it (0.2: up to 20 % longer), so that failures do not retry in lockstep.'),
  resetAfterMs: durationMs(86_400_000)
    .default(RESTART.resetAfterMs)
    .describe('Quiet period, in ms, after which the failure count starts again from zero.'),
}).superRefine((backoff, ctx) => {
  if (backoff.maxMs < backoff.minMs) ctx.addIssue({ code: 'custom', path: ['maxMs'], message: `must be at least minMs (${backoff.minMs}), got ${backoff.maxMs}` });
});

/** A component's id and the `type` literal that selects it in its registry (a source or sink type). */
export function idAndType<T extends string>(id: z.ZodString, type: T, selects: string) {
  return { id, type: z.literal(type).describe(`Selects the ${selects}.`) };
}

/** A whole number within bounds, with a default. */
export function boundedInt(min: number, max: number, fallback: number, description: string) {
  return z.int().min(min).max(max).default(fallback).describe(description);
}

/** Where a CouchDB database is, and how to log in to it (a sink writes to it, a source follows it). */
export function couchdbDatabase(describe: { url: string; db: string }) {
  return {
    url: httpUrl.describe(describe.url),
    db: couchdbName.describe(describe.db),
    ...credentials,
    tls: tlsSchema.optional().describe('TLS options of an https:// url: the CA to trust, a client certificate.'),
  };
}

/** The checks every CouchDB database key set needs: a whole credential pair, `tls` only with https. */
export function checkCouchdbDatabase(value: { url: string; username?: string; password?: string; tls?: unknown }, ctx: z.RefinementCtx): void {
  checkCredentials(value, ctx);
  checkTlsMatchesUrl(value, 'url', value.url, ctx);
}
