#!/usr/bin/env node
// The CLI runs the TypeScript sources (and the user's TypeScript jobs) directly through tsx.
import { register } from 'tsx/esm/api';

register();
const { silenceSdkNodeVersionNotice } = await import('../src/runtime/sdk-node-notice.ts');
silenceSdkNodeVersionNotice();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
