import Table from 'cli-table3';
import type { BenchResults } from './results.ts';
import type { Throughput } from './throughput.ts';

/**
 * The bench's terminal report: one boxed table per question, numbers right-aligned, no
 * colour codes (so the output pastes into the README as it is).
 */

type Cell = string | { content: string; hAlign: 'right' };

const right = (content: string): Cell => ({ content, hAlign: 'right' });
const records = (perSecond: number): string =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M/s` : `${(perSecond / 1e3).toFixed(0)} k/s`;
const mb = (bytes: number, digits = 2): string => `${(bytes / 1e6).toFixed(digits)} MB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const speed = (t: Throughput): Cell[] => [right(records(t.recordsPerSecond)), right(`${t.mbPerSecond.toFixed(1)}`), right(ms(t.ms))];

function table(title: string, head: string[], rows: Cell[][], notes: readonly string[] = []): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const row of rows) t.push(row);
  return [title, t.toString(), ...notes.map((n) => `  ${n}`)].join('\n');
}

/**
 * Other processes competing for the cores slow every figure and widen the spread between
 * runs. `allowance` is the load the bench itself adds (about one core while it runs).
 */
function busyWarning(load: number, cores: number, allowance = 0): string[] {
  return load > cores / 2 + allowance
    ? [`warning: the machine is busy (load ${load.toFixed(1)} on ${cores} cores): figures are pessimistic and noisy; rerun on an idle machine`]
    : [];
}

/**
 * The header printed before anything is measured: a figure means nothing without its machine.
 *
 * @example
 * ```ts
 * console.log(renderHeader(machine(), loadavg()));
 * ```
 */
export function renderHeader(m: BenchResults['machine'], load: readonly number[]): string {
  return [
    'sluice bench: one process, one run; medians of the rounds below',
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node} (V8 ${m.v8})`,
    `load average at start: ${load.map((l) => l.toFixed(2)).join(' ')}`,
    ...busyWarning(load[0] ?? 0, m.cores),
  ].join('\n');
}

/**
 * Every table of a finished run.
 *
 * @example
 * ```ts
 * console.log(renderReport(results));
 * ```
 */
export function renderReport(r: BenchResults): string {
  const clean = r.wholePaths[0]!;
  const sections: string[] = [];

  sections.push(
    table(
      'Batches (sensor-readings job, Sense HAT messages)',
      ['batch', 'records', 'Kinesis records', 'mean record', 'JSON', 'Lambda event'],
      r.batches.map((b) => [b.name, right(String(b.userRecords)), right(String(b.kinesisRecords)), right(`${b.meanRecordBytes.toFixed(0)} B`), right(mb(b.jsonBytes)), right(mb(b.eventBytes))]),
      ['MB/s everywhere below = MB (10^6 B) of record JSON per second, whatever the stage consumes.'],
    ),
  );

  sections.push(
    table(
      `Stages, clean batch of ${clean.userRecords} records (median of ${r.rounds.rounds} interleaved rounds after ${r.rounds.warmups} warm-ups)`,
      ['stage', 'records/s', 'MB/s', 'per batch', 'of whole path'],
      [
        ...r.stages.map((s) => [s.name, ...speed(s.throughput), right(`${((s.throughput.ms / clean.handler.ms) * 100).toFixed(0)} %`)]),
        ['whole path: Lambda handler (next table)', ...speed(clean.handler), right('100 %')],
      ],
      r.stages.map((s) => `${s.name}: ${s.what}`),
    ),
  );

  sections.push(
    table(
      'Whole path through createKinesisHandler (local folder store, no-op catalog), side by side with the naive floor',
      ['batch', 'records/s', 'MB/s', 'per batch', 'floor records/s', 'whole / floor', 'rows', 'rejects', 'files', 'written'],
      r.wholePaths.map((w) => [
        w.workload,
        ...speed(w.handler),
        right(w.floor ? records(w.floor.recordsPerSecond) : '-'),
        right(w.floorRatio === undefined ? '-' : w.floorRatio.toFixed(2)),
        right(String(w.rows)),
        right(String(w.rejects)),
        right(String(w.files)),
        right(mb(w.bytesWritten)),
      ]),
      ['whole / floor = whole-path records/s divided by naive-floor records/s (target >= 1.0). KPL: no floor, its records are not JSON until de-aggregated.'],
    ),
  );

  const parquetjs = r.parquet.writers.find((w) => w.name === 'parquetjs SNAPPY')!;
  sections.push(
    table(
      'Parquet writing, rows -> file bytes, same rows',
      ['writer', 'records/s', 'MB/s', 'per batch', 'file', 'speed vs parquetjs'],
      r.parquet.writers.map((w) => [
        w.name,
        ...speed(w.throughput),
        right(mb(w.bytes, 3)),
        right(`${(w.throughput.recordsPerSecond / parquetjs.throughput.recordsPerSecond).toFixed(1)}x`),
      ]),
      [
        'sluice = rowsToArrowTable + encodeParquet (parquet-wasm); parquetjs = @dsnp/parquetjs ParquetWriter to memory (it has no ZSTD).',
        `as shipped (job codec) vs parquetjs: ${r.parquet.asShippedRatio.toFixed(1)}x; same codec (SNAPPY): ${r.parquet.sameCodecRatio.toFixed(1)}x (target >= 10x).`,
      ],
    ),
  );

  const snappy = r.parquet.codecs.find((c) => c.name === 'encode SNAPPY');
  sections.push(
    table(
      'ZSTD vs SNAPPY, Arrow table -> Parquet bytes (encodeParquet only)',
      ['codec', 'records/s', 'MB/s', 'per batch', 'file', 'of JSON', 'size vs SNAPPY'],
      r.parquet.codecs.map((c) => [
        c.name.replace('encode ', ''),
        ...speed(c.throughput),
        right(mb(c.bytes, 3)),
        right(`${((c.bytes / clean.jsonBytes) * 100).toFixed(1)} %`),
        right(snappy ? `${((c.bytes / snappy.bytes) * 100).toFixed(0)} %` : '-'),
      ]),
    ),
  );

  sections.push(
    table(
      `Cold start: fresh \`node\` on the esbuild bundle (${mb(r.bundle.bytes, 1)}) -> first batch written (median of ${r.coldStarts[0]?.spawns ?? 0} spawns)`,
      ['first batch', 'spawn -> written', 'node boot', 'load bundle', 'parse event', 'wasm init', 'first batch'],
      r.coldStarts.map((c) => [
        `${c.records} records (${mb(c.eventBytes, 1)} event)`,
        right(ms(c.wallMs)),
        right(ms(c.bootMs)),
        right(ms(c.loadMs)),
        right(ms(c.eventMs)),
        right(ms(c.wasmMs)),
        right(ms(c.firstBatchMs)),
      ]),
      [
        `bundle built with esbuild options from ${r.bundle.optionsSource}${r.bundle.minified ? ', minified' : ', not minified'}; entry bench/lambda/handler-entry.ts (local folder store, no-op catalog)`,
        `largest parts of the bundle: ${r.bundle.largestInputs.map((i) => `${i.name} ${mb(i.bytes, 1)}`).join(', ')}`,
        'node boot = process start to the harness running; load bundle = import(); parse event = JSON.parse of the event text, as the runtime does',
      ],
    ),
  );

  sections.push(
    table(
      'Peak RSS (VmHWM) of a fresh process running the bundled handler',
      ['batch', 'after boot', 'after load', 'peak, 1st batch', 'peak, all', 'batch times in the child'],
      r.peakRss.map((p) => [
        `${p.records} records (${mb(p.eventBytes, 1)} event)`,
        right(`${p.rssAtBootMb.toFixed(0)} MB`),
        right(`${p.rssAfterLoadMb.toFixed(0)} MB`),
        right(`${p.peakFirstMb.toFixed(0)} MB`),
        right(`${p.peakAllMb.toFixed(0)} MB (${p.invocations} runs)`),
        p.batchMs.map((b) => b.toFixed(0)).join(', ') + ' ms',
      ]),
      ['Lambda never delivers an event over 6 MB: a 10k batch of these records (8 MB event) is an upper bound; the mapping would send fewer.'],
    ),
  );

  sections.push(
    table(
      `Cost per GB of JSON, list prices ${r.prices.region} as of ${r.prices.asOf} (not fetched at run time)`,
      ['option', '$ / GB of JSON', 'basis'],
      r.cost.map((c) => [c.option, right(`$${c.dollarsPerGb.toFixed(4)}`), c.basis]),
      [
        `Lambda arm64 $${r.prices.lambdaArm64PerGbSecond}/GB-s + $${(r.prices.lambdaPerRequest * 1e6).toFixed(2)}/1M requests, ${r.lambdaMemoryMb} MB; Firehose $${r.prices.firehoseIngestionPerGb}/GB ingestion (first 500 TB) + $${r.prices.firehoseFormatConversionPerGb}/GB format conversion.`,
        'Lambda time = this machine\'s time scaled by Lambda\'s CPU share at that memory; Graviton vs this CPU not corrected for. Kinesis Data Streams, S3 and Glue costs excluded on both sides.',
      ],
    ),
  );

  sections.push(
    table(
      'Targets',
      ['target', 'goal', 'measured', 'met'],
      r.targets.map((t) => [t.target, right(t.goal), right(t.measured), t.met ? 'yes' : 'NO']),
      r.targets.filter((t) => t.why !== undefined).map((t) => `${t.target}: ${t.why}.`),
    ),
  );

  sections.push(
    [
      `load average at end: ${r.loadAverage.end.map((l) => l.toFixed(2)).join(' ')}; run took ${r.durationSeconds.toFixed(0)} s`,
      ...busyWarning(r.loadAverage.end[0] ?? 0, r.machine.cores, 1),
    ].join('\n'),
  );
  return sections.join('\n\n');
}
