/**
 * The compaction measurement's child, bundled with the deploy's esbuild options like the
 * compaction function (parquet-wasm's `.wasm` beside the bundle, compiled while it loads):
 * `node compaction.mjs <root> <job>...` compacts the hour the bench seeded under `<root>`
 * (a local folder store and catalog) for each job, then prints one JSON line: RSS after
 * loading, each job's time, report and store and catalog calls, and the process's peak RSS.
 * Nothing else runs in the process, so its peak is what a compaction function would need.
 */
import { parquetWasmCompiled } from '../../src/runtime/lambda/parquet-wasm-beside-bundle.ts';
import { join } from 'node:path';
import sensorHourly from '../../jobs/sensor-hourly.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import type { StreamingObjectStore } from '../../src/store/object-store.ts';

const MB = 1024 * 1024;
const jobs = { 'sensor-readings': sensorReadings, 'sensor-hourly': sensorHourly } as const;

/** The object's methods, each counting its calls into `calls` under its own name. */
function counted<T extends object>(target: T, calls: Record<string, number>): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver) as unknown;
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

const [root, ...names] = process.argv.slice(2);
if (root === undefined || names.length === 0) throw new Error('usage: compaction.mjs <root> <job>...');
await parquetWasmCompiled;
const rssAfterLoadMb = process.memoryUsage().rss / MB;
const results = [];
for (const name of names) {
  const job = jobs[name as keyof typeof jobs];
  if (job === undefined) throw new Error(`no job '${name}'`);
  const calls: Record<string, number> = {};
  const store = counted<StreamingObjectStore>(new LocalFolderStore({ root: join(root, 'warehouse') }), calls);
  const catalog = counted<Catalog>(new LocalCatalog({ dir: join(root, 'catalog') }), calls);
  const started = performance.now();
  const cpu = process.cpuUsage();
  // Far past the seeded hour, with no horizon: every file is settled.
  const { details: _details, ...report } = await compactTable({ job, store, catalog, now: new Date('2027-01-01T00:00:00Z'), horizonMs: 0 });
  const used = process.cpuUsage(cpu);
  results.push({ job: name, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, report, calls });
}
process.stdout.write(`${JSON.stringify({ rssAfterLoadMb, maxRssMb: process.resourceUsage().maxRSS / 1024, results })}\n`);
