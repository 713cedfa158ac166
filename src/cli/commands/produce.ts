import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { streamName } from '../../job/source.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { putRecords, type ProducerRecord } from '../../kinesis/producer.ts';
import { ensureStream, streamExists, streamNames } from '../../kinesis/stream-admin.ts';
import { fileRecords, type SkippedLine } from '../file-records.ts';
import { createCliLogger, type CliLogger } from '../logger.ts';
import { startProgress } from '../progress.ts';
import { ProgressOutcome } from '../progress-outcome.ts';
import { decimal, instant, wholeNumber } from '../option-parsers.ts';
import { endpointFlags } from './run.ts';
import { withMalformed } from '../simulate/malformed.ts';
import { activityMessages, activityPartitionKey } from '../simulate/activity.ts';
import { senseHatMessages, senseHatPartitionKey } from '../simulate/sense-hat.ts';

/** Device fleets `produce --simulate` can play. */
export const SIMULATIONS = {
  'sense-hat': (o: SimulationOptions): ProducerRecord[] => encode([...senseHatMessages(o)], senseHatPartitionKey, o),
  activity: (o: SimulationOptions): ProducerRecord[] => encode([...activityMessages(o)], activityPartitionKey, o),
} as const;
export type Simulation = keyof typeof SIMULATIONS;

interface SimulationOptions {
  readonly devices: number;
  readonly records: number;
  readonly hours: number;
  readonly start: Date;
  readonly seed: number;
  readonly malformedRate: number;
}

function encode<M>(messages: M[], partitionKey: (m: M) => string, o: SimulationOptions): ProducerRecord[] {
  const encoded = withMalformed(messages as unknown as Array<Record<string, unknown>>, { rate: o.malformedRate });
  return encoded.map((e, i) => ({ data: e.data, partitionKey: partitionKey(messages[i]!) }));
}

interface ProduceFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly stream?: string;
  readonly job?: string;
  readonly shards: number;
  readonly create?: boolean;
  readonly file?: string;
  readonly base64?: boolean;
  readonly partitionKeyField?: string;
  readonly simulate?: string;
  readonly devices: number;
  readonly records: number;
  readonly hours: number;
  readonly start?: Date;
  readonly seed: number;
  readonly malformed: number;
}

/** `sluice produce`: put records on a stream from a file or simulated devices. */
export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('put records on a stream: lines of a file, or simulated IoT devices')
    .option('--stream <name>', 'stream to write to')
    .option('--job <name>', "write to this job's stream")
    .option('--create', 'create the stream if it does not exist (otherwise a missing stream is an error, so a typo creates nothing)')
    .option('--shards <n>', 'shards when --create creates the stream', wholeNumber({ min: 1, max: 100 }), 2)
    .option('--file <path>', "one record's data per line")
    .option('--base64', 'lines of --file are base64 of arbitrary bytes (an empty line is a zero-byte record)')
    .option('--partition-key-field <field>', 'key each record of --file by this top-level JSON field (default: its line number)')
    .option('--simulate <fleet>', `simulated devices: ${Object.keys(SIMULATIONS).join(' | ')}`)
    .option('--devices <n>', 'simulated devices', wholeNumber({ min: 1 }), 10)
    .option('--records <n>', 'simulated records', wholeNumber({ min: 1 }), 1000)
    .option('--hours <n>', 'hours of event time the simulated records span', wholeNumber({ min: 1 }), 3)
    .option('--start <time>', 'event time of the first simulated record (ISO-8601; default: that many hours ago)', instant)
    .option('--seed <n>', 'seed of the simulation', wholeNumber(), 1)
    .option('--malformed <rate>', 'share of simulated records to corrupt on purpose (0-1)', decimal({ max: 1 }), 0)
    .action(async (flags: ProduceFlags) => {
      const log = createCliLogger();
      const stream = flags.stream ?? (flags.job ? streamName((await loadJob(flags.job, { jobsDir: flags.jobs })).source.stream) : undefined);
      if (!stream) throw new UsageError('say where to write: --stream <name> or --job <name>');
      if (Boolean(flags.file) === Boolean(flags.simulate)) throw new UsageError('say what to write: --file <path> or --simulate <fleet>');
      let records: ProducerRecord[];
      if (flags.file) {
        const read = await fileRecords({
          path: flags.file,
          base64: flags.base64 === true,
          ...(flags.partitionKeyField === undefined ? {} : { partitionKeyField: flags.partitionKeyField }),
        });
        records = read.records;
        reportSkipped(log, flags.file, read.skipped);
      } else {
        if (flags.partitionKeyField !== undefined) throw new UsageError('--partition-key-field keys the lines of --file; simulated devices are keyed by device');
        const simulate = SIMULATIONS[flags.simulate as Simulation];
        if (!simulate) throw new UsageError(`unknown --simulate '${flags.simulate}': use ${Object.keys(SIMULATIONS).join(' or ')}`);
        const hourMs = 3_600_000;
        const start = flags.start ?? new Date(Math.floor(Date.now() / hourMs) * hourMs - flags.hours * hourMs);
        records = simulate({ devices: flags.devices, records: flags.records, hours: flags.hours, start, seed: flags.seed, malformedRate: flags.malformed });
      }
      const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
      const progress = startProgress({ label: `producing to ${stream}`, total: records.length, unit: 'records', logger: log });
      let sent = 0;
      try {
        if (!flags.create && !(await streamExists(env.kinesis, { stream }))) {
          const known = await streamNames(env.kinesis);
          throw new UsageError(
            `stream '${stream}' does not exist at ${env.endpoint} (streams there: ${known.join(', ') || 'none'}); ` +
              `check the name, or pass --create to create it with --shards ${flags.shards}`,
          );
        }
        const shards = await ensureStream(env.kinesis, { stream, shards: flags.shards });
        const written = await putRecords(env.kinesis, { stream, records }, {
          onProgress: ({ written: total }) => {
            progress.advance(total - sent);
            sent = total;
          },
        });
        progress.done();
        log.success(`put ${written} records on ${stream} (${shards} shards)`);
      } finally {
        // After a success this does nothing; after an error it ends the report as failed before the error prints.
        progress.done(undefined, { outcome: ProgressOutcome.Failed });
        await env.close();
      }
    });
}

/** Lines shown one by one before the rest are only counted. */
const SKIPPED_SHOWN = 10;

/** Says which lines of the file were left out and why: nothing is dropped silently. */
function reportSkipped(log: CliLogger, file: string, skipped: readonly SkippedLine[]): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, SKIPPED_SHOWN).map((s) => `  line ${s.line}: ${s.reason}`);
  const more = skipped.length > SKIPPED_SHOWN ? [`  ... and ${skipped.length - SKIPPED_SHOWN} more`] : [];
  log.warn([`skipped ${skipped.length} line${skipped.length === 1 ? '' : 's'} of ${file}:`, ...shown, ...more].join('\n'));
}
