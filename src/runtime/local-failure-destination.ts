import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailedRange } from './event-source-mapping.ts';
import type { FailedBatch, FailureSource } from './failure-source.ts';
import { SourceError } from '../errors.ts';
import { messageOf } from '../error-message.ts';

/**
 * The on-failure destination of local runs: a folder of JSON documents shaped like the
 * ones the Kinesis event source mapping sends to SQS or S3 (`KinesisBatchInfo` with the
 * shard and sequence range), one per range given up on. A range is redriven from its
 * `startSequenceNumber`, so it rewrites the same keys instead of adding new ones.
 */
export interface FailureDocument {
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number; readonly functionArn: string };
  readonly responseContext: { readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface LocalFailureDestinationOptions {
  /** Folder of failure documents, e.g. `.sluice/failures/<job>`. */
  readonly dir: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly now?: () => Date;
}

/**
 * Writes failure documents, named by shard and range so a repeated send is idempotent, and
 * hands them to `sluice redrive` (the {@link FailureSource} of local runs).
 *
 * @example
 * ```ts
 * const destination = new LocalFailureDestination({ dir: '.sluice/failures/sensor-readings', streamArn, functionArn });
 * await destination.send(range);
 * ```
 */
export class LocalFailureDestination implements FailureSource {
  constructor(private readonly options: LocalFailureDestinationOptions) {}

  async send(range: FailedRange): Promise<FailureDocument> {
    const first = range.records[0]!;
    const last = range.records.at(-1)!;
    const document: FailureDocument = {
      requestContext: { condition: range.condition, approximateInvokeCount: range.attempts, functionArn: this.options.functionArn },
      responseContext: range.lastError ? { functionError: range.lastError } : {},
      version: '1.0',
      timestamp: (this.options.now?.() ?? new Date()).toISOString(),
      KinesisBatchInfo: {
        shardId: first.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: first.arrivalTime.toISOString(),
        approximateArrivalOfLastRecord: last.arrivalTime.toISOString(),
        batchSize: range.records.length,
        streamArn: this.options.streamArn,
      },
    };
    await mkdir(this.options.dir, { recursive: true });
    const file = join(this.options.dir, `${first.shardId}-${first.sequenceNumber}-${last.sequenceNumber}.json`);
    const temp = `${file}.tmp`;
    await writeFile(temp, `${JSON.stringify(document, null, 2)}\n`);
    await rename(temp, file);
    return document;
  }

  async pending(): Promise<FailedBatch[]> {
    let names: string[];
    try {
      names = (await readdir(this.options.dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new SourceError(`cannot read the failure folder ${this.options.dir}: ${messageOf(error)}`, error);
    }
    const batches: FailedBatch[] = [];
    for (const name of names) {
      try {
        batches.push({ id: name, document: JSON.parse(await readFile(join(this.options.dir, name), 'utf8')) as FailureDocument });
      } catch (error) {
        // Removed by another redrive since the folder was listed: nothing to do.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new SourceError(`cannot read the failure document ${join(this.options.dir, name)}: ${messageOf(error)}`, error);
      }
    }
    return batches;
  }

  async remove(batch: FailedBatch): Promise<void> {
    try {
      await rm(join(this.options.dir, batch.id), { force: true });
    } catch (error) {
      throw new SourceError(`cannot remove the failure document ${join(this.options.dir, batch.id)}: ${messageOf(error)}`, error);
    }
  }
}
