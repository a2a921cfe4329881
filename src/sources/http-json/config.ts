/** The `http-json` source's configuration keys. */
import { z } from 'zod';
import { checkCredentials, credentials, durationMs, httpUrl, idAndType } from '../../util/config-fields';
import { secret } from '../../util/secret';
import { checkTlsMatchesUrl, tlsSchema } from '../../util/tls';
import { deletedField, maxRecordBytes, sourceId, versionField } from '../config-fields';

/** A dot path into a JSON document ("data.items"; "" is the document itself), as json-path.ts reads it. */
const jsonPath = z.string().regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'expected a dot path such as "data.items"');

export const HttpJsonSourceSchema = z
  .strictObject({
    ...idAndType(sourceId, 'http-json', 'http-json source'),
    url: httpUrl.describe('The feed, an http:// or https:// URL; credentials in it are sent as Basic authentication and never logged (username and password can also come from files).'),
    ...credentials,
    tls: tlsSchema.optional().describe('TLS options of an https:// url: the CA to trust, a client certificate.'),
    cursorParam: z
      .string()
      .min(1)
      .default('since')
      .describe('Query parameter carrying the cursor; omitted on the very first request.'),
    itemsPath: jsonPath.default('items').describe('Dot path of the array of records in a response ("" is the whole body).'),
    nextCursorPath: jsonPath
      .default('next')
      .describe('Dot path of the next cursor in a response; absent or null means "no more pages now".'),
    idField: z.string().min(1).default('id').describe('The record field holding the upstream\'s own id (a string or number); a record without it is dead-lettered.'),
    intervalMs: durationMs(86_400_000)
      .default(5000)
      .describe('Pause, in ms, once the upstream has no further page, before asking again.'),
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one request, in ms.'),
    maxResponseBytes: z
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .describe('Largest response body read, in bytes (default 16 MiB); a larger one is not read further and the poll is retried.'),
    headers: z
      .record(z.string(), secret('A header\'s value, e.g. "Bearer ${ORDERS_TOKEN}", or a file holding the whole value.'))
      .default({})
      .describe('Extra request headers (e.g. authorization); their values are secrets: never logged or printed.'),
    maxRecordBytes,
    versionField,
    deletedField,
  })
  .superRefine((source, ctx) => {
    checkCredentials(source, ctx);
    checkTlsMatchesUrl(source, 'url', source.url, ctx);
  })
  .describe('Polls an HTTP endpoint that returns pages of JSON records after a cursor: GET <url>?<cursorParam>=<cursor>.');

export type HttpJsonSourceConfig = z.output<typeof HttpJsonSourceSchema>;
