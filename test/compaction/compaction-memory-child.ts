/**
 * Compacts the hour a parent seeded, in a process of its own, and prints the reports and
 * the process's peak RSS as one JSON line:
 * `node --import tsx compaction-memory-child.ts <root> <limits JSON> <job>...`.
 * Nothing else runs in the process, so its peak is compaction's (plus Node's and the modules').
 */
import { join } from 'node:path';
import sensorHourly from '../../jobs/sensor-hourly.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';
import type { CompactionReport } from '../../src/compaction/compaction-report.ts';
import type { UnitLimits } from '../../src/compaction/unit-limits.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';

const [root, limitsJson, ...names] = process.argv.slice(2);
if (root === undefined || limitsJson === undefined || names.length === 0) throw new Error('usage: compaction-memory-child.ts <root> <limits JSON> <job>...');
const limits = JSON.parse(limitsJson) as Partial<UnitLimits>;
const jobs = { 'sensor-readings': sensorReadings, 'sensor-hourly': sensorHourly } as const;
const store = new LocalFolderStore({ root: join(root, 'warehouse') });
const catalog = new LocalCatalog({ dir: join(root, 'catalog') });
const reports: CompactionReport[] = [];
const started = performance.now();
for (const name of names) {
  const job = jobs[name as keyof typeof jobs];
  if (job === undefined) throw new Error(`no job '${name}'`);
  // Far past the seeded hour, with no horizon: every file is settled.
  reports.push(await compactTable({ job, store, catalog, now: new Date('2027-01-01T00:00:00Z'), horizonMs: 0, limits }));
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, ms, reports })}\n`);
