/** wharf's configuration as the service and every command load it: the schema, then the topology's own rules. */
import { loadConfigFile } from '../config/load';
import type { WharfConfig } from '../config/schema';
import { topologyIssues } from './topology';

export function loadWharfConfig(file: string, env: NodeJS.ProcessEnv = process.env): WharfConfig {
  return loadConfigFile(file, env, [topologyIssues]);
}
