'use strict';

/**
 * The bridge serverless.yml's variables call: `${file(./deploy/serverless-stack.cjs):functions}`.
 * Serverless (osls) resolves `file(...)` of a CommonJS module exporting a function by calling
 * it with the CLI options, `--param` values included, and reads the address out of the
 * result. The stack itself is TypeScript (deploy/serverless-stack.ts), imported with tsx.
 * Serverless calls this once per variable, so the stack is built once per process.
 */
const { join } = require('node:path');

const stacks = new Map();

module.exports = ({ options }) => {
  const params = options.param || [];
  const key = JSON.stringify(params);
  if (!stacks.has(key)) {
    stacks.set(
      key,
      // The ESM entry of tsx's API: its CommonJS entry registers its loader by a path that
      // does not exist in tsx 4.23 (ERR_MODULE_NOT_FOUND .../dist/esm/api/esm/index.mjs).
      import('tsx/esm/api')
        .then(({ tsImport }) => tsImport('./serverless-stack.ts', __filename))
        .then(({ serverlessStack }) => serverlessStack({ params, projectDir: join(__dirname, '..'), runId: String(process.pid) })),
    );
  }
  return stacks.get(key);
};
