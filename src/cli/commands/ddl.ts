import type { Command } from 'commander';
import { athenaDdl } from '../../catalog/athena-ddl.ts';
import { glueTableInput } from '../../catalog/glue-table-input.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { assertOwnsItsTable } from '../../runtime/jobs-folder.ts';
import { athenaViewDdl } from '../../aggregate/athena-view-ddl.ts';
import { rejectsTableDescriptor, tableDescriptor } from '../../runtime/table-descriptor.ts';

/**
 * `sluice ddl <job> --bucket <bucket>`: the Athena `CREATE EXTERNAL TABLE` of the job's
 * table and of its rejects table (`<table>_rejects`, JSON lines), matching the Glue tables its
 * stack creates; for an aggregate job, followed by the `CREATE OR REPLACE VIEW` of its merged view.
 */
export function registerDdl(program: Command): void {
  program
    .command('ddl')
    .description("print the Athena CREATE EXTERNAL TABLE of the job's table (with partition projection properties when the table uses it), and an aggregate job's merged view")
    .argument('<job>', 'job name: jobs/<job>.ts')
    .requiredOption('--bucket <bucket>', 'the bucket the job writes to (the stack output SluiceBucket)')
    .action(async (name: string, flags: { jobs: string; bucket: string }) => {
      const job = await loadJob(name, { jobsDir: flags.jobs });
      await assertOwnsItsTable(job, { jobsDir: flags.jobs });
      const { output } = job;
      const input = glueTableInput(tableDescriptor(job, { locationOf: (key) => `s3://${flags.bucket}/${key}` }), {
        compression: output.compression,
        ...(output.projection ? { projection: output.projection } : {}),
      });
      const ddl = athenaDdl(output.database, input);
      const rejects = athenaDdl(output.database, glueTableInput(rejectsTableDescriptor(job, { locationOf: (key) => `s3://${flags.bucket}/${key}` })));
      const view = athenaViewDdl(job);
      // athenaDdl ends its statement; the view's DDL does not.
      process.stdout.write(`${[ddl, rejects, ...(view === undefined ? [] : [`${view};`])].join('\n\n')}\n`);
    });
}
