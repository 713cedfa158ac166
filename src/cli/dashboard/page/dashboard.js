// The sluice dashboard page: polls the server's JSON API and draws it with uPlot.
// Every value from the API (reject reasons, raw records, device names, SQL results) reaches
// the DOM as text (textContent, createElement), never as markup; the server's
// Content-Security-Policy enforces Trusted Types, so an HTML sink given a string would throw.
import uPlot from '/vendor/uPlot.esm.js';

const API_HEADERS = { 'x-sluice': '1' };
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Series in one SQL chart at most: more lines than this are unreadable anyway. */
const MAX_SERIES = 40;
/** Rows shown in the SQL panel's table. */
const SHOWN_ROWS = 200;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

const state = {
  /** @type {any} */ overview: null,
  /** @type {string | null} */ job: null,
  /** @type {string | null} */ version: null,
  /** The last query run, re-run as batches commit (not the text being edited). */
  query: { sql: '', x: '', group: '' },
  /** @type {Map<string, { key: string, labels: string, plot: any }>} */ charts: new Map(),
  /** @type {Map<string, string>} */ drawn: new Map(),
};

const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** An element with text and attributes; children appended as given. */
function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.text !== undefined) node.textContent = String(options.text);
  if (options.className) node.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...API_HEADERS, ...(init.headers ?? {}) } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
/** Exact enough to compare with SQL, without float noise (0.1 + 0.2). */
const exact = (value) => String(Number(value.toPrecision(12)));

function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${i === 0 ? n : decimal.format(n)} ${units[i]}`;
}

function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${decimal.format(ms / 1000)} s`;
  if (ms < 3_600_000) return `${decimal.format(ms / 60_000)} min`;
  return `${decimal.format(ms / 3_600_000)} h`;
}

/** Replaces a table's rows: a header row of `head` and one row per item of `rows` (arrays of cells). */
function fillTable(table, head, rows) {
  const thead = el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h }))));
  const tbody = el('tbody');
  for (const cells of rows) {
    tbody.append(el('tr', {}, ...cells.map((cell) => (cell instanceof Node ? el('td', {}, cell) : el('td', { text: cell ?? '' })))));
  }
  table.replaceChildren(thead, tbody);
}

// ---- charts ------------------------------------------------------------------------------

/**
 * Draws (or updates) a uPlot chart in a container, only when its data changed: the same
 * series are updated in place, a different set of series makes a new chart.
 */
function drawChart(id, { xs, series, time, xLabels = null, yLabel, stepped = false, gaps = 'span' }) {
  const container = byId(id);
  const key = JSON.stringify([xs, series, xLabels]);
  const labels = JSON.stringify([time, series.map((s) => s.label), xLabels]);
  const existing = state.charts.get(id);
  if (existing && existing.key === key) return;
  const data = [xs, ...series.map((s) => s.values)];
  if (existing && existing.labels === labels) {
    existing.plot.setData(data);
    existing.key = key;
  } else {
    existing?.plot.destroy();
    container.replaceChildren();
    const options = {
      width: Math.max(container.clientWidth, 300),
      height: container.classList.contains('tall') ? 340 : 220,
      scales: { x: { time } },
      series: [
        xLabels ? { label: 'x', value: (_u, v) => (v == null ? '--' : (xLabels[v] ?? '')) } : { label: time ? 'time' : 'x' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          // Lag exists only where a batch committed: a line across a pause would invent values.
          spanGaps: gaps === 'span',
          points: { show: gaps === 'points' || xs.length < 60 },
          ...(stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
        })),
      ],
      axes: [
        xLabels ? { space: 80, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (xLabels[t] ?? '') : '')) } : { space: 80 },
        { label: yLabel, size: 60 },
      ],
    };
    state.charts.set(id, { key, labels, plot: new uPlot(options, data, container) });
  }
  container.dataset.rendered = String(Number(container.dataset.rendered ?? '0') + 1);
  container.dataset.series = String(series.length);
}

function clearChart(id, message) {
  const existing = state.charts.get(id);
  existing?.plot.destroy();
  state.charts.delete(id);
  const container = byId(id);
  container.replaceChildren(el('p', { className: 'empty', text: message }));
  container.dataset.series = '0';
}

new ResizeObserver(() => {
  for (const [id, chart] of state.charts) chart.plot.setSize({ width: Math.max(byId(id).clientWidth, 300), height: chart.plot.height });
}).observe(document.body);

// ---- the SQL panel -----------------------------------------------------------------------

/** A query result as chart series: x (time, number or category), one series per group and value column. */
function resultSeries(result, spec) {
  const { columns, rows } = result;
  const x = columns.includes(spec.x) ? spec.x : columns[0];
  const group = spec.group && columns.includes(spec.group) && spec.group !== x ? spec.group : '';
  const valueColumns = columns.filter(
    (c) => c !== x && c !== group && rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === null || typeof r[c] === 'number'),
  );
  if (x === undefined || valueColumns.length === 0 || rows.length === 0) return undefined;
  const rawXs = rows.map((r) => r[x]);
  const time = rawXs.every((v) => v === null || (typeof v === 'string' && ISO_TIME.test(v) && Number.isFinite(Date.parse(v))));
  const numeric = !time && rawXs.every((v) => v === null || typeof v === 'number');
  const categories = time || numeric ? null : [...new Set(rawXs.map((v) => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v))))];
  const xOf = (v) => (time ? Date.parse(v) / 1000 : numeric ? v : categories.indexOf(v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v)));

  const xs = [...new Set(rows.filter((r) => r[x] !== null).map((r) => xOf(r[x])))].sort((a, b) => a - b);
  const index = new Map(xs.map((v, i) => [v, i]));
  const groups = group ? [...new Set(rows.map((r) => String(r[group])))].sort() : [''];
  const all = [];
  for (const g of groups) {
    for (const v of valueColumns) {
      all.push({ label: group ? (valueColumns.length > 1 ? `${g} · ${v}` : g) : v, group: g, column: v, values: new Array(xs.length).fill(null) });
    }
  }
  const find = new Map(all.map((s) => [`${s.group}\u0000${s.column}`, s]));
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    if (row[x] === null) continue;
    const at = index.get(xOf(row[x]));
    for (const v of valueColumns) {
      const value = row[v];
      if (typeof value !== 'number') continue;
      find.get(`${group ? String(row[group]) : ''}\u0000${v}`).values[at] = value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  return { xs, series: all, time, xLabels: categories, min, max, yLabel: valueColumns.join(', ') };
}

function fillColumnSelect(select, columns, chosen, { allowNone }) {
  const options = [...(allowNone ? [el('option', { text: '(none)', attrs: { value: '' } })] : []), ...columns.map((c) => el('option', { text: c, attrs: { value: c } }))];
  select.replaceChildren(...options);
  select.value = columns.includes(chosen) ? chosen : allowNone ? '' : (columns[0] ?? '');
}

function renderQuery(result) {
  const xSelect = /** @type {HTMLSelectElement} */ (byId('x-column'));
  const groupSelect = /** @type {HTMLSelectElement} */ (byId('group-column'));
  fillColumnSelect(xSelect, result.columns, state.query.x, { allowNone: false });
  fillColumnSelect(groupSelect, result.columns, state.query.group, { allowNone: true });
  const drawn = resultSeries(result, { x: xSelect.value, group: groupSelect.value });
  const [seriesText, minText, maxText, rowsText] = byId('sql-summary').children;
  rowsText.textContent = `${integer.format(result.totalRows)} rows${result.truncated ? ` (first ${integer.format(result.rows.length)} charted)` : ''}`;
  if (drawn === undefined) {
    clearChart('sql-chart', 'nothing to chart: the result needs a numeric column besides x (and group by)');
    seriesText.textContent = '0 series';
    minText.textContent = '';
    maxText.textContent = '';
  } else {
    const shown = drawn.series.slice(0, MAX_SERIES);
    drawChart('sql-chart', { xs: drawn.xs, series: shown, time: drawn.time, xLabels: drawn.xLabels, yLabel: drawn.yLabel });
    seriesText.textContent = `${drawn.series.length} series${drawn.series.length > shown.length ? ` (${shown.length} drawn)` : ''}`;
    minText.textContent = `min ${exact(drawn.min)}`;
    maxText.textContent = `max ${exact(drawn.max)}`;
  }
  fillTable(
    byId('sql-table'),
    result.columns,
    result.rows.slice(0, SHOWN_ROWS).map((row) => result.columns.map((c) => (row[c] === null ? 'NULL' : typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c])))),
  );
}

async function runQuery() {
  const error = byId('query-error');
  try {
    const result = await api('/api/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: state.query.sql }) });
    error.hidden = true;
    renderQuery(result);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
}

byId('query-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.query = {
    sql: /** @type {HTMLTextAreaElement} */ (byId('sql')).value,
    x: /** @type {HTMLSelectElement} */ (byId('x-column')).value,
    group: /** @type {HTMLSelectElement} */ (byId('group-column')).value,
  };
  void runQuery();
});
for (const id of ['x-column', 'group-column']) {
  byId(id).addEventListener('change', () => {
    state.query.x = /** @type {HTMLSelectElement} */ (byId('x-column')).value;
    state.query.group = /** @type {HTMLSelectElement} */ (byId('group-column')).value;
    void runQuery();
  });
}

// ---- the pipeline panels -----------------------------------------------------------------

function renderJobs() {
  const nav = byId('jobs');
  nav.replaceChildren(
    ...state.overview.jobs.map((job) => {
      const button = el('button', { text: job.name, className: job.name === state.job ? 'job selected' : 'job', attrs: { type: 'button', title: `${job.stream} -> ${job.view ?? job.table}` } });
      button.addEventListener('click', () => {
        state.job = job.name;
        state.drawn.clear();
        renderJobs();
        void refresh({ force: true });
      });
      return button;
    }),
  );
}

function card(label, value, testId) {
  return el('div', { className: 'card' }, el('span', { className: 'card-value', text: value, attrs: testId ? { 'data-testid': testId } : {} }), el('span', { className: 'card-label', text: label }));
}

/** Redraws a part only when what it shows changed, so polling costs no layout while nothing commits. */
function changed(part, value) {
  const key = JSON.stringify(value);
  if (state.drawn.get(part) === key) return false;
  state.drawn.set(part, key);
  return true;
}

function renderStatus(summary) {
  const problems = byId('problems');
  const messages = [...state.overview.problems, ...(summary.statusError ? [`status unavailable: ${summary.statusError}`] : [])];
  problems.textContent = messages.join('\n');
  problems.hidden = messages.length === 0;
  const job = summary.status?.jobs.find((j) => j.job === state.job);
  if (!changed('status', job ?? null)) return;
  if (!job) {
    byId('cards').replaceChildren(el('p', { className: 'empty', text: 'no status for this job yet' }));
    return;
  }
  byId('job-title').textContent = `Pipeline ${job.job}: ${job.stream} → ${job.table}`;
  const compaction = job.lastCompaction ? new Date(job.lastCompaction.at).toLocaleString() : 'never';
  byId('cards').replaceChildren(
    card('rows', integer.format(job.rows), 'rows'),
    card('rejects', integer.format(job.rejects), 'rejects'),
    card('partitions', integer.format(job.partitions), 'partitions'),
    card('files', `${integer.format(job.files)} (${formatBytes(job.bytes)})`, 'files'),
    card('small files', integer.format(job.smallFiles), 'small-files'),
    card('last compaction', compaction),
    card('shards stuck', job.stuck ? 'yes' : 'no'),
  );
  fillTable(
    byId('shards-table'),
    ['shard', 'state', 'behind (records)', 'behind (time)', 'last commit', 'records/s (last min)', 'batches', 'error'],
    job.shards.map((s) => [
      s.shardId,
      s.state,
      `${integer.format(s.behindRecords)}${s.behindAtLeast ? '+' : ''}`,
      formatDuration(s.behindMs),
      s.lastCommitAt ? new Date(s.lastCommitAt).toLocaleTimeString() : '—',
      decimal.format(s.recordsPerSecond),
      integer.format(s.batches),
      s.error ? `${s.error.attempts} attempts: ${s.error.message}` : '',
    ]),
  );
  fillTable(
    byId('reasons-table'),
    ['stage', 'count', 'reason'],
    job.topReasons.map((r) => [r.stage, integer.format(r.count), r.reason]),
  );
  renderReject(job.latestReject);
}

function renderReject(sample) {
  const meta = byId('reject-meta');
  if (!sample) {
    meta.replaceChildren(el('p', { className: 'empty', text: 'no rejects' }));
    byId('reject-raw').textContent = '';
    byId('reject-hex').textContent = '';
    return;
  }
  const fields = [
    ['stage', sample.stage],
    ['reason', sample.reason],
    ['shard', sample.shardId],
    ['sequence', sample.sequenceNumber],
    ['partition key', sample.partitionKey],
    ['arrived', sample.arrivalTime],
    ['size', `${integer.format(sample.raw.bytes)} bytes${sample.raw.truncated ? ' (start shown)' : ''}`],
  ];
  meta.replaceChildren(...fields.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  byId('reject-raw').textContent = sample.raw.text;
  byId('reject-hex').textContent = sample.hex.replace(/(..)/g, '$1 ').trim();
}

function renderSeries(series) {
  const bucketSeconds = series.bucketMs / 1000;
  if (series.times.length === 0) {
    clearChart('throughput-chart', 'no batch committed yet');
    clearChart('lag-chart', 'no batch committed yet');
    byId('throughput-summary').textContent = '';
    byId('lag-summary').textContent = '';
  } else {
    drawChart('throughput-chart', {
      xs: series.times,
      series: series.shards.map((s) => ({ label: s.shardId, values: s.recordsPerSecond })),
      time: true,
      yLabel: 'records/s',
      stepped: true,
    });
    const total = series.shards.reduce((n, s) => n + s.recordsPerSecond.reduce((m, r) => m + r * bucketSeconds, 0), 0);
    const peak = Math.max(...series.shards.flatMap((s) => s.recordsPerSecond));
    byId('throughput-summary').replaceChildren(
      el('span', { text: `${series.shards.length} shards`, attrs: { 'data-testid': 'throughput-shards' } }),
      el('span', { text: `${integer.format(total)} records`, attrs: { 'data-testid': 'throughput-records' } }),
      el('span', { text: `peak ${integer.format(peak)} records/s` }),
      el('span', { text: `${bucketSeconds} s buckets` }),
    );
    drawChart('lag-chart', {
      xs: series.times,
      series: series.shards.map((s) => ({ label: s.shardId, values: s.freshnessSeconds })),
      time: true,
      yLabel: 'seconds',
      gaps: 'points',
    });
    const worst = Math.max(0, ...series.shards.flatMap((s) => s.freshnessSeconds.filter((v) => v !== null)));
    byId('lag-summary').textContent = `worst ${formatDuration(worst * 1000)} from arrival to commit`;
  }
  if (series.rejects.length === 0) {
    clearChart('rejects-chart', 'no rejects');
    byId('rejects-summary').textContent = '';
  } else {
    drawChart('rejects-chart', {
      xs: series.times,
      series: series.rejects.map((r) => ({ label: r.stage, values: r.counts })),
      time: true,
      yLabel: `rejects per ${bucketSeconds} s`,
      stepped: true,
    });
    byId('rejects-summary').textContent = series.rejects.map((r) => `${r.stage} ${integer.format(r.counts.reduce((a, b) => a + b, 0))}`).join(' · ');
  }
}

function renderFiles(files) {
  const widest = Math.max(1, ...files.partitions.map((p) => p.files));
  byId('files-summary').replaceChildren(
    el('span', { text: `${integer.format(files.partitions.length)} partitions` }),
    el('span', { text: `${integer.format(files.files)} files (${formatBytes(files.bytes)})` }),
    el('span', { text: `${integer.format(files.smallFiles)} small files`, attrs: { 'data-testid': 'small-files-total' } }),
    el('span', { text: `small: under ${formatBytes(files.smallFileBytes)}, in a partition of more than one file` }),
  );
  fillTable(
    byId('files-table'),
    ['partition', 'files', '', 'small', 'bytes', 'read from', 'waiting'],
    files.partitions.map((p) => {
      const bar = el('span', { className: 'bar' }, el('span', { className: 'bar-small' }));
      // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
      bar.style.width = `${(100 * p.files) / widest}%`;
      /** @type {HTMLElement} */ (bar.firstChild).style.width = `${p.files === 0 ? 0 : (100 * p.smallFiles) / p.files}%`;
      return [p.path, integer.format(p.files), bar, integer.format(p.smallFiles), formatBytes(p.bytes), p.registered ? (p.compacted ? 'compacted' : 'base') : 'not registered', p.waitingFiles ? integer.format(p.waitingFiles) : ''];
    }),
  );
}

async function refreshJob() {
  if (!state.job) return;
  const detail = await api(`/api/jobs/${encodeURIComponent(state.job)}`);
  if (changed('series', detail.series)) renderSeries(detail.series);
  if (changed('files', detail.files)) renderFiles(detail.files);
}

// ---- polling -----------------------------------------------------------------------------

async function refresh({ force }) {
  const summary = await api('/api/summary');
  renderStatus(summary);
  const moved = summary.version !== state.version;
  state.version = summary.version;
  if (moved || force) await Promise.all([refreshJob(), moved && state.query.sql ? runQuery() : undefined]);
  byId('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  byId('live-dot').className = 'dot on';
  document.body.dataset.version = summary.version;
}

async function poll() {
  try {
    await refresh({ force: false });
  } catch (error) {
    byId('updated').textContent = `disconnected: ${error.message}`;
    byId('live-dot').className = 'dot off';
  }
  setTimeout(poll, state.overview.refreshMs);
}

async function start() {
  state.overview = await api('/api/overview');
  const initial = state.overview.defaultQuery;
  const viewOfDefault = state.overview.jobs.find((j) => initial.sql.includes(j.view ?? j.table));
  state.job = viewOfDefault?.name ?? state.overview.jobs[0]?.name ?? null;
  state.query = { sql: initial.sql, x: initial.chart.kind === 'chart' ? initial.chart.x : '', group: initial.chart.kind === 'chart' ? (initial.chart.group ?? '') : '' };
  /** @type {HTMLTextAreaElement} */ (byId('sql')).value = initial.sql;
  renderJobs();
  // The first poll sees a new version and runs the query.
  await poll();
}

start().catch((error) => {
  byId('updated').textContent = `cannot start: ${error.message}`;
});
