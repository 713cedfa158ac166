import type { Command } from 'commander';
import { LocalCatalog } from '../../catalog/local-catalog.ts';
import { openQueryEngine, type QueryResult } from '../../catalog/query-engine.ts';
import { projectPaths } from '../../runtime/local-environment.ts';
import { renderTable } from '../print-table.ts';

/**
 * Runs SQL over the local catalog's registered partitions, as Athena would see them.
 *
 * @example
 * ```ts
 * const result = await queryLocal({ dir: '.sluice', sql: 'SELECT count(*) AS n FROM iot.sensor_readings' });
 * ```
 */
export async function queryLocal(options: { dir: string; sql: string }): Promise<QueryResult> {
  const engine = await openQueryEngine({ catalog: new LocalCatalog({ dir: projectPaths(options.dir).catalog }) });
  try {
    return await engine.query(options.sql);
  } finally {
    engine.close();
  }
}

/** `sluice query "<sql>"`. */
export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL (DuckDB) over the registered partitions of the local catalog; tables are <database>.<table>')
    .argument('<sql>', 'e.g. "SELECT device_id, count(*) FROM iot.sensor_readings GROUP BY 1"')
    .option('--json', 'print a JSON array of row objects')
    .action(async (sql: string, flags: { dir: string; json?: boolean }) => {
      const result = await queryLocal({ dir: flags.dir, sql });
      process.stdout.write(flags.json ? `${JSON.stringify(result.rows)}\n` : `${renderTable(result)}\n`);
    });
}
