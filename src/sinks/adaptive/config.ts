/**
 * Configuration of a sink's adaptive request concurrency (controller.ts): its bounds and knobs,
 * with Vector's defaults for the knobs (decreaseRatio 0.9, ewmaAlpha 0.4, rttDeviationScale 2.5).
 */
import { z } from 'zod';
import { boundedInt } from '../../util/config-fields';

export const AdaptiveConcurrencySchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Adapt the number of concurrent bulk requests and their size to the server\'s latency and 429s; false: always `max` requests of `batchSize` records.'),
    initial: boundedInt(1, 256, 1, 'Concurrent bulk requests allowed at start, per consumer process.'),
    min: boundedInt(1, 256, 1, 'Fewest concurrent bulk requests the limit can fall to.'),
    max: boundedInt(1, 256, 4, 'Most concurrent bulk requests the limit can rise to, per consumer process (the fixed number when disabled).'),
    minBatchSize: boundedInt(
      1,
      10_000,
      50,
      'Fewest records per bulk request: once the concurrency limit is at `min`, a further decrease shrinks requests down to this; increases grow them back to `batchSize` first.',
    ),
    decreaseRatio: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.9)
      .describe('Factor a decrease multiplies the limit (and, at `min`, the request size) by.'),
    ewmaAlpha: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.4)
      .describe('Weight of the latest period in the moving average of response times (the baseline): higher follows changes faster.'),
    rttDeviationScale: z
      .number()
      .min(0)
      .default(2.5)
      .describe('A period whose mean response time exceeds the baseline by more than this many mean deviations counts as the server slowing down: a decrease.'),
    maxRttOverFloor: z
      .number()
      .min(0)
      .default(2)
      .describe(
        'A period whose mean response time per record is more than this many times the lowest seen lately (Elasticsearch answering without a queue) counts as requests queueing in the server: a decrease of the limit. 0 turns this rule off (Vector\'s rules alone).',
      ),
  })
  .superRefine((c, ctx) => {
    if (c.min > c.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must be at most max (${c.max}), got ${c.min}` });
    if (c.initial < c.min || c.initial > c.max) ctx.addIssue({ code: 'custom', path: ['initial'], message: `must be from min (${c.min}) to max (${c.max}), got ${c.initial}` });
  });

export type AdaptiveConcurrencyConfig = z.output<typeof AdaptiveConcurrencySchema>;

export const ADAPTIVE_DEFAULTS: AdaptiveConcurrencyConfig = AdaptiveConcurrencySchema.parse({});
