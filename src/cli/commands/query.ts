import type { Command } from 'commander';
import { LocalCatalog } from '../../catalog/local-catalog.ts';
import { openQueryEngine, type QueryResult } from '../../catalog/query-engine.ts';
import { projectPaths } from '../../runtime/local-environment.ts';
import { aggregateViews } from '../../aggregate/aggregate-views.ts';
import type { Job } from '../../job/define-job.ts';
import { assertNoTableConflicts, loadEveryJob } from '../../runtime/jobs-folder.ts';
import { renderTable } from '../print-table.ts';

/**
 * Runs SQL over the local catalog's registered partitions, as Athena would see them, with
 * the merged view of every aggregate job in the jobs folder.
 *
 * @example
 * ```ts
 * const result = await queryLocal({ dir: '.sluice', jobsDir: 'jobs', sql: 'SELECT count(*) AS n FROM iot.sensor_readings' });
 * ```
 */
export async function queryLocal(options: { dir: string; sql: string; jobsDir?: string }): Promise<QueryResult> {
  const jobs = options.jobsDir === undefined ? [] : await loadableJobs(options.jobsDir);
  const engine = await openQueryEngine({ catalog: new LocalCatalog({ dir: projectPaths(options.dir).catalog }), views: aggregateViews(jobs) });
  try {
    return await engine.query(options.sql);
  } finally {
    engine.close();
  }
}

/**
 * The jobs that load; a broken one only loses its view here (`sluice jobs` shows its error).
 * Two jobs declaring one table fail: which of them a view would be over is anyone's guess.
 */
async function loadableJobs(jobsDir: string): Promise<readonly Job[]> {
  const folder = await loadEveryJob({ jobsDir });
  assertNoTableConflicts(folder, { jobsDir });
  return folder.jobs;
}

/** `sluice query "<sql>"`. */
export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL (DuckDB) over the registered partitions of the local catalog; tables are <database>.<table>, aggregate jobs add their merged view')
    .argument('<sql>', 'e.g. "SELECT device_id, count(*) FROM iot.sensor_readings GROUP BY 1"')
    .option('--json', 'print a JSON array of row objects')
    .action(async (sql: string, flags: { dir: string; jobs: string; json?: boolean }) => {
      const result = await queryLocal({ dir: flags.dir, sql, jobsDir: flags.jobs });
      process.stdout.write(flags.json ? `${JSON.stringify(result.rows)}\n` : `${renderTable(result)}\n`);
    });
}
