/**
 * The child process of the cold-start and memory measurements, bundled to plain JavaScript
 * so no TypeScript loader inflates its start: `node invoke-child.mjs <bundle> <event.json>
 * <invocations>`. It loads the Lambda bundle, reads the event as the Lambda runtime would
 * hand it over (JSON text), invokes the handler, and prints one JSON line of marks when the
 * first batch is written (and, with more invocations, when all are).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface LambdaBundle {
  handler: (event: unknown) => Promise<{ batchItemFailures: unknown[] }>;
  initParquet: () => void;
}

/** Resident set size and its high-water mark from the kernel, in MB (decimal). */
function memory(): { rssMb: number; hwmMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: (kb('VmRSS') * 1024) / 1e6, hwmMb: (kb('VmHWM') * 1024) / 1e6 };
}

/** CPU time of the whole process so far (every thread: V8 compiles wasm and collects garbage off the main one). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// performance.now() counts from the process's time origin: this first mark is Node's own boot.
const booted = performance.now();
const [bundlePath, eventPath, invocationsArg] = process.argv.slice(2);
if (!bundlePath || !eventPath) throw new Error('usage: invoke-child <bundle.mjs> <event.json> [invocations]');
const invocations = Number(invocationsArg ?? 1);
const atBoot = memory();

const bundle = (await import(pathToFileURL(bundlePath).href)) as LambdaBundle;
const loaded = performance.now();
const atLoad = memory();
const event = JSON.parse(readFileSync(eventPath, 'utf8')) as unknown;
const eventRead = performance.now();
bundle.initParquet();
const wasmReady = performance.now();

const batchMs: number[] = [];
let hwmAfterFirstMb = 0;
let firstCpuMs = 0;
for (let i = 0; i < invocations; i++) {
  const start = performance.now();
  const answer = await bundle.handler(event);
  if (answer.batchItemFailures.length > 0) throw new Error(`invocation ${i + 1} failed its batch`);
  batchMs.push(performance.now() - start);
  if (i === 0) {
    hwmAfterFirstMb = memory().hwmMb;
    firstCpuMs = cpuMs();
  }
}
const done = performance.now();
const end = memory();

process.stdout.write(
  `${JSON.stringify({
    bootMs: booted,
    loadMs: loaded - booted,
    eventMs: eventRead - loaded,
    wasmMs: wasmReady - eventRead,
    firstBatchMs: batchMs[0],
    batchMs,
    firstDoneMs: wasmReady + batchMs[0]!,
    firstCpuMs,
    doneMs: done,
    rssAtBootMb: atBoot.rssMb,
    rssAfterLoadMb: atLoad.rssMb,
    hwmAfterFirstMb,
    hwmMb: end.hwmMb,
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  })}\n`,
);
