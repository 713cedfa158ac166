import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lambdaBuildOptions } from './bundle-options.ts';

/** The built files of the cold-start measurement. */
export interface LambdaBundleFiles {
  /** The handler bundle (ESM). */
  readonly handler: string;
  /** Bytes of the handler bundle's JavaScript, what the engine parses at load. */
  readonly handlerBytes: number;
  /** The harness that loads and invokes it. */
  readonly harness: string;
  readonly buildMs: number;
  /** Where the esbuild options came from. */
  readonly optionsSource: string;
  readonly minified: boolean;
  /** The packages (or project folders) taking the most bytes of the handler bundle's JavaScript, largest first. */
  readonly largestInputs: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
}

/** `node_modules/@aws-sdk/client-s3/...` -> `@aws-sdk/client-s3`; project files -> their top folder. */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : input.replace(/^(\.\.\/)+/, '').split('/').slice(0, 2).join('/');
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the Lambda bundle of the bench's entry with the deploy's esbuild options (see
 * bundle-options.ts), and the child harness that loads it.
 *
 * @example
 * ```ts
 * const files = await buildLambdaBundle(tempDir);
 * ```
 */
export async function buildLambdaBundle(outDir: string): Promise<LambdaBundleFiles> {
  const started = performance.now();
  const handler = join(outDir, 'handler.mjs');
  const harness = join(outDir, 'invoke-child.mjs');
  const { options, source } = await lambdaBuildOptions();
  const result = await build({ ...options, logLevel: 'error', metafile: true, entryPoints: [join(here, 'handler-entry.ts')], outfile: handler });
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'error', entryPoints: [join(here, 'invoke-child.ts')], outfile: harness });
  const buildMs = performance.now() - started;
  // What the cold start has to parse, by package: where shrinking the bundle would pay. The
  // metafile's other outputs are files copied beside the bundle (the wasm), read as bytes, not parsed.
  const bytesByPackage = new Map<string, number>();
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (resolve(path) !== resolve(handler)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      bytesByPackage.set(packageOf(input), (bytesByPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const largestInputs = [...bytesByPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => ({ name, bytes }));
  return { handler, handlerBytes: (await stat(handler)).size, harness, buildMs, optionsSource: source, minified: options.minify === true, largestInputs };
}
