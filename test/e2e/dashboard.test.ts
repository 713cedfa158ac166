/**
 * `sluice dashboard` end to end, as a user sees it: data produced and run through the CLI
 * (with a rejected record whose bytes hold a <script> element), the dashboard started as a
 * separate process, the page opened in headless Chromium (Debian's, see test/setup/chromium.ts).
 * The values the page shows are compared with DuckDB reading the same Parquet files directly,
 * the hostile bytes must appear as text and never run, the page must follow a later run
 * without a reload, and a screenshot is saved for the README.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_WAIT_MS, launchChromium, type TestBrowser } from '../helpers/chromium.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'sluice.js');
/** Where the README's picture of the dashboard comes from: rewritten by every run of this test. */
const SCREENSHOT = join(ROOT, 'docs', 'dashboard.png');

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '<img src=x onerror=window.__pwned=2>';

let work: string;
let dir: string;
let browser: TestBrowser | undefined;
let dashboard: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-dashboard-'));
  dir = join(work, 'state');
  browser = await launchChromium();
}, CHROMIUM_WAIT_MS);

afterAll(async () => {
  if (dashboard && dashboard.exitCode === null && dashboard.signalCode === null) {
    const closed = new Promise((done) => dashboard!.once('close', done));
    dashboard.kill('SIGTERM');
    await closed;
  }
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const sluiceArgs = (args: readonly string[]) => [BIN, '--dir', dir, '--jobs', join(ROOT, 'jobs'), ...args];

function sluice(args: readonly string[]): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, sluiceArgs(args), { cwd: work, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function ok(args: readonly string[]): Promise<string> {
  const finished = await sluice(args);
  expect(finished.code, finished.stderr).toBe(0);
  return finished.stdout;
}

/** Starts `sluice dashboard` and resolves with the URL it prints on stdout. */
function startDashboard(): Promise<string> {
  const child = spawn(process.execPath, sluiceArgs(['dashboard', '--port', '0', '--no-open']), { cwd: work, env: { ...process.env, CI: '1' } });
  dashboard = child;
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout)?.[1];
      if (url) done(url);
    });
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`sluice dashboard exited with ${code} before printing its URL:\n${stderr}`)));
  });
}

/** What DuckDB reads from the table's Parquet files directly, the page's default chart computed independently. */
async function fromParquet(): Promise<{ devices: number; minTemp: number; maxTemp: number; rows: number; files: number }> {
  const table = join(dir, 'warehouse', 'iot', 'sensor_readings');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    const source = `read_parquet('${table}/**/*.parquet', hive_partitioning = true)`;
    const reader = await connection.runAndReadAll(`
      SELECT count(DISTINCT device_id)::INTEGER AS devices, min(t) AS min_temp, max(t) AS max_temp,
             (SELECT count(*) FROM ${source})::INTEGER AS n
      FROM (SELECT time_bucket(INTERVAL 5 MINUTE, event_time) AS b, device_id, round(avg(temperature_c), 2) AS t FROM ${source} GROUP BY b, device_id)`);
    const [row] = reader.getRowObjectsJson() as Array<{ devices: number; min_temp: number; max_temp: number; n: number }>;
    const files = (await readdir(table, { recursive: true })).filter((f) => String(f).endsWith('.parquet')).length;
    return { devices: row!.devices, minTemp: Number(row!.min_temp), maxTemp: Number(row!.max_temp), rows: row!.n, files };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const text = async (page: Page, testId: string): Promise<string> => (await page.getByTestId(testId).first().textContent()) ?? '';
/** Waits (Playwright's locator waits, on the page's own updates) until the element with this test id shows matching text. */
const waitForText = (page: Page, testId: string, pattern: RegExp): Promise<void> => page.getByTestId(testId).filter({ hasText: pattern }).first().waitFor();
const numberIn = (s: string): number => Number(/-?[\d,]+(\.\d+)?/.exec(s)?.[0]?.replaceAll(',', ''));

/** A raw HTTP request with any Host header (fetch does not let a caller set it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, fail) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('sluice dashboard', () => {
  it('shows the run\'s real numbers, hostile bytes as text, follows a new run, and refuses foreign requests', async () => {
    // 1. Data, as a user makes it: a simulated fleet, a reject whose reason carries markup, then one whose bytes are a script.
    await ok(['produce', '--job', 'sensor-readings', '--simulate', 'sense-hat', '--devices', '6', '--records', '3000', '--hours', '2',
      '--start', '2026-11-20T00:00:00Z', '--malformed', '0.01', '--create', '--shards', '2']);
    // Ten of them, so the reason is among the top five the page lists.
    const badTime = (count: number) => JSON.stringify({ client_id: 'rpi-x', timestamp: IMG, humidity: 50, temperature: 20, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count });
    await writeFile(join(work, 'bad-time.ndjson'), `${Array.from({ length: 10 }, (_, i) => badTime(i)).join('\n')}\n`);
    await ok(['produce', '--stream', 'iot-sensor', '--file', join(work, 'bad-time.ndjson')]);
    // Not UTF-8 (the trailing 0xff), so a utf8 reject; the newest record, so the page's sample.
    await writeFile(join(work, 'script.b64'), `${Buffer.concat([Buffer.from(SCRIPT), Buffer.from([0xff])]).toString('base64')}\n`);
    await ok(['produce', '--stream', 'iot-sensor', '--file', join(work, 'script.b64'), '--base64']);
    const run = JSON.parse(await ok(['run', 'sensor-readings', '--until-caught-up', '--batch-size', '250', '--json'])) as { records: number; rows: number; rejects: number };
    expect(run.records).toBe(3011);

    // 2. The dashboard as its own process, the page in Chromium.
    const url = await startDashboard();
    const page = await browser!.context.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('request', (req) => !req.url().startsWith(url) && !req.url().startsWith('data:') && foreign.push(req.url()));
    await page.goto(url);

    // 3. The default chart: average temperature per device per 5 minutes, against DuckDB over the files.
    const truth = await fromParquet();
    await page.locator('#sql-chart canvas').waitFor();
    await waitForText(page, 'sql-max', /^max /);
    expect(numberIn(await text(page, 'sql-series'))).toBe(truth.devices);
    expect(truth.devices).toBe(6);
    expect(numberIn(await text(page, 'sql-max'))).toBe(truth.maxTemp);
    expect(numberIn(await text(page, 'sql-min'))).toBe(truth.minTemp);
    expect(await page.locator('#sql-chart').getAttribute('data-series')).toBe('6');

    // 4. The pipeline panels: totals from the status, throughput per shard from the metrics log.
    await page.locator('#throughput-chart canvas').waitFor();
    await page.getByTestId('rows').waitFor();
    expect(numberIn(await text(page, 'rows'))).toBe(truth.rows);
    expect(numberIn(await text(page, 'rows'))).toBe(run.rows);
    expect(numberIn(await text(page, 'rejects'))).toBe(run.rejects);
    expect(numberIn(await text(page, 'files'))).toBe(truth.files);
    expect(await text(page, 'throughput-shards')).toBe('2 shards');
    expect(numberIn(await text(page, 'throughput-records'))).toBe(run.records);
    const shardRows = await page.locator('#shards-table tbody tr td:first-child').allTextContents();
    expect(shardRows).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(await page.locator('#files-table tbody tr').count()).toBe(2);

    // 5. Hostile bytes: the script is shown as text, with the invalid byte escaped, and never runs.
    const raw = await page.locator('#reject-raw').textContent();
    expect(raw).toBe(`${SCRIPT}\\xff`);
    expect(await page.locator('#reject-raw script, main script').count()).toBe(0);
    expect(await page.locator('#reasons-table').textContent()).toContain(IMG);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');

    // 6. Live: a later run (beside the open page) adds a hot device; the page follows without a reload.
    const late = JSON.stringify({ client_id: 'rpi-late', timestamp: '2026-11-20 00:30:00', humidity: 50, temperature: 55.5, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count: 1 });
    await writeFile(join(work, 'late.ndjson'), `${late}\n`);
    await ok(['produce', '--stream', 'iot-sensor', '--file', join(work, 'late.ndjson')]);
    await ok(['run', 'sensor-readings', '--until-caught-up']);
    await waitForText(page, 'sql-series', /^7 series$/);
    const after = await fromParquet();
    expect(after.maxTemp).toBe(55.5);
    expect(numberIn(await text(page, 'sql-max'))).toBe(after.maxTemp);
    await waitForText(page, 'rows', new RegExp(`^${after.rows.toLocaleString('en-US')}$`));
    await waitForText(page, 'throughput-records', /^3,012 records$/);

    // 7. Nothing but the dashboard was loaded (no CDN), and nothing went wrong on the page.
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await mkdir(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // 8. The server refuses what a foreign page could send: another Host (DNS rebinding), an API call without the header.
    const port = new URL(url).port;
    expect((await rawGet(url, { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await rawGet(`${url}api/summary`, { host: `127.0.0.1:${port}` })).status).toBe(403);
    expect((await rawGet(`${url}api/summary`, { host: `localhost:${port}`, 'x-sluice': '1' })).status).toBe(200);
    const query = await fetch(`${url}api/query`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'SELECT 1' });
    expect(query.status).toBe(403);
    const csp = String((await rawGet(url, { host: `127.0.0.1:${port}` })).headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain('unsafe');
  }, 120_000);
});
