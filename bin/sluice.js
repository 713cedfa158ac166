#!/usr/bin/env node
// The CLI. Installed, it runs the compiled JavaScript (dist/src/); in a checkout of the
// repository, where src/ exists, the TypeScript sources through tsx. Either way the user's
// job modules are TypeScript, loaded through tsx, with no build step of the user's own.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// Lambda runs in UTC: so do local runs, whatever the machine's zone, so that a step's
// `new Date('2026-11-23T08:00:00')` or a row schema's z.coerce.date() names the same instant
// on a laptop as in AWS. Node applies a TZ set at run time to every Date made after it.
process.env.TZ = 'UTC';

const sources = new URL('../src/', import.meta.url);
const fromSource = existsSync(new URL('cli/main.ts', sources));

// The sources need tsx before anything of sluice loads. The compiled CLI loads without it (tsx
// would pass each of its modules and its dependencies' through its hooks: about a second more
// at every start) and registers it once loaded, before any job module is imported.
if (fromSource) {
  register();
  // Jobs import `sluice` by name: in the checkout that must mean src/, as for the CLI itself.
  (await import('../scripts/source-condition.cjs')).default();
}

const modules = fromSource ? sources : new URL('../dist/src/', import.meta.url);
const extension = fromSource ? '.ts' : '.js';
const { silenceSdkNodeVersionNotice } = await import(new URL(`runtime/sdk-node-notice${extension}`, modules).href);
silenceSdkNodeVersionNotice();
const { main } = await import(new URL(`cli/main${extension}`, modules).href);
if (!fromSource) register();
process.exitCode = await main(process.argv);
