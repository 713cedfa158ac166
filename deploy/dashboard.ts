import type { Job } from '../src/job/define-job.ts';
import { COMPACTION_METRIC_READINGS } from '../src/observability/compaction-metrics.ts';
import { BatchMetric, JobDimension, MetricNamespace, MetricUnit, REJECT_STAGES, StageDimension } from '../src/observability/metric-names.ts';
import type { CfnResource, CfnValue } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link dashboardResource}: the alarms' thresholds, drawn as lines on the graphs
 * they alarm on, so a reader sees how close the job is to paging somebody.
 *
 * @example
 * ```ts
 * const options: DashboardOptions = { iteratorAgeSeconds: 300, freshnessSeconds: 900, compacted: true };
 * ```
 */
export interface DashboardOptions {
  readonly iteratorAgeSeconds: number;
  readonly freshnessSeconds: number;
  /** The stack has the compaction function: its outcomes get graphs. */
  readonly compacted: boolean;
}

/** One line of a graph: a metric, its dimensions and the statistic drawn. */
interface MetricLine {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly label?: string;
  /** Bytes beside counts: a second axis keeps both readable. */
  readonly yAxis?: 'right';
}

interface Widget {
  readonly title: string;
  readonly lines: readonly MetricLine[];
  /** A horizontal line at an alarm's threshold. */
  readonly threshold?: { readonly label: string; readonly value: number };
}

/** CloudWatch's own Lambda and SQS namespaces. */
const LAMBDA = 'AWS/Lambda';
const SQS = 'AWS/SQS';

/** EMF metrics are standard resolution: one minute is their finest period. */
const PERIOD_SECONDS = 60;
/** CloudWatch dashboards are 24 units wide: three graphs a row. */
const GRID = { width: 8, height: 6, perRow: 3 } as const;

/** A `${...}` of the body's Fn::Sub: a resource's Ref (or attribute), or a pseudo parameter. */
const sub = (name: string): string => `\${${name}}`;
const REGION = sub('AWS::Region');

/** A sluice metric of this job, as the handlers emit it: `service` = the job, and any further dimension given. */
const sluice = (job: Job, name: string, stat: string, extra: Pick<Partial<MetricLine>, 'dimensions' | 'label' | 'yAxis'> = {}): MetricLine => ({
  namespace: MetricNamespace,
  name,
  stat,
  ...extra,
  dimensions: { [JobDimension]: job.name, ...extra.dimensions },
});

/** A metric Lambda publishes for one function (`FunctionName` dimension). */
const lambda = (logicalId: string, name: string, stat: string, label?: string): MetricLine => ({
  namespace: LAMBDA,
  name,
  dimensions: { FunctionName: sub(logicalId) },
  stat,
  ...(label === undefined ? {} : { label }),
});

/**
 * Whether the job's batches carry event-time lag: only jobs partitioned by an event time
 * emit it (`pipeline/process-batch.ts`), so an arrival-hour job's graph would stay empty.
 */
const emitsEventTimeLag = (job: Job): boolean => job.output.partitionBy.kind !== 'arrival-hour';

function widgets(job: Job, options: DashboardOptions): readonly Widget[] {
  const lag = emitsEventTimeLag(job)
    ? [sluice(job, BatchMetric.EventTimeLag, 'p99', { label: 'event-time lag p99' }), sluice(job, BatchMetric.EventTimeLag, 'Maximum', { label: 'event-time lag max' })]
    : [];
  const compaction = Object.entries(COMPACTION_METRIC_READINGS);
  const compactionOf = (unit: MetricUnit) => compaction.filter(([, reading]) => reading.unit === unit).map(([name]) => sluice(job, name, 'Sum'));
  return [
    { title: 'Records in, rows out', lines: [BatchMetric.KinesisRecords, BatchMetric.Records, BatchMetric.Rows].map((name) => sluice(job, name, 'Sum')) },
    {
      title: 'Rejects, by stage',
      lines: [
        sluice(job, BatchMetric.Rejects, 'Sum', { label: 'all rejects' }),
        ...REJECT_STAGES.map((stage) => sluice(job, BatchMetric.Rejects, 'Sum', { label: stage, dimensions: { [StageDimension]: stage } })),
      ],
    },
    { title: 'Files and bytes written', lines: [sluice(job, BatchMetric.FilesWritten, 'Sum'), sluice(job, BatchMetric.BytesWritten, 'Sum', { yAxis: 'right' })] },
    { title: 'Partitions registered', lines: [sluice(job, BatchMetric.PartitionsRegistered, 'Sum')] },
    {
      title: 'Batch duration (ms)',
      lines: ['p50', 'p99', 'Maximum'].map((stat) => sluice(job, BatchMetric.BatchDuration, stat, { label: `batch duration ${stat}` })),
    },
    {
      title: 'Data freshness and event-time lag (ms)',
      lines: [sluice(job, BatchMetric.DataFreshness, 'p99', { label: 'data freshness p99' }), sluice(job, BatchMetric.DataFreshness, 'Maximum', { label: 'data freshness max' }), ...lag],
      threshold: { label: 'data freshness alarm', value: options.freshnessSeconds * 1000 },
    },
    {
      title: 'Iterator age (ms)',
      lines: [lambda(LogicalId.Function, 'IteratorAge', 'Maximum')],
      threshold: { label: 'iterator age alarm', value: options.iteratorAgeSeconds * 1000 },
    },
    { title: 'Function errors and throttles', lines: [lambda(LogicalId.Function, 'Errors', 'Sum'), lambda(LogicalId.Function, 'Throttles', 'Sum')] },
    { title: 'Function duration (ms)', lines: [lambda(LogicalId.Function, 'Duration', 'p99', 'duration p99'), lambda(LogicalId.Function, 'Duration', 'Maximum', 'duration max')] },
    { title: 'Concurrent executions', lines: [lambda(LogicalId.Function, 'ConcurrentExecutions', 'Maximum')] },
    {
      title: 'Failed batches waiting on the failure queue',
      lines: [{ namespace: SQS, name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: sub(`${LogicalId.FailureQueue}.QueueName`) }, stat: 'Maximum' }],
    },
    ...(options.compacted
      ? [
          { title: 'Compaction: partitions and files', lines: [...compactionOf(MetricUnit.Count), lambda(LogicalId.CompactionFunction, 'Errors', 'Sum', 'compaction errors')] },
          { title: 'Compaction: bytes', lines: compactionOf(MetricUnit.Bytes) },
        ]
      : []),
  ];
}

/** A line in the dashboard body's format: `[namespace, name, dim1, value1, ..., { rendering }]`. */
const metricArray = (line: MetricLine): unknown[] => [
  line.namespace,
  line.name,
  ...Object.entries(line.dimensions).flat(),
  { stat: line.stat, ...(line.label === undefined ? {} : { label: line.label }), ...(line.yAxis === undefined ? {} : { yAxis: line.yAxis }) },
];

/**
 * The job's CloudWatch dashboard: the metrics its handlers emit (names, namespace and
 * dimensions from `src/observability/metric-names.ts`, the same the handlers publish with)
 * next to Lambda's own for its function (iterator age, errors, throttles, duration,
 * concurrency), the failure queue's depth and the compaction runs' outcomes. Named after the
 * stack; the body is one `Fn::Sub`, so it names the functions, the queue and the region of
 * this deployment.
 *
 * @example
 * ```ts
 * const resources = { [LogicalId.Dashboard]: dashboardResource(job, { iteratorAgeSeconds: 300, freshnessSeconds: 900, compacted: true }) };
 * ```
 */
export function dashboardResource(job: Job, options: DashboardOptions): CfnResource {
  const body = {
    widgets: widgets(job, options).map((widget, i) => ({
      type: 'metric',
      x: (i % GRID.perRow) * GRID.width,
      y: Math.floor(i / GRID.perRow) * GRID.height,
      width: GRID.width,
      height: GRID.height,
      properties: {
        title: widget.title,
        region: REGION,
        view: 'timeSeries',
        stacked: false,
        period: PERIOD_SECONDS,
        metrics: widget.lines.map(metricArray),
        ...(widget.threshold === undefined ? {} : { annotations: { horizontal: [widget.threshold] } }),
      },
    })),
  };
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: { 'Fn::Sub': sub('AWS::StackName') },
      DashboardBody: { 'Fn::Sub': JSON.stringify(body) },
    },
  };
}

/**
 * The dashboard's address in the CloudWatch console, for the stack's outputs.
 *
 * @example
 * ```ts
 * Outputs: { DashboardUrl: { Value: dashboardUrl(), Description: 'The job on one page' } }
 * ```
 */
export function dashboardUrl(): CfnValue {
  return { 'Fn::Sub': `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=${sub(LogicalId.Dashboard)}` };
}
