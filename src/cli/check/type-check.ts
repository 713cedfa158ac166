import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { findTsconfig } from './tsconfig-location.ts';

/**
 * The TypeScript compiler run over job modules, as `tsc --noEmit` would run it over them:
 * the project's `tsconfig.json` (the nearest one above the jobs) or, without one, a strict
 * default fit for jobs written like the samples. Only the user's files are reported (jobs,
 * schemas, their own helpers): sluice's sources and packages are checked by their makers.
 */

/**
 * Used when no tsconfig.json is found above the jobs: strict, ES modules resolved as a
 * bundler or tsx does, `.ts` extensions in imports allowed (the samples use them).
 */
const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  esModuleInterop: true,
  resolveJsonModule: true,
};

/** "No inputs were found in config file": the config's `include` does not matter, the jobs are the inputs. */
const NO_INPUTS = 18003;

/** sluice's own sources: the job API the user's modules import. */
const SLUICE_SOURCES = `${fileURLToPath(new URL('../../', import.meta.url))}`;

/**
 * One compiler message.
 *
 * @example
 * ```ts
 * const d: TypeDiagnostic = { file: '/p/jobs/x.ts', line: 12, column: 30, code: 2551, message: "Property 'temprature' does not exist ..." };
 * ```
 */
export interface TypeDiagnostic {
  /** Absolute path; absent for a message about the configuration. */
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  readonly column?: number;
  readonly code: number;
  readonly message: string;
}

/**
 * What the compiler said about some job modules.
 *
 * @example
 * ```ts
 * const { errors, formatted } = typeCheck({ files: ['jobs/sensor-readings.ts'] });
 * ```
 */
export interface TypeCheckResult {
  /** Errors only: what `tsc` fails on. */
  readonly errors: readonly TypeDiagnostic[];
  /** The errors as the compiler prints them (file:line:column, code, message, the source line). */
  readonly formatted: string;
  /** Every file the compiler read but its own libraries: a change to any of them can change the outcome. */
  readonly files: readonly string[];
  /** The tsconfig.json used, or undefined for the default options. */
  readonly config: string | undefined;
}

/**
 * Options of {@link typeCheck}.
 *
 * @example
 * ```ts
 * const options: TypeCheckOptions = { files: ['/p/jobs/sensor-readings.ts'], pretty: true };
 * ```
 */
export interface TypeCheckOptions {
  /** The job modules. */
  readonly files: readonly string[];
  /** Colours and source lines, for a terminal. */
  readonly pretty?: boolean;
}

function compilerOptions(config: string | undefined): { options: ts.CompilerOptions; errors: readonly ts.Diagnostic[] } {
  if (config === undefined) return { options: DEFAULT_OPTIONS, errors: [] };
  const errors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(config, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => errors.push(d) });
  if (parsed === undefined) return { options: DEFAULT_OPTIONS, errors };
  return { options: { ...parsed.options, noEmit: true }, errors: [...errors, ...parsed.errors.filter((d) => d.code !== NO_INPUTS)] };
}

/** A file whose messages are the user's: not the compiler's libraries, not a package, not sluice itself. */
const isUsers = (program: ts.Program, file: ts.SourceFile): boolean =>
  !program.isSourceFileDefaultLibrary(file) &&
  !resolve(file.fileName).split(sep).includes('node_modules') &&
  !resolve(file.fileName).startsWith(SLUICE_SOURCES);

function toDiagnostic(d: ts.Diagnostic): TypeDiagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return { code: d.code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: resolve(d.file.fileName), line: line + 1, column: character + 1, code: d.code, message };
}

/**
 * Type-checks job modules with the project's compiler settings and returns the errors in
 * the user's files (the modules and what they import, except packages and sluice itself).
 *
 * @example
 * ```ts
 * const result = typeCheck({ files: [resolve('jobs/sensor-readings.ts')], pretty: process.stdout.isTTY });
 * if (result.errors.length > 0) process.stderr.write(result.formatted);
 * ```
 */
export function typeCheck(options: TypeCheckOptions): TypeCheckResult {
  const files = options.files.map((f) => resolve(f));
  const config = files.length === 0 ? undefined : findTsconfig(dirname(files[0]!));
  const { options: compiler, errors: configErrors } = compilerOptions(config);
  const host = ts.createCompilerHost(compiler);
  const program = ts.createProgram({ rootNames: files, options: compiler, host });
  const users = program.getSourceFiles().filter((f) => isUsers(program, f));
  const diagnostics = [
    ...configErrors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...users.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
  const formatHost: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
  return {
    errors: diagnostics.map(toDiagnostic),
    formatted: options.pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost),
    files: [
      ...(config === undefined ? [] : [config]),
      ...program
        .getSourceFiles()
        .filter((f) => !program.isSourceFileDefaultLibrary(f))
        .map((f) => resolve(f.fileName)),
    ],
    config,
  };
}
