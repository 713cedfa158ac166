import { join } from 'node:path';
import { SluiceError } from '../src/errors.ts';
import { checkSchemaLock } from '../src/catalog/schema-lock.ts';
import { listJobs, loadJob } from '../src/runtime/load-job.ts';
import { tableDescriptor } from '../src/runtime/table-descriptor.ts';
import { jobStack, type JobStack } from './job-stack.ts';
import { assertSluiceInstalled } from './package-paths.ts';
import { escapeServerlessVariables } from './serverless-variables.ts';
import { parseStackParams } from './stack-params.ts';

/**
 * Options of {@link serverlessStack}.
 *
 * @example
 * ```ts
 * const options: ServerlessStackOptions = { params: ['job=sensor-readings'], region: 'us-east-1', stage: 'dev', projectDir: '/repo', runId: '4242' };
 * ```
 */
export interface ServerlessStackOptions {
  /** Serverless's `--param` values, `key=value` each. */
  readonly params: readonly string[];
  /** Serverless's `provider.region`: where the stack deploys. */
  readonly region: string;
  /** Serverless's `provider.stage`. */
  readonly stage: string;
  /** The project: `jobs/` lives here. */
  readonly projectDir: string;
  /** Distinguishes this run's scratch folder from concurrent runs' (the process id). */
  readonly runId: string;
}

/**
 * What serverless.yml's `${file(./deploy/serverless-stack.cjs):<part>}` variables read:
 * loads `jobs/<job>.ts` named by `--param="job=<name>"`, checks its table against the schema
 * lock (`schemas/lock/`), and builds its stack, with
 * CloudFormation's `${...}` escaped from Serverless's variable resolution. Errors a user can
 * meet (no job param, an unknown job, a bad param, a bad job) carry only their message as
 * stack, since Serverless prints the stack.
 *
 * @example
 * ```ts
 * const stack = await serverlessStack({ params: ['job=sensor-readings'], region: 'us-east-1', stage: 'dev', projectDir: process.cwd(), runId: String(process.pid) });
 * stack.service; // 'sluice-sensor-readings'
 * ```
 */
export async function serverlessStack(options: ServerlessStackOptions): Promise<JobStack> {
  const jobsDir = join(options.projectDir, 'jobs');
  try {
    assertSluiceInstalled(options.projectDir);
    const params = parseStackParams(options.params, { availableJobs: await listJobs({ jobsDir }), region: options.region });
    const job = await loadJob(params.job, { jobsDir });
    // Refuse an incompatible schema change here, offline, before anything reaches Glue.
    await checkSchemaLock(tableDescriptor(job, { locationOf: (key) => key }), { dir: join(options.projectDir, 'schemas', 'lock') });
    return escapeServerlessVariables(
      jobStack({ job, params, stage: options.stage, jobModule: join(jobsDir, `${job.name}.ts`), workFolder: join('.esbuild', `${job.name}-${options.runId}`) }),
    );
  } catch (error) {
    if (error instanceof SluiceError) error.stack = `${error.name}: ${error.message}`;
    throw error;
  }
}
