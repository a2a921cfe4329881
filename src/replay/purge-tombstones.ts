/**
 * When tombstones may be purged (docs/deletions.md). A tombstone keeps a deletion winning over
 * older writes of its id; once it is gone, an older write arriving later brings the document
 * back. Older writes can come from the records topic (`wharf replay`, a lagging consumer) and
 * from the dead-letter topic (`wharf dlq replay` keeps the original version), for as long as
 * Kafka retains them. So a purge removes only tombstones older than both topics' retention,
 * unless the operator forces it (and then owns what a later replay brings back).
 */

export type PurgeCutoff = { before: Date } | { refused: string };

/**
 * The time before which tombstones may go: `olderThanMs` before now, if that is beyond every
 * topic's retention (a topic kept forever never is), or `force`d.
 */
export function purgeCutoff(olderThanMs: number, retentionMs: ReadonlyMap<string, number | null>, force: boolean, now = Date.now()): PurgeCutoff {
  const before = new Date(now - olderThanMs);
  if (force) return { before };
  for (const [topic, retention] of retentionMs) {
    if (retention === null) {
      return { refused: `topic ${topic} keeps messages forever (retention.ms=-1): a replay could bring back any document whose tombstone is purged; use --force to purge anyway` };
    }
    if (olderThanMs < retention) {
      return { refused: `--older-than ${olderThanMs} ms is within topic ${topic}'s retention (${retention} ms): a replay could still bring back older versions of the deleted records; use at least ${retention} ms, or --force` };
    }
  }
  return { before };
}
