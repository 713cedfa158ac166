'use strict';

/**
 * The esbuild plugins of a job's bundle, as serverless-esbuild takes them: `custom.esbuild.plugins`
 * names this file (deploy/bundle-options.ts) and the plugin requires it from the service folder
 * and calls it. Plugin objects cannot be given inline: Serverless's variable resolution drops
 * their functions. The plugins themselves are TypeScript, required through tsx.
 */
const { require: requireTs } = require('tsx/cjs/api');

module.exports = () => [requireTs('./zod-english-only.ts', __filename).zodEnglishOnly()];
