// npm run build (and `prepack`: before `npm pack`, `npm publish` and a git install): src/ and deploy/ compiled to
// dist/ with their type declarations, and the files the compiled modules read beside
// themselves copied next to them (the dashboard's page). dist/ is emptied first, so a module
// deleted from src/ never lingers in a package.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
/** Files read at run time from beside a module: copied, since the compiler emits only what it compiles. */
const ASSETS = ['src/cli/dashboard/page'];

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
for (const asset of ASSETS) cpSync(join(root, asset), join(dist, asset), { recursive: true });
