import type { ProjectedKey, ProjectionOptions } from '../job/table.ts';

/**
 * Athena partition projection properties for a table partitioned
 * `year=YYYY/month=MM/day=DD/hour=HH[/<key>=<value>...]`. The time keys are zero-padded
 * integers (`digits`), so projected values match the folders sluice writes.
 */
const TIME_KEY_RANGES: ReadonlyArray<readonly [key: string, range: (p: ProjectionOptions) => string, digits: number]> = [
  ['year', (p) => `${p.years.from},${p.years.to}`, 4],
  ['month', () => '1,12', 2],
  ['day', () => '1,31', 2],
  ['hour', () => '0,23', 2],
];

const extraKeyProperties: { readonly [K in ProjectedKey['type']]: (key: string, p: Extract<ProjectedKey, { type: K }>) => Record<string, string> } = {
  enum: (key, p) => ({ [`projection.${key}.type`]: 'enum', [`projection.${key}.values`]: p.values.join(',') }),
  injected: (key) => ({ [`projection.${key}.type`]: 'injected' }),
};

/**
 * Table properties that turn on partition projection (Glue `Parameters`, Athena `TBLPROPERTIES`).
 *
 * @example
 * ```ts
 * projectionProperties({ years: { from: 2024, to: 2030 } }, { location: 's3://b/iot/t', partitionKeys: [] });
 * // { 'projection.enabled': 'true', 'projection.year.type': 'integer', 'projection.year.range': '2024,2030', ...,
 * //   'storage.location.template': 's3://b/iot/t/year=${year}/month=${month}/day=${day}/hour=${hour}' }
 * ```
 */
export function projectionProperties(
  projection: ProjectionOptions,
  table: { readonly location: string; readonly partitionKeys: readonly string[] },
): Record<string, string> {
  const properties: Record<string, string> = { 'projection.enabled': 'true' };
  for (const [key, range, digits] of TIME_KEY_RANGES) {
    properties[`projection.${key}.type`] = 'integer';
    properties[`projection.${key}.range`] = range(projection);
    properties[`projection.${key}.digits`] = String(digits);
  }
  for (const key of table.partitionKeys) {
    const projected = projection.keys?.[key];
    if (projected) Object.assign(properties, (extraKeyProperties[projected.type] as (k: string, p: ProjectedKey) => Record<string, string>)(key, projected));
  }
  const path = [...TIME_KEY_RANGES.map(([key]) => key), ...table.partitionKeys].map((key) => `${key}=\${${key}}`).join('/');
  properties['storage.location.template'] = `${table.location.replace(/\/$/, '')}/${path}`;
  return properties;
}
