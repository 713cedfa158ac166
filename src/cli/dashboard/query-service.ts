import type { Catalog } from '../../catalog/catalog.ts';
import { openQueryEngine, type QueryEngine, type QueryResult, type ViewDefinition } from '../../catalog/query-engine.ts';

/**
 * A query's rows for the page, cut at a limit so a `SELECT *` over a big table cannot flood
 * the browser.
 *
 * @example
 * ```ts
 * const answer: QueryAnswer = { columns: ['n'], rows: [{ n: 42 }], totalRows: 1, truncated: false };
 * ```
 */
export interface QueryAnswer extends QueryResult {
  readonly totalRows: number;
  readonly truncated: boolean;
}

/**
 * Runs the SQL panel's queries over the local catalog. The query engine's views are built
 * over the partitions registered when it opens, so it is reopened when the data version
 * changes (a batch committed, a compaction ran): partitions registered since are then
 * visible. Queries run one at a time on the one DuckDB connection.
 *
 * @example
 * ```ts
 * const queries = new QueryService({ catalog: env.catalog, views: aggregateViews(jobs), maxRows: 10_000 });
 * const answer = await queries.query('SELECT count(*) AS n FROM iot.sensor_readings', { version: '12:1764750000000' });
 * await queries.close();
 * ```
 */
export class QueryService {
  readonly #catalog: Catalog;
  readonly #views: readonly ViewDefinition[];
  readonly #maxRows: number;
  #engine: { readonly version: string; readonly engine: QueryEngine } | undefined;
  /** Tail of the queue of queries: each waits for the one before it. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: { catalog: Catalog; views: readonly ViewDefinition[]; maxRows: number }) {
    this.#catalog = options.catalog;
    this.#views = options.views;
    this.#maxRows = options.maxRows;
  }

  /** Runs `sql` over the data as of `version`; rejects with `QueryError`. */
  query(sql: string, options: { readonly version: string }): Promise<QueryAnswer> {
    const run = this.#tail.then(async () => {
      const engine = await this.#engineFor(options.version);
      const result = await engine.query(sql);
      const truncated = result.rows.length > this.#maxRows;
      return { columns: result.columns, rows: truncated ? result.rows.slice(0, this.#maxRows) : result.rows, totalRows: result.rows.length, truncated };
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Frees DuckDB once the queries under way have finished. */
  async close(): Promise<void> {
    await this.#tail;
    this.#engine?.engine.close();
    this.#engine = undefined;
  }

  async #engineFor(version: string): Promise<QueryEngine> {
    if (this.#engine?.version === version) return this.#engine.engine;
    this.#engine?.engine.close();
    this.#engine = undefined;
    const engine = await openQueryEngine({ catalog: this.#catalog, views: this.#views });
    this.#engine = { version, engine };
    return engine;
  }
}
