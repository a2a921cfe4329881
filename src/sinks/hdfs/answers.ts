/**
 * What WebHDFS's answers mean. The NameNode and DataNodes answer a failed operation with a
 * status and `{"RemoteException":{"exception":"…","message":"…"}}`; the exception's simple name
 * says more than the status (an IOException is a 403 whatever its cause). Kinds:
 *
 *   - `unavailable`: nothing can be written until an operator acts or the cluster recovers:
 *     SafeModeException, AccessControlException (permission denied; `user.name` refused),
 *     DSQuotaExceededException / NSQuotaExceededException / QuotaExceededException (space or
 *     name quota: a full disk), ParentNotDirectoryException (the configured path runs through a
 *     file), StandbyException, a refused connection, and a server that is not WebHDFS at all
 *     (a wrong URL: its answer has no RemoteException, or the path prefix is not /webhdfs/v1);
 *   - `transient`: try the same again soon: 5xx, a timeout, a dropped connection, a lease held
 *     by another writer or in recovery (AlreadyBeingCreatedException, RecoveryInProgressException,
 *     RetriableException, LeaseExpiredException);
 *   - `not-found` (FileNotFoundException) and `exists` (FileAlreadyExistsException): outcomes
 *     the caller decides on;
 *   - `invalid`: the request itself is wrong (IllegalArgumentException, InvalidPathException,
 *     UnsupportedOperationException): a bug or a bad setting, never retried.
 * Messages keep the first line of the server's message only (no Java stack), cut to 300 chars.
 */
import { WharfError } from '../../errors';
import { isRetriableStatus } from '../../http/response';

export type WebHdfsErrorKind = 'unavailable' | 'transient' | 'not-found' | 'exists' | 'invalid';

export class WebHdfsError extends WharfError {
  constructor(
    readonly kind: WebHdfsErrorKind,
    readonly op: string,
    readonly path: string,
    message: string,
    readonly status?: number,
    readonly exception?: string,
    cause?: unknown,
  ) {
    super(`WebHDFS ${op} ${path}: ${message}`, { retriable: kind === 'unavailable' || kind === 'transient', cause });
  }
}

const UNAVAILABLE: Record<string, string> = {
  SafeModeException: 'the NameNode is in safe mode (it leaves it by itself after a restart, or: hdfs dfsadmin -safemode leave)',
  AccessControlException: "permission denied (check the sink's path and user, and the folder's owner and mode)",
  SecurityException: "user refused (check the sink's user; Kerberos is not supported)",
  DSQuotaExceededException: 'space quota exceeded (free space or raise the quota: hdfs dfsadmin -setSpaceQuota)',
  NSQuotaExceededException: 'name quota exceeded (too many files: raise it with hdfs dfsadmin -setQuota)',
  QuotaExceededException: 'quota exceeded',
  ParentNotDirectoryException: "a parent of the path is a file (check the sink's path)",
  StandbyException: 'the NameNode is a standby (point the sink at the active NameNode)',
};

const TRANSIENT = new Set(['AlreadyBeingCreatedException', 'RecoveryInProgressException', 'RetriableException', 'LeaseExpiredException']);
const INVALID = new Set(['IllegalArgumentException', 'InvalidPathException', 'UnsupportedOperationException', 'HadoopIllegalArgumentException']);

export interface RemoteException {
  exception?: string;
  javaClassName?: string;
  message?: string;
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The error a failed answer stands for: `status` and its body (parsed if JSON). */
export function answerError(op: string, path: string, status: number, body: unknown): WebHdfsError {
  const remote = (body as { RemoteException?: RemoteException } | undefined)?.RemoteException;
  if (!remote?.exception) {
    const kind = isRetriableStatus(status) ? 'transient' : 'unavailable';
    const why = kind === 'transient' ? `server error ${status}` : `answered ${status} without a WebHDFS RemoteException: not a WebHDFS endpoint (check the sink's url)`;
    return new WebHdfsError(kind, op, path, why, status);
  }
  const name = remote.exception;
  const detail = `${name}: ${firstLine(remote.message)}`;
  if (name === 'FileNotFoundException') return new WebHdfsError('not-found', op, path, detail, status, name);
  if (name === 'FileAlreadyExistsException') return new WebHdfsError('exists', op, path, detail, status, name);
  if (UNAVAILABLE[name]) return new WebHdfsError('unavailable', op, path, `${UNAVAILABLE[name]}; ${detail}`, status, name);
  if (TRANSIENT.has(name) || isRetriableStatus(status)) return new WebHdfsError('transient', op, path, detail, status, name);
  if (INVALID.has(name)) return new WebHdfsError('invalid', op, path, detail, status, name);
  // Any other IOException (403): the cluster could not do it now (a DataNode lost, a pipeline failure).
  return new WebHdfsError('transient', op, path, detail, status, name);
}

/** A request that got no answer: refused or reset connections, timeouts, DNS. */
export function noAnswerError(op: string, path: string, reason: string, cause: unknown): WebHdfsError {
  const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|certificate|self.signed|CERT_/i.test(reason);
  return new WebHdfsError(refused ? 'unavailable' : 'transient', op, path, `no answer: ${reason}`, undefined, undefined, cause);
}
