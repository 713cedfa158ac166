import type { _Record } from '@aws-sdk/client-kinesis';
import type { StreamRecord } from '../decode/stream-record.ts';

/**
 * A GetRecords entry as a {@link StreamRecord} of `shardId`. Kinesis always stamps
 * ApproximateArrivalTimestamp; should a server leave it out, the time the record was read
 * stands in, which is the closest honest value.
 *
 * @example
 * ```ts
 * const records = (output.Records ?? []).map((record) => toStreamRecord(record, { shardId }));
 * ```
 */
export function toStreamRecord(record: _Record, where: { readonly shardId: string }): StreamRecord {
  return {
    data: record.Data ?? new Uint8Array(0),
    shardId: where.shardId,
    sequenceNumber: record.SequenceNumber ?? '',
    partitionKey: record.PartitionKey ?? '',
    arrivalTime: record.ApproximateArrivalTimestamp ?? new Date(),
  };
}
