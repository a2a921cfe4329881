/**
 * The secured local stack's endpoints and credentials, read the way a user reads them: from
 * `scripts/stack env --secure` (run folder and ports from this process's environment). A secured
 * stack that is not up fails the test; nothing is skipped.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { resolve } from 'node:path';
import { REPO_ROOT } from './local-stack';

export const STACK = resolve(REPO_ROOT, 'scripts/stack');

/** The variables `scripts/stack env --secure` exports, parsed (values are %q-quoted hex, paths and URLs). */
export function secureEnv(): Record<string, string> {
  const out = execFileSync(STACK, ['env', '--secure'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) vars[match[1]] = match[2].replace(/\\(.)/g, '$1');
  }
  return vars;
}

export interface HttpsAnswer {
  status: number;
  body: string;
}

export interface HttpsCall {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** PEM file of the CA to trust; without it Node's default roots (which do not know the stack CA). */
  caFile?: string;
}

/** One https request; a TLS or connection failure rejects with Node's error (its `code` says why). */
export function https(url: string, call: HttpsCall = {}): Promise<HttpsAnswer> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = request(url, { method: call.method ?? 'GET', headers, ca: call.caFile ? readFileSync(call.caFile) : undefined, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(call.body);
  });
}

export const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
export const apiKey = (encoded: string) => ({ authorization: `ApiKey ${encoded}` });
