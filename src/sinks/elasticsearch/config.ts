/** The `elasticsearch` sink's configuration keys. */
import { z } from 'zod';
import { credentials, durationMs, httpUrl, idAndType } from '../../util/config-fields';
import { sinkId, writerLimits } from '../config-fields';

const indexName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase Elasticsearch index name');

export const ElasticsearchSinkSchema = z
  .strictObject({
    ...idAndType(sinkId, 'elasticsearch', 'Elasticsearch sink'),
    node: httpUrl.describe('The Elasticsearch node, an http:// or https:// URL.'),
    index: indexName.describe('The index written to; created with `mappings` and `settings` if missing.'),
    ...credentials,
    requestTimeoutMs: durationMs(600_000).default(30_000).describe('Timeout of one request to Elasticsearch, in ms.'),
    mappings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Index mappings used when wharf creates the index; an existing index is left as it is.'),
    settings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Index settings used when wharf creates the index; an existing index is left as it is.'),
    ...writerLimits,
  })
  .describe('Indexes each record as a document under its record id (`_bulk`), so a re-delivered record changes nothing.');

export type ElasticsearchSinkConfig = z.output<typeof ElasticsearchSinkSchema>;
