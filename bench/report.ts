import Table from 'cli-table3';
import type { BenchResults, CompactionResults } from './results.ts';
import { COMPACTION_PRICES } from './compaction-prices.ts';
import { UnitLimitDefaults as UNIT_LIMITS } from '../src/compaction/unit-limits.ts';
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

  sections.push(renderCompaction(r.compaction, { prices: r.prices }));

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

const dollars = (value: number): string => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const count = (value: number): string => (value >= 1e6 ? `${(value / 1e6).toFixed(1)} M` : value >= 1e4 ? `${(value / 1e3).toFixed(0)} k` : String(Math.round(value)));

/**
 * The compaction tables: throughput and peak memory of two hours side by side, then the
 * sizing computed from the larger.
 *
 * @example
 * ```ts
 * console.log(renderCompaction(results.compaction, { prices: PRICES }));
 * ```
 */
export function renderCompaction(c: CompactionResults, context: { readonly prices: BenchResults['prices'] }): string {
  const sizes = c.measurements;
  const jobs = sizes[0]?.runs.map((run) => run.job) ?? [];
  const cell = (pick: (m: CompactionResults['measurements'][number], run: CompactionResults['measurements'][number]['runs'][number]) => string) => (job: string) =>
    sizes.map((m) => right(pick(m, m.runs.find((run) => run.job === job)!)));
  const perJob: Array<[string, (job: string) => Cell[]]> = [
    ['files', cell((_, run) => `${run.report.files.before} -> ${run.report.files.after}`)],
    ['rows', cell((_, run) => `${count(run.report.rows.before)} -> ${count(run.report.rows.after)}`)],
    ['Parquet', cell((_, run) => `${mb(run.report.bytes.before)} -> ${mb(run.report.bytes.after)}`)],
    ['time', cell((_, run) => `${(run.ms / 1000).toFixed(2)} s`)],
    ['records/s', cell((m, run) => records(m.records / (run.ms / 1000)))],
    ['rows/s (rows read)', cell((_, run) => records(run.rowsPerSecond))],
    ['MB/s of JSON', cell((_, run) => run.mbPerSecond.toFixed(1))],
    ['MB/s of Parquet read', cell((_, run) => run.parquetMbPerSecond.toFixed(2))],
  ];
  const rows: Cell[][] = jobs.flatMap((job) => perJob.map(([what, values]) => [`${job}: ${what}`, ...values(job)]));
  rows.push(['RSS after loading the bundle', ...sizes.map((m) => right(`${m.rssAfterLoadMb.toFixed(0)} MB`))]);
  rows.push(['peak RSS (VmHWM), both jobs', ...sizes.map((m) => right(`${m.peakRssMb.toFixed(0)} MB`))]);
  const throughputTable = table(
    `Compaction of one hour partition of the sample stream, ${sizes.map((m) => m.records).join(' vs ')} records (one base file per 1,000), each hour in a fresh process`,
    ['', ...sizes.map((m) => `${m.records} records`)],
    rows,
    [
      'The child is a bundle built with the deploy\'s esbuild options, like the compaction function, on a local folder store and catalog: no network.',
      'records/s = the hour\'s records per second of its compaction; rows/s = rows read; MB/s of JSON = MB (10^6 B) of the records\' JSON per second, as above.',
      `Limits: row groups of ${UNIT_LIMITS.rowGroupRows} rows, read chunks of ${UNIT_LIMITS.chunkRows}, ${UNIT_LIMITS.readAheadBytes / 2 ** 20} MiB read ahead: the peak depends on these, not on the hour's size.`,
    ],
  );
  const prices = COMPACTION_PRICES;
  const sizingTable = table(
    `Compaction sizing at Kinesis's write limit (1,000 records/s per shard), per hour, from the ${sizes.at(-1)?.records ?? 0}-record hour's figures`,
    ['table', 'shards', 'records', 'files before -> after', 'invocations', 'memory (peak)', 'unit / plan / run', 'S3 PUT+LIST / GET', 'Glue', 'transitions', 'compaction $/h', 'Firehose $/h'],
    c.sizing.map((row) => [
      row.job,
      right(String(row.shards)),
      right(count(row.rowsPerHour)),
      right(`${count(row.filesBefore)} -> ${row.filesAfter}`),
      right(String(row.invocations)),
      right(`${row.memoryMb} MB (${row.unitPeakMb.toFixed(0)})`),
      right(`${row.unitSeconds.toFixed(0)} s / ${row.planSeconds.toFixed(0)} s / ${(row.runSeconds / 60).toFixed(0)} min`),
      right(`${count(row.s3Requests.putClass)} / ${count(row.s3Requests.get)}`),
      right(String(row.glueRequests)),
      right(String(row.stateTransitions)),
      right(dollars(row.dollarsPerHour.total)),
      right(`${dollars(row.firehosePerHour.rounded)} (${dollars(row.firehosePerHour.unrounded)})`),
    ]),
    [
      'One hour partition per table per run (the hour that just passed the retry horizon); files before = one base file per batch (1,000 records, 1 s window); after = ceil(input bytes / 128 MiB), one per unit.',
      'invocations = plan + units + commit + report; unit = its rows at this machine\'s measured pace (1,769 MB: one full vCPU; Graviton vs this CPU not corrected for) + input GETs 16 at a time at 20 ms + upload at 50 MB/s; plan = 720 registered partitions looked at (a month of hours) + the listing; run = plan + units 4 at a time + commit, within the hourly run\'s 55 minutes.',
      `compaction $/h = Lambda arm64 ($${prices.lambdaArm64PerGbSecond}/GB-s, $0.20/1M requests) + S3 ($0.005/1k PUT, COPY, POST, LIST; $0.0004/1k GET; DeleteObjects counted at the PUT price) + Glue ($1/1M requests) + Step Functions ($0.025/1k transitions); ${context.prices.region}, ${context.prices.asOf} list prices, no free tier.`,
      `Firehose $/h = ingestion ($${context.prices.firehoseIngestionPerGb}/GB) + Parquet conversion ($${context.prices.firehoseFormatConversionPerGb}/GB) of the same records, each billed as 5 KB; in brackets, at their real size (the lower bound). Not included on either side: Kinesis, S3 storage, sluice's own ingestion (see Cost above).`,
      ...c.sizing.filter((row) => row.advice !== undefined).map((row) => `${row.job}, ${row.shards} shards: ${row.advice}.`),
      ...(c.sizing.every((row) => row.advice === undefined) ? ['Every unit and plan above fits well within Lambda\'s 15 minutes and the function\'s memory.'] : ['Every other row fits well within Lambda\'s 15 minutes, the function\'s memory and the hour.']),
    ],
  );
  return `${throughputTable}\n\n${sizingTable}`;
}
