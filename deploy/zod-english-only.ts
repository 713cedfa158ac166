import type { Plugin } from 'esbuild';

/** zod's index of its ~50 error-message locales, wherever the package is installed. */
const LOCALES_INDEX = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;

/**
 * An esbuild plugin that bundles only zod's English locale. `import { z } from 'zod'` hands
 * esbuild the whole `z` namespace as one value, `z.locales` included, so it cannot shake the
 * other locales out: ~270 KB of a Lambda bundle that V8 would parse on every cold start for
 * messages sluice never shows (rejects and errors are English; zod configures `en` itself).
 * A job that calls `z.config(z.locales.<other>())` finds that locale missing from the bundle.
 *
 * @example
 * ```ts
 * await build({ entryPoints: ['src/runtime/lambda/bundle-entry.ts'], bundle: true, plugins: [zodEnglishOnly()] });
 * ```
 */
export function zodEnglishOnly(): Plugin {
  return {
    name: 'sluice-zod-english-only',
    setup(build) {
      build.onLoad({ filter: LOCALES_INDEX }, () => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js' }));
    },
  };
}
