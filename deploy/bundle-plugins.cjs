'use strict';

/**
 * The esbuild plugins of a job's bundle, as serverless-esbuild takes them: `custom.esbuild.plugins`
 * names this file (deploy/bundle-options.ts) and the plugin requires it from the service folder
 * and calls it. Plugin objects cannot be given inline: Serverless's variable resolution drops
 * their functions. The plugins themselves are TypeScript, required through tsx.
 */
const { require: requireTs } = require('tsx/cjs/api');

const { existsSync } = require('node:fs');
const { join } = require('node:path');

/** TypeScript beside this file in the repository; the compiled module of dist/ when installed. */
const ZOD_ENGLISH_ONLY = existsSync(join(__dirname, 'zod-english-only.ts')) ? './zod-english-only.ts' : '../dist/deploy/zod-english-only.js';

module.exports = () => [requireTs(ZOD_ENGLISH_ONLY, __filename).zodEnglishOnly()];
