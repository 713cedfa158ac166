import { spawn } from 'node:child_process';

/** What the child prints (see invoke-child.ts), all times in ms from the child's time origin unless said. */
export interface ChildMarks {
  readonly bootMs: number;
  readonly loadMs: number;
  readonly eventMs: number;
  readonly wasmMs: number;
  readonly firstBatchMs: number;
  readonly batchMs: readonly number[];
  readonly firstDoneMs: number;
  /** CPU time the child spent (all threads) up to the first batch written. */
  readonly firstCpuMs: number;
  readonly doneMs: number;
  readonly rssAtBootMb: number;
  readonly rssAfterLoadMb: number;
  readonly hwmAfterFirstMb: number;
  readonly hwmMb: number;
  readonly maxRssMb: number;
}

export interface ChildRun {
  /** Wall time from spawn to the child's line: the first batch written (and any more). */
  readonly wallMs: number;
  readonly marks: ChildMarks;
}

/**
 * Spawns a fresh `node` on the harness and waits for its one line. The bench's own
 * NODE_OPTIONS (tsx's loader, if any) are not passed on: the child must start as bare as a
 * Lambda runtime does.
 *
 * @example
 * ```ts
 * const run = await spawnChild(files.harness, [files.handler, eventFile, '1'], { SLUICE_BENCH_WAREHOUSE: dir });
 * ```
 */
export function spawnChild(harness: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<ChildRun> {
  const { NODE_OPTIONS: _dropped, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [harness, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0 && !settled) {
        settled = true;
        const wallMs = performance.now() - started;
        try {
          resolve({ wallMs, marks: JSON.parse(out.slice(0, newline)) as ChildMarks });
        } catch (error) {
          reject(error);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`the Lambda child exited with code ${code} before printing its marks: ${err.trim().slice(0, 2000)}`));
    });
  });
}
