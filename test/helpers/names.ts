/** Unique, server-legal names so tests never see each other's topics, indexes, dbs or znodes. */
import { randomBytes } from 'node:crypto';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
