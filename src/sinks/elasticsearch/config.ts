/** The `elasticsearch` sink's configuration keys. */
import { z } from 'zod';
import { boundedInt, checkCredentials, credentials, durationMs, httpUrl, idAndType } from '../../util/config-fields';
import { secret } from '../../util/secret';
import { checkTlsMatchesUrl, tlsWithFingerprintSchema } from '../../util/tls';
import { AdaptiveConcurrencySchema } from '../adaptive/config';
import { sinkId, writerLimits } from '../config-fields';

const indexName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase Elasticsearch index name');

export const ElasticsearchSinkSchema = z
  .strictObject({
    ...idAndType(sinkId, 'elasticsearch', 'Elasticsearch sink'),
    node: httpUrl.describe('The Elasticsearch node, an http:// or https:// URL.'),
    index: indexName.describe('The index written to; created with `mappings` and `settings` if missing.'),
    apiKey: secret(
      'An Elasticsearch API key, encoded as Elasticsearch returns it (`encoded`, sent after `Authorization: ApiKey`); instead of username and password. The privileges it needs: docs/security.md.',
    ).optional(),
    ...credentials,
    tls: tlsWithFingerprintSchema.optional().describe('TLS options of an https:// node: the CA to trust (a file or its fingerprint), a client certificate.'),
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
    maxBulkBytes: boundedInt(
      64 * 1024,
      100 * 1024 * 1024,
      16 * 1024 * 1024,
      'Largest bulk request body, in bytes (estimated from the records\' Kafka messages): a request holds at most this much, or batchSize records, whichever comes first. Keep it under the node\'s http.max_content_length (100mb by default).',
    ),
    maxDocsPerSecond: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe(
        'Most documents each consumer process sends to this sink per second (a token bucket holding one second\'s worth); unset: no ceiling. The cluster gets at most consumers × instances × this. Leaves the cluster CPU to spare for searches where adaptive concurrency alone does not (docs/adaptive-concurrency.md); time waited shows in wharf_sink_paced_seconds_total.',
      ),
    adaptiveConcurrency: AdaptiveConcurrencySchema.prefault({}).describe(
      'Concurrent bulk requests and records per request, adapted to Elasticsearch\'s response time and 429s (additive increase, multiplicative decrease, as Vector\'s adaptive request concurrency), so that searches stay fast while wharf loads the cluster. Each consumer process adapts its own.',
    ),
  })
  .superRefine((sink, ctx) => {
    checkCredentials(sink, ctx);
    checkTlsMatchesUrl(sink, 'node', sink.node, ctx);
    if (sink.apiKey !== undefined && sink.username !== undefined) ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'give either apiKey or username and password, not both' });
  })
  .describe('Indexes each record as a document under its record id (`_bulk`), so a re-delivered record changes nothing.');

export type ElasticsearchSinkConfig = z.output<typeof ElasticsearchSinkSchema>;
