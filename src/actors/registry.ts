/**
 * Built-in actor kinds, by the name a config's `kind` uses, mapped to their compiled module
 * (comedy loads forked actors by module path). Operators' own actors use `module` instead.
 */
import { resolve } from 'node:path';

export const BUILT_IN_ACTORS: Readonly<Record<string, string>> = {
  'service-health': resolve(__dirname, 'service-health-actor'),
  'source-poller': resolve(__dirname, 'source-poller-actor'),
  'partition-consumer': resolve(__dirname, 'partition-consumer-actor'),
};
