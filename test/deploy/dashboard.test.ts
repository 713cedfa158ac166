import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { dashboardResource } from '../../deploy/dashboard.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { arrivalHour, defineJob, kinesisStream, table } from '../../src/index.ts';
import { BatchMetric } from '../../src/observability/metric-names.ts';

/**
 * The dashboard's layout and the lines that depend on the job. Which metrics it names, against
 * what the packaged handlers really emit, is checked by the package test (package.test.ts).
 */

interface Widget {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly title: string; readonly metrics: unknown[][] };
}

const widgetsOf = (resource: ReturnType<typeof dashboardResource>): Widget[] =>
  (JSON.parse((resource.Properties!['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub']) as { widgets: Widget[] }).widgets;

const Row = z.object({ id: z.string() });
const arrivalTimed = defineJob({
  name: 'arrival-timed',
  source: kinesisStream({ stream: 'events', records: Row }),
  steps: (s) => s,
  output: table({ database: 'lake', name: 'events', rows: Row, partitionBy: arrivalHour() }),
});

const options = { iteratorAgeSeconds: 300, freshnessSeconds: 900, compacted: true };
const metricNames = (widgets: readonly Widget[]) => widgets.flatMap((w) => w.properties.metrics.map((line) => line[1]));

describe('dashboardResource', () => {
  it('tiles its graphs on the 24-unit grid without overlap', () => {
    const widgets = widgetsOf(dashboardResource(sensorReadings, options));
    const cells = new Set<string>();
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`), `${w.properties.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('charts event-time lag only for a job partitioned by event time: no other job emits it', () => {
    expect(metricNames(widgetsOf(dashboardResource(sensorReadings, options)))).toContain(BatchMetric.EventTimeLag);
    const names = metricNames(widgetsOf(dashboardResource(arrivalTimed, options)));
    expect(names).not.toContain(BatchMetric.EventTimeLag);
    expect(names).toContain(BatchMetric.DataFreshness);
  });
});
