import { Command, CommanderError } from 'commander';
import { SluiceError } from '../errors.ts';
import { registerCheck } from './commands/check.ts';
import { registerCompact } from './commands/compact.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDdl } from './commands/ddl.ts';
import { registerDemo } from './commands/demo.ts';
import { registerInit } from './commands/init.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerProduce } from './commands/produce.ts';
import { registerQuery } from './commands/query.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerRejects } from './commands/rejects.ts';
import { registerRedrive } from './commands/redrive.ts';
import { registerReplay } from './commands/replay.ts';

/**
 * The `sluice` command line. Returns the exit code: 0 ok, 1 a sluice error (the message
 * says what to do), 2 a usage error.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'sluice', 'query', 'SELECT 1']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('sluice')
    .description('Typed streaming ETL: Kinesis micro-batches to Athena-ready Parquet')
    .option('--dir <folder>', 'local state: embedded stream, warehouse, catalog, checkpoints', '.sluice')
    .option('--jobs <folder>', 'where job modules live', 'jobs')
    .option('--endpoint <url>', 'a Kinesis-compatible endpoint instead of the embedded server')
    .option('--region <region>', 'AWS region for --endpoint')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // Global options are read by every command.
  program.hook('preAction', (_root, command) => {
    const globals = program.opts();
    for (const [key, value] of Object.entries(globals)) if (command.getOptionValue(key) === undefined) command.setOptionValue(key, value);
  });
  registerRun(program);
  registerProduce(program);
  registerQuery(program);
  registerDemo(program);
  registerJobs(program);
  registerCheck(program);
  registerDdl(program);
  registerCompact(program);
  registerDashboard(program);
  registerStatus(program);
  registerRejects(program);
  registerRedrive(program);
  registerReplay(program);
  registerInit(program);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof SluiceError) {
      process.stderr.write(`sluice: ${error.message}\n`);
      if (process.env['SLUICE_DEBUG'] && error.cause) process.stderr.write(`caused by: ${String((error.cause as Error).stack ?? error.cause)}\n`);
      return 1;
    }
    process.stderr.write(`sluice: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
