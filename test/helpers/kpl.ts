import agg from 'aws-kinesis-agg';

/**
 * Aggregates records with `aws-kinesis-agg`, an implementation independent of sluice's, so
 * the de-aggregation tests check sluice against the format, not against itself.
 */
export function kplAggregate(records: Array<{ partitionKey: string; data: Uint8Array }>): Promise<Array<{ partitionKey: string; data: Uint8Array }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ partitionKey: string; data: Uint8Array }> = [];
    agg.aggregate(
      records.map((r) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data) })),
      (encoded, callback) => {
        out.push({ partitionKey: encoded.partitionKey, data: new Uint8Array(encoded.data) });
        callback();
      },
      () => resolve(out),
      (error) => reject(error),
    );
  });
}
