/**
 * A thin WebHDFS client of wharf's own (the npm WebHDFS packages are unmaintained: `webhdfs`
 * is built on the deprecated `request`, `node-webhdfs`'s author stopped it). It speaks the REST
 * API of Hadoop 3 over node:http(s), so that:
 *   - no redirect is ever followed: CREATE, APPEND and OPEN ask the NameNode with
 *     `noredirect=true` for the DataNode's Location, then send the body there once (a client
 *     following a 307 with a body would send the payload twice, or not at all);
 *   - https takes TLS options (`tls`: a CA, a client certificate, a server name), for clusters with their own certificate authority;
 *   - every request carries `user.name` (simple authentication; Kerberos/SPNEGO is not supported);
 *   - every failure is a WebHdfsError whose kind says what it means (answers.ts).
 */
import type { ConnectionOptions } from 'node:tls';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { describeError } from '../../errors';
import { answerError, noAnswerError, WebHdfsError } from './answers';

export interface WebHdfsOptions {
  /** The NameNode's HTTP(S) address, e.g. http://127.0.0.1:9870 (with or without /webhdfs/v1). */
  url: string;
  user: string;
  /** PEM certificate(s) of the CA that signed the NameNode's and DataNodes' certificates. */
  tls?: ConnectionOptions;
  requestTimeoutMs: number;
}

export interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  owner: string;
  group: string;
  permission: string;
  modificationTime: number;
}

interface Answer {
  status: number;
  body: Buffer;
  location?: string;
}

type Params = Record<string, string | number | boolean>;

export class WebHdfsClient {
  private readonly base: URL;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly options: WebHdfsOptions) {
    const base = new URL(options.url);
    base.pathname = base.pathname.replace(/\/+$/, '').replace(/\/webhdfs\/v1$/, '') + '/webhdfs/v1';
    this.base = base;
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16, ...options.tls });
  }

  /** The file or directory's status, or null if there is none. */
  async status(path: string): Promise<FileStatus | null> {
    const answer = await this.json<{ FileStatus: FileStatus }>('GET', 'GETFILESTATUS', path, {}, { notFound: true });
    return answer?.FileStatus ?? null;
  }

  /** The entries of a directory, or null if it does not exist. */
  async list(path: string): Promise<FileStatus[] | null> {
    const answer = await this.json<{ FileStatuses: { FileStatus: FileStatus[] } }>('GET', 'LISTSTATUS', path, {}, { notFound: true });
    return answer ? answer.FileStatuses.FileStatus : null;
  }

  async mkdirs(path: string): Promise<void> {
    await this.json('PUT', 'MKDIRS', path, {});
  }

  /** Writes a new file; `overwrite: false` makes an existing one a WebHdfsError of kind `exists`. */
  async create(path: string, body: Buffer, { overwrite }: { overwrite: boolean }): Promise<void> {
    await this.twoStep('PUT', 'CREATE', path, { overwrite }, body, 201);
  }

  /** Appends to an existing file; the file is closed (its data durable) when this resolves. */
  async append(path: string, body: Buffer): Promise<void> {
    await this.twoStep('POST', 'APPEND', path, {}, body, 200);
  }

  async read(path: string): Promise<Buffer> {
    return (await this.twoStep('GET', 'OPEN', path, {}, undefined, 200)).body;
  }

  /** Renames atomically; an existing destination is a WebHdfsError of kind `exists`, never replaced. */
  async rename(from: string, to: string): Promise<void> {
    await this.json('PUT', 'RENAME', from, { destination: to, renameoptions: 'NONE' });
  }

  /** Whether something was deleted. */
  async delete(path: string, { recursive }: { recursive: boolean }): Promise<boolean> {
    return (await this.json<{ boolean: boolean }>('DELETE', 'DELETE', path, { recursive }))?.boolean === true;
  }

  /** Cuts a file to `length` bytes; false while HDFS recovers the last block (wait until the status shows it). */
  async truncate(path: string, length: number): Promise<boolean> {
    return (await this.json<{ boolean: boolean }>('POST', 'TRUNCATE', path, { newlength: length }))?.boolean === true;
  }

  close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    return Promise.resolve();
  }

  private url(path: string, op: string, params: Params): URL {
    const url = new URL(this.base.toString());
    url.pathname += path.split('/').map(encodeURIComponent).join('/');
    url.searchParams.set('op', op);
    url.searchParams.set('user.name', this.options.user);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
    return url;
  }

  /** A one-step operation answered with JSON; null for a missing path when `notFound` is allowed. */
  private async json<T>(method: string, op: string, path: string, params: Params, { notFound = false } = {}): Promise<T | null> {
    const answer = await this.send(method, op, path, this.url(path, op, params));
    // RENAME with renameoptions answers 200 with no body.
    if (answer.status === 200) return answer.body.length === 0 ? null : parseJson<T>(op, path, answer);
    const error = failure(op, path, answer);
    if (notFound && error.kind === 'not-found') return null;
    throw error;
  }

  /** NameNode first (noredirect: it names the DataNode), then the DataNode with the body. */
  private async twoStep(method: string, op: string, path: string, params: Params, body: Buffer | undefined, expect: number): Promise<Answer> {
    const first = await this.send(method, op, path, this.url(path, op, { ...params, noredirect: true }));
    if (first.status !== 200) throw failure(op, path, first);
    const location = parseJson<{ Location?: string }>(op, path, first).Location;
    if (!location) throw new WebHdfsError('unavailable', op, path, 'the NameNode named no DataNode (not a WebHDFS endpoint?)', first.status);
    const second = await this.send(method, op, path, new URL(location), body);
    if (second.status !== expect) throw failure(op, path, second);
    return second;
  }

  private send(method: string, op: string, path: string, url: URL, body?: Buffer): Promise<Answer> {
    const https = url.protocol === 'https:';
    const headers: Record<string, string | number> = body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {};
    return new Promise<Answer>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, { method, headers, agent: https ? this.httpsAgent : this.httpAgent });
      req.setTimeout(this.options.requestTimeoutMs, () => req.destroy(new Error(`no complete answer within requestTimeoutMs (${this.options.requestTimeoutMs} ms)`)));
      req.on('error', (err) => reject(noAnswerError(op, path, describeError(err), err)));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(noAnswerError(op, path, describeError(err), err)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), location: res.headers.location }));
      });
      req.end(body);
    });
  }
}

function parseJson<T>(op: string, path: string, answer: Answer): T {
  try {
    return JSON.parse(answer.body.toString('utf8')) as T;
  } catch {
    throw new WebHdfsError('unavailable', op, path, `answered ${answer.status} with a body that is not JSON: not a WebHDFS endpoint (check the sink's url)`, answer.status);
  }
}

function failure(op: string, path: string, answer: Answer): WebHdfsError {
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    body = undefined;
  }
  return answerError(op, path, answer.status, body);
}
