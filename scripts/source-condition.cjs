'use strict';

/**
 * In a checkout of the repository, the sample jobs import sluice by its package name, and that
 * name must mean the TypeScript sources (package.json "exports", condition `sluice-source`),
 * as it does for whatever loaded them (the CLI's src/, deploy/), never a built dist/: one copy
 * of each module, or a job's SluiceError is not an instance of the loader's. Node takes extra
 * conditions only as a flag (`--conditions`); this adds the condition from inside a running
 * process instead, with a resolve hook. Registered after tsx's, so it runs first and hands
 * tsx the extended conditions. Used by bin/sluice.js and deploy/serverless-stack.cjs in the
 * repository only: the installed package has no src/ and needs no condition.
 *
 * @example
 * require('../scripts/source-condition.cjs')();
 */
const { register } = require('node:module');

const HOOK = "export const resolve = (specifier, context, next) => next(specifier, { ...context, conditions: [...context.conditions, 'sluice-source'] });";

let registered = false;

module.exports = function useSourceCondition() {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
};
