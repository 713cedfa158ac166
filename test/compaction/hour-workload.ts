/**
 * One busy hour of the sample stream, as compaction meets it: `records` Sense HAT readings
 * of one hour, in batches as the event source mapping delivers them, written through the
 * real batch processors of `sensor-readings` (one row per record) and `sensor-hourly`
 * (partial aggregates), so the base files are the ones deployed handlers write. Shared by
 * the memory test and the bench.
 */
import sensorHourly from '../../jobs/sensor-hourly.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';

/** The hour the workload fills. */
export const WORKLOAD_HOUR = new Date('2026-11-20T06:00:00Z');
const HOUR_MS = 3_600_000;
const encoder = new TextEncoder();

/**
 * Options of {@link seedHour}.
 *
 * @example
 * ```ts
 * const options: HourWorkload = { records: 200_000, batchRecords: 1000, devices: 50 };
 * ```
 */
export interface HourWorkload {
  readonly records: number;
  /** Records per batch (one base file per batch and table): the mapping's batch size at the shard's write limit. */
  readonly batchRecords?: number;
  /** Devices reporting in turn: the aggregate's groups. */
  readonly devices?: number;
  /** Which jobs' tables to write; both unless given. */
  readonly jobs?: readonly ('sensor-readings' | 'sensor-hourly')[];
}

/** What {@link seedHour} wrote. */
export interface SeededHour {
  readonly records: number;
  readonly batches: number;
  /** Sum of `reading_seq` (the device's counter) over the rows: a checksum of the plain table. */
  readonly seqSum: number;
  /** Bytes of the records' JSON: what the stream carried. */
  readonly jsonBytes: number;
}

const jobsByName = { 'sensor-readings': sensorReadings, 'sensor-hourly': sensorHourly } as const;

/**
 * Writes the hour through the batch processors, batch after batch, one shard.
 *
 * @example
 * ```ts
 * const seeded = await seedHour({ store, catalog }, { records: 20_000 });
 * ```
 */
export async function seedHour(ports: { store: ObjectStore; catalog: Catalog }, workload: HourWorkload): Promise<SeededHour> {
  const batchRecords = workload.batchRecords ?? 1000;
  const devices = workload.devices ?? 50;
  const jobs = (workload.jobs ?? ['sensor-readings', 'sensor-hourly']).map((name) => jobsByName[name]);
  const processors: Array<ReturnType<typeof createBatchProcessor>> = [];
  for (const job of jobs) {
    await ports.catalog.ensureTable(tableDescriptor(job, ports.store));
    processors.push(createBatchProcessor({ job, store: ports.store, catalog: ports.catalog }));
  }
  // Just under an hour: every reading's second lies in the hour.
  const messages = senseHatMessages({ devices, records: workload.records, hours: (HOUR_MS - 1000) / HOUR_MS, start: WORKLOAD_HOUR, seed: 11 });
  let batch: StreamRecord[] = [];
  let index = 0;
  let batches = 0;
  let seqSum = 0;
  let jsonBytes = 0;
  const flush = async () => {
    for (const process of processors) await process(batch);
    batches++;
    batch = [];
  };
  for (const message of messages) {
    seqSum += message.count;
    const data = encoder.encode(JSON.stringify(message));
    jsonBytes += data.byteLength;
    batch.push({
      data,
      shardId: 'shardId-000000000000',
      sequenceNumber: String(1_000_000 + index),
      partitionKey: message.client_id,
      arrivalTime: new Date(WORKLOAD_HOUR.getTime() + Math.floor((index * (HOUR_MS - 1000)) / workload.records)),
    });
    index++;
    if (batch.length === batchRecords) await flush();
  }
  if (batch.length > 0) await flush();
  return { records: workload.records, batches, seqSum, jsonBytes };
}
