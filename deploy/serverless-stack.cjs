'use strict';

/**
 * The bridge serverless.yml's variables call: `${file(./deploy/serverless-stack.cjs):functions}` in this
 * repository, `${file(./node_modules/sluice/deploy/serverless-stack.cjs):functions}` in a user's project.
 * Serverless (osls) resolves `file(...)` of a CommonJS module exporting a function by calling
 * it with the CLI options, `--param` values included, and a resolver of other variables (the
 * stack needs the region and stage), and reads the address out of the result. The stack
 * itself is TypeScript (deploy/serverless-stack.ts), imported with tsx. Serverless calls this
 * once per variable, so the stack is built once per process.
 */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

/** A checkout of the repository has the stack's TypeScript beside this file; the installed package only its compiled form. */
const FROM_SOURCE = existsSync(join(__dirname, 'serverless-stack.ts'));

const stacks = new Map();

module.exports = async ({ options, resolveVariable }) => {
  const params = options.param || [];
  // Resolved before anything is cached: a property not resolved yet makes Serverless call again.
  const region = await resolveVariable('self:provider.region');
  const stage = await resolveVariable('self:provider.stage');
  const key = JSON.stringify({ params, region, stage });
  if (!stacks.has(key)) {
    stacks.set(
      key,
      // The ESM entry of tsx's API: its CommonJS entry registers its loader by a path that
      // does not exist in tsx 4.23 (ERR_MODULE_NOT_FOUND .../dist/esm/api/esm/index.mjs).
      // The stack runs in the form the package is in: the sources in this repository (beside
      // this file), the compiled deploy/ of dist/ when installed. Both through tsx, which also
      // loads the user's TypeScript job. The project is Serverless's service folder (its cwd).
      import('tsx/esm/api')
        .then(({ tsImport }) => {
          if (!FROM_SOURCE) return tsImport('../dist/deploy/serverless-stack.js', __filename);
          require('../scripts/source-condition.cjs')();
          return tsImport('./serverless-stack.ts', __filename);
        })
        .then(({ serverlessStack }) => serverlessStack({ params, region, stage, projectDir: process.cwd(), runId: String(process.pid) })),
    );
  }
  return stacks.get(key);
};
