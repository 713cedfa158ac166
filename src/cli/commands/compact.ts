import bytes from 'bytes';
import type { Command } from 'commander';
import { LocalCatalog } from '../../catalog/local-catalog.ts';
import type { JsonValue, QueryResult } from '../../catalog/query-engine.ts';
import { LocalMetricsLog } from '../../runtime/local-metrics-log.ts';
import { compactionMetrics } from '../../observability/compaction-metrics.ts';
import { compactTable } from '../../compaction/compact-table.ts';
import { compactionFailure, PartitionStatus, type CompactionReport, type PartitionOutcome } from '../../compaction/compaction-report.ts';
import { CompactionDefaults } from '../../compaction/compaction-settings.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { projectPaths } from '../../runtime/local-environment.ts';
import { LocalFolderStore } from '../../store/local-folder-store.ts';
import { createCliLogger } from '../logger.ts';
import { byteSize, duration, wholeNumber } from '../option-parsers.ts';
import { renderTable } from '../print-table.ts';
import { startProgress, type Progress } from '../progress.ts';
import { stopSignal } from '../stop-signal.ts';

interface CompactFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly targetSize?: number;
  readonly horizon?: number;
  readonly grace?: number;
  readonly concurrency?: number;
  readonly json?: boolean;
}

const size = (n: number): string => bytes.format(n, { unitSeparator: ' ' }) ?? `${n} B`;

/** The report as a table: one row per partition, then the totals. */
function compactionTable(report: CompactionReport): QueryResult {
  const note = (o: PartitionOutcome) => o.error ?? (o.reason === undefined ? '' : `${o.reason}${o.waiting > 0 ? ` (${o.waiting} files waiting)` : ''}`);
  // Files, bytes and rows are counted for compacted partitions only: blank elsewhere, not a misleading 0.
  const rows: Record<string, JsonValue>[] = report.details.map((o) => {
    const compacted = o.status === PartitionStatus.Compacted;
    return {
      partition: o.partition,
      status: o.status,
      generation: o.generation,
      files: compacted ? `${o.filesBefore} -> ${o.filesAfter}` : '',
      bytes: compacted ? `${size(o.bytesBefore)} -> ${size(o.bytesAfter)}` : '',
      rows: compacted ? o.rowsAfter : '',
      deleted: o.filesDeleted,
      note: note(o),
    };
  });
  const { partitions } = report;
  rows.push({
    partition: `total: ${partitions.seen} partitions`,
    status: `${partitions.compacted} compacted, ${partitions.skipped} skipped, ${partitions.failed} failed`,
    generation: '',
    files: `${report.files.before} -> ${report.files.after}`,
    bytes: `${size(report.bytes.before)} -> ${size(report.bytes.after)}`,
    rows: report.rows.after,
    deleted: report.files.deleted,
    note: '',
  });
  return { columns: ['partition', 'status', 'generation', 'files', 'bytes', 'rows', 'deleted', 'note'], rows };
}

/** `sluice compact <job>`: compacts the job's table in the local warehouse. */
export function registerCompact(program: Command): void {
  program
    .command('compact')
    .description(
      "merge each hour's small files into files near the target size, in the local warehouse; files younger than the retry horizon wait",
    )
    .argument('<job>', 'job name: jobs/<job>.ts')
    .option('--target-size <size>', `size of the files to write, e.g. 128MiB (default ${size(CompactionDefaults.targetBytes)})`, byteSize)
    .option('--horizon <duration>', "files younger than this wait, e.g. 7h (default: the job's retry.maxRecordAgeSeconds + 15m)", duration)
    .option('--grace <duration>', 'replaced files are deleted this long after the swap, e.g. 30m (default 1h)', duration)
    .option('--concurrency <n>', "a partition's units written at once, each with its own bounded memory (default 4)", wholeNumber({ min: 1, max: 64 }))
    .option('--json', 'print the report as JSON')
    .action(async (name: string, flags: CompactFlags) => {
      const log = createCliLogger();
      const job = await loadJob(name, { jobsDir: flags.jobs });
      const paths = projectPaths(flags.dir);
      const label = `compacting ${job.output.database}.${job.output.name}`;
      let progress: Progress | undefined;
      let report: CompactionReport;
      // A crash is safe at any point, but a clean stop between partitions leaves nothing to finish.
      const stop = stopSignal({ onFirst: () => progress?.interrupt(() => log.info('stopping after the current partition (Ctrl-C again to quit at once)')) });
      try {
        report = await compactTable({
          job,
          store: new LocalFolderStore({ root: paths.warehouse }),
          catalog: new LocalCatalog({ dir: paths.catalog }),
          now: new Date(),
          targetBytes: flags.targetSize,
          horizonMs: flags.horizon,
          graceMs: flags.grace,
          concurrency: flags.concurrency,
          signal: stop.signal,
          onProgress: ({ total, outcome }) => {
            progress ??= startProgress({ label, total, unit: 'partitions', logger: log });
            if (outcome !== undefined) progress.advance(1, `${outcome.partition} ${outcome.status}`);
          },
        });
      } finally {
        stop.dispose();
        progress?.done();
      }
      // Kept for sluice status and the dashboard (their "last compaction"), as the deployed function emits it.
      await new LocalMetricsLog({ dir: paths.metrics }).appendCompaction(compactionMetrics(report, { job: job.name, at: Date.now() }));
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderTable(compactionTable(report))}\n`);
      const failure = compactionFailure(report);
      if (failure !== undefined) throw failure;
    });
}
