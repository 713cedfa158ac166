import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { GlueCatalog } from '../../catalog/glue-catalog.ts';
import { createGlueClient } from '../../catalog/glue-client.ts';
import { UsageError } from '../../errors.ts';
import type { Job } from '../../job/define-job.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { localEventSource } from '../../runtime/local-event-source.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { LocalFailureDestination } from '../../runtime/local-failure-destination.ts';
import { redrive, RedriveStatus, type RedriveOptions, type RedriveOutcome } from '../../runtime/redrive.ts';
import { SqsFailureSource } from '../../runtime/sqs-failure-source.ts';
import { deployedJob, jobStackName } from '../../runtime/stack-outputs.ts';
import { createKinesisClient } from '../../kinesis/kinesis-client.ts';
import { createS3Client } from '../../store/s3-client.ts';
import { S3ObjectStore } from '../../store/s3-object-store.ts';
import { createCliLogger, type CliLogger } from '../logger.ts';
import { endpointFlags } from './run.ts';

interface RedriveFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly queueUrl?: string;
  readonly bucket?: string;
  readonly stage?: string;
  readonly json?: boolean;
}

/** The words each outcome is reported with. */
const SAID: Readonly<Record<RedriveStatus, string>> = {
  [RedriveStatus.Redriven]: 'redriven',
  [RedriveStatus.AlreadyPresent]: 'already present (an earlier redrive committed it)',
  [RedriveStatus.Expired]: 'expired: the stream no longer holds it; left in the destination',
  [RedriveStatus.Failed]: 'failed again; left in the destination',
};

/**
 * `sluice redrive <job>`: reprocesses the batches in the job's on-failure destination (the
 * local failure folder, or the deployed job's SQS queue, S3 bucket and Glue catalog, given
 * with `--queue-url` and `--bucket` or read from the outputs of its stack with `--stage`),
 * each from its first sequence number, exactly once.
 *
 * @example
 * ```sh
 * npx sluice redrive sensor-readings
 * npx sluice redrive sensor-readings --queue-url https://sqs.eu-west-1.amazonaws.com/1234/q --bucket my-bucket --region eu-west-1
 * ```
 */
export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description("reprocess the batches the job gave up on (its on-failure destination), each from its first sequence number, exactly once")
    .argument('<job>', 'job name: jobs/<job>.ts')
    .option('--queue-url <url>', "the deployed job's failure queue (stack output FailureQueueUrl); with --bucket, redrive in AWS")
    .option('--bucket <bucket>', "the deployed job's bucket (stack output BucketName)")
    .option('--stage <stage>', 'redrive the job deployed to this stage: the queue and bucket come from the outputs of its stack, sluice-<job>-<stage>')
    .option('--json', 'print the outcomes as JSON')
    .action(async (name: string, flags: RedriveFlags) => {
      const log = createCliLogger();
      const job = await loadJob(name, { jobsDir: flags.jobs });
      if ((flags.queueUrl === undefined) !== (flags.bucket === undefined)) {
        throw new UsageError('redrive in AWS needs both --queue-url and --bucket (the stack outputs FailureQueueUrl and BucketName), or --stage to read them from the stack; give none to redrive local runs');
      }
      const deployed =
        flags.queueUrl !== undefined
          ? { queueUrl: flags.queueUrl, bucket: flags.bucket! }
          : flags.stage !== undefined
            ? await deployedJob(new CloudFormationClient(flags.region === undefined ? {} : { region: flags.region }), jobStackName(job.name, flags.stage))
            : undefined;
      const report = (outcome: RedriveOutcome) => describe(outcome, log);
      const outcomes = deployed !== undefined ? await redriveDeployed(job, { ...flags, ...deployed }, report) : await redriveLocal(job, flags, report);
      if (flags.json) process.stdout.write(`${JSON.stringify({ job: job.name, outcomes })}\n`);
      const count = (status: RedriveStatus) => outcomes.filter((o) => o.status === status).length;
      log.info(
        `${outcomes.length} failed batches: ${count(RedriveStatus.Redriven)} redriven, ${count(RedriveStatus.AlreadyPresent)} already present, ` +
          `${count(RedriveStatus.Expired)} expired, ${count(RedriveStatus.Failed)} failed`,
      );
      if (count(RedriveStatus.Failed) > 0) process.exitCode = 1;
    });
}

function describe(outcome: RedriveOutcome, log: CliLogger): void {
  const line = `${outcome.shardId} ${outcome.first}..${outcome.last}: ${SAID[outcome.status]}${outcome.records === undefined ? '' : ` (${outcome.records} records)`}${outcome.error ? `: ${outcome.error}` : ''}`;
  if (outcome.status === RedriveStatus.Redriven || outcome.status === RedriveStatus.AlreadyPresent) log.success(line);
  else log.warn(line);
}

async function redriveLocal(job: Job, flags: RedriveFlags, onOutcome: (o: RedriveOutcome) => void): Promise<RedriveOutcome[]> {
  const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
  try {
    const { streamArn, functionArn } = localEventSource(job);
    const failures = new LocalFailureDestination({ dir: join(env.paths.failures, job.name), streamArn, functionArn });
    return await redrive({ job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures, onOutcome });
  } finally {
    await env.close();
  }
}

async function redriveDeployed(job: Job, flags: RedriveFlags, onOutcome: (o: RedriveOutcome) => void): Promise<RedriveOutcome[]> {
  const region = flags.region === undefined ? {} : { region: flags.region };
  const sqs = new SQSClient(region);
  const kinesis = createKinesisClient({ ...region, ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) });
  try {
    const options: RedriveOptions = {
      job,
      kinesis,
      store: new S3ObjectStore({ client: createS3Client(region), bucket: flags.bucket! }),
      catalog: new GlueCatalog({ client: createGlueClient(region) }),
      failures: new SqsFailureSource({ client: sqs, queueUrl: flags.queueUrl! }),
      onOutcome,
    };
    return await redrive(options);
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
}
