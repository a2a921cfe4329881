/** The `hdfs` sink's configuration keys. */
import { z } from 'zod';
import { boundedInt, durationMs, httpUrl, idAndType } from '../../util/config-fields';
import { sinkId } from '../config-fields';
import { checkTlsMatchesUrl, tlsSchema } from '../../util/tls';

const MIB = 1024 * 1024;

export const HdfsSinkSchema = z
  .strictObject({
    ...idAndType(sinkId, 'hdfs', 'HDFS archive sink'),
    url: httpUrl
      .refine((url) => !/[?#]/.test(url), 'expected the NameNode\'s WebHDFS address without query, e.g. "http://127.0.0.1:9870"')
      .describe('The NameNode\'s WebHDFS address, an http:// or https:// URL such as `http://namenode:9870` (`/webhdfs/v1` is added).'),
    path: z
      .string()
      .regex(/^\/(?:[A-Za-z0-9._-]+\/?)*$/, 'expected an absolute HDFS path of plain names, e.g. "/wharf/archive"')
      .refine((p) => p !== '/' && !/(^|\/)\.\.?(\/|$)/.test(p), 'expected a folder below the root, without "." or ".." parts')
      .transform((p) => p.replace(/\/+$/, ''))
      .describe('The archive\'s root folder in HDFS; created if missing. wharf needs write access to it.'),
    user: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9._-]*$/, 'expected a user name')
      .describe('The HDFS user wharf acts as (`user.name`, simple authentication). Kerberos is not supported.'),
    tls: tlsSchema.optional().describe('TLS to the NameNode and DataNodes, for an https:// `url`: the CA that signed their certificates, a client certificate, a server name.'),
    compression: z.enum(['gzip', 'none']).default('gzip').describe('`gzip`: files are gzip-compressed NDJSON (`.ndjson.gz`, one gzip member per batch); `none`: plain `.ndjson`.'),
    rollBytes: boundedInt(1024, 1024 * MIB, 64 * MIB, 'A segment\'s files are finalized (renamed to their final names) once they hold this many bytes together.'),
    rollMs: durationMs(86_400_000).min(1000).default(600_000).describe('A segment is finalized once it is this old (ms since its first batch), even if it is small or idle.'),
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one WebHDFS request, in ms.'),
  })
  .superRefine((sink, ctx) => checkTlsMatchesUrl(sink, 'url', sink.url, ctx))
  .describe('Archives every record, exactly once per offset, as NDJSON files in HDFS under `<path>/<source>/<day>/`, written through WebHDFS.');

export type HdfsSinkConfig = z.output<typeof HdfsSinkSchema>;
