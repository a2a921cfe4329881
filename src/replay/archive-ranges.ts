/**
 * `wharf verify` of an HDFS archive sink, beyond the newest document per id that every sink is
 * checked for: does the archive hold every offset range of every partition once? Its segments
 * (the index files, plus the open segments' ledgers) are compared per partition with each other
 * and with the topic's retained range:
 *
 *   - `gap`      offsets no segment covers: between two segments, or between the topic's first
 *                retained offset and the first segment (the archive started later, or files
 *                were lost). Offsets dead-lettered as unreadable at a segment's start show too:
 *                compare with `wharf dlq list`;
 *   - `overlap`  offsets two segments cover (two writers of one partition at once);
 *   - `behind`   the topic's newest offsets are not archived yet (a running pipeline: verify a
 *                quiet one);
 *   - `file`     a file an index lists is missing or has another size.
 * Segments older than the topic's retention are checked against each other only.
 */
import type { PartitionRange } from '../kafka/range-reader';
import { readIndex, segmentIndexes } from '../sinks/hdfs/archive-files';
import { createWebHdfs } from '../sinks/hdfs/client';
import type { HdfsSinkConfig } from '../sinks/hdfs/config';
import { tmpPartitionDir } from '../sinks/hdfs/layout';
import { readSegment } from '../sinks/hdfs/segment';

export const RANGE_PROBLEMS = ['gap', 'overlap', 'behind', 'file'] as const;
export type RangeProblemKind = (typeof RANGE_PROBLEMS)[number];

export interface RangeProblem {
  sink: string;
  partition: number;
  kind: RangeProblemKind;
  from: string;
  to: string;
  detail?: string;
}

export type ArchiveRangeSummary = { segments: number; open: number; files: number } & Record<RangeProblemKind, number>;

/** The problems of one partition's segments against the topic's retained range [from, to). Pure. */
export function rangeProblems(segments: ReadonlyArray<{ first: bigint; last: bigint }>, kafka: { from: bigint; to: bigint }): Array<{ kind: RangeProblemKind; from: bigint; to: bigint }> {
  const problems: Array<{ kind: RangeProblemKind; from: bigint; to: bigint }> = [];
  const sorted = [...segments].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  if (sorted.length === 0) {
    if (kafka.to > kafka.from) problems.push({ kind: 'behind', from: kafka.from, to: kafka.to - 1n });
    return problems;
  }
  if (sorted[0].first > kafka.from && kafka.to > kafka.from) problems.push({ kind: 'gap', from: kafka.from, to: sorted[0].first - 1n });
  let reach = sorted[0].last;
  for (const segment of sorted.slice(1)) {
    if (segment.first <= reach) problems.push({ kind: 'overlap', from: segment.first, to: segment.last < reach ? segment.last : reach });
    else if (segment.first > reach + 1n) problems.push({ kind: 'gap', from: reach + 1n, to: segment.first - 1n });
    if (segment.last > reach) reach = segment.last;
  }
  if (reach < kafka.to - 1n) problems.push({ kind: 'behind', from: reach + 1n, to: kafka.to - 1n });
  return problems;
}

/** Checks an archive's segments of `topic` against the topic's retained ranges; reports each problem. */
export async function verifyArchiveRanges(archive: HdfsSinkConfig, topic: string, ranges: readonly PartitionRange[], onProblem: (problem: RangeProblem) => void): Promise<ArchiveRangeSummary> {
  const summary: ArchiveRangeSummary = { segments: 0, open: 0, files: 0, gap: 0, overlap: 0, behind: 0, file: 0 };
  const report = (problem: Omit<RangeProblem, 'sink'>) => {
    summary[problem.kind]++;
    onProblem({ sink: archive.id, ...problem });
  };
  const hdfs = createWebHdfs(archive);
  try {
    const indexes = await segmentIndexes(hdfs, archive.path);
    const partitions = new Set([...ranges.map((r) => r.partition), ...[...indexes.keys()].filter((k) => k.startsWith(`${topic}/`)).map((k) => Number(k.slice(topic.length + 1)))]);
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const finalized = indexes.get(`${topic}/${partition}`) ?? [];
      const segments: Array<{ first: bigint; last: bigint }> = [...finalized];
      for (const entry of finalized) {
        for (const file of (await readIndex(hdfs, entry.path)).files) {
          summary.files++;
          const status = await hdfs.status(file.path);
          if (status?.length !== file.bytes) report({ partition, kind: 'file', from: String(entry.first), to: String(entry.last), detail: `${file.path}: ${status ? `${status.length} bytes, the index says ${file.bytes}` : 'missing'}` });
        }
      }
      const paths = { root: archive.path, topic, partition, extension: '' };
      for (const dir of (await hdfs.list(tmpPartitionDir(paths))) ?? []) {
        const open = await readSegment(hdfs, `${tmpPartitionDir(paths)}/${dir.pathSuffix}`);
        if (!open) continue;
        summary.open++;
        segments.push(open);
      }
      summary.segments += segments.length;
      const kafka = ranges.find((r) => r.partition === partition) ?? { from: 0n, to: 0n };
      for (const p of rangeProblems(segments, kafka)) report({ partition, kind: p.kind, from: String(p.from), to: String(p.to) });
    }
  } finally {
    await hdfs.close();
  }
  return summary;
}
