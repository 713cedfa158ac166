import { dirname } from 'node:path';
import ts from 'typescript';

/**
 * Which AWS SDK operations a Lambda bundle's code can send, derived from its TypeScript
 * source by reachability from the entry, the way esbuild's bundle is built but finer: a
 * class's methods count only when something reachable calls them (directly, or through an
 * interface the class implements: rapid type analysis over the classes actually
 * instantiated). The S3 object store is one class for every runtime, so a bundle-level scan
 * would credit the Kinesis function with compaction's reads and deletes.
 *
 * Conservative where it cannot be exact: a reachable function's nested closures are all
 * reached, every top-level statement of a loaded module runs, a dynamic `import()` reaches
 * every export of its module, and a member of a type literal dispatches to every
 * instantiated class whose type fits it.
 */

/**
 * One SDK operation: the client package's service (`s3` for `@aws-sdk/client-s3`) and the
 * operation (`PutObject` for `PutObjectCommand`).
 *
 * @example
 * ```ts
 * const call: SdkCall = { service: 's3', operation: 'PutObject' };
 * ```
 */
export interface SdkCall {
  readonly service: string;
  readonly operation: string;
}

/**
 * Options of {@link sdkCallAnalysis}.
 *
 * @example
 * ```ts
 * const options: SdkCallAnalysisOptions = { tsconfig: 'tsconfig.json', roots: ['src/runtime/lambda/bundle-entry.ts', 'jobs/sensor-readings.ts'] };
 * ```
 */
export interface SdkCallAnalysisOptions {
  readonly tsconfig: string;
  /** Every file an entry or alias target of a later {@link SdkCallAnalysis.reachable} call. */
  readonly roots: readonly string[];
}

/**
 * What one entry reaches.
 *
 * @example
 * ```ts
 * const { calls, modules } = analysis.reachable({ entry, aliases: { 'sluice:job': jobFile } });
 * ```
 */
export interface Reached {
  /** Sorted `service:Operation`, deduplicated. */
  readonly calls: readonly SdkCall[];
  /** The project's source files loaded (the module graph esbuild bundles). */
  readonly modules: readonly string[];
}

/**
 * A type-checked program, reused by every entry analysed.
 *
 * @example
 * ```ts
 * analysis.reachable({ entry: '/repo/src/runtime/lambda/bundle-entry.ts', aliases: { 'sluice:job': '/repo/jobs/sensor-readings.ts' } }).calls;
 * ```
 */
export interface SdkCallAnalysis {
  reachable(options: { readonly entry: string; readonly aliases: Readonly<Record<string, string>> }): Reached;
}

/** `@aws-sdk/client-<service>` as installed. */
const CLIENT_FILE = /\/node_modules\/@aws-sdk\/client-([a-z0-9-]+)\//;
/** Helpers that send operations of their own. */
const HELPER_CALLS: Readonly<Record<string, readonly SdkCall[]>> = {
  'lib-storage:Upload': ['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload'].map((operation) => ({ service: 's3', operation })),
};
const HELPER_FILE = /\/node_modules\/@aws-sdk\/(lib-[a-z0-9-]+)\//;
/** Members a class gets called through by the language, not by name. */
const PROTOCOL_MEMBERS: ReadonlySet<string> = new Set(['then', 'toJSON', 'toString', 'valueOf']);

/**
 * Builds the program of `roots` with the project's compiler options.
 *
 * @example
 * ```ts
 * const analysis = sdkCallAnalysis({ tsconfig: join(root, 'tsconfig.json'), roots: [kinesisEntry, compactionEntry, ...jobFiles] });
 * ```
 */
export function sdkCallAnalysis(options: SdkCallAnalysisOptions): SdkCallAnalysis {
  const config = ts.readConfigFile(options.tsconfig, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(options.tsconfig));
  const program = ts.createProgram({ rootNames: [...options.roots], options: parsed.options });
  return { reachable: (entry) => new Walk(program, entry.aliases).run(entry.entry) };
}

type ClassNode = ts.ClassDeclaration | ts.ClassExpression;
/** A member referenced through a type (interface, base class or type literal) rather than a class known here. */
interface VirtualRef {
  readonly name: string;
  readonly owner: ts.Node;
}

class Walk {
  readonly #checker: ts.TypeChecker;
  readonly #reached = new Set<ts.Node>();
  readonly #queue: ts.Node[] = [];
  readonly #instantiated = new Set<ClassNode>();
  readonly #virtual = new Map<string, VirtualRef>();
  readonly #calls = new Map<string, SdkCall>();

  constructor(
    readonly program: ts.Program,
    readonly aliases: Readonly<Record<string, string>>,
  ) {
    this.#checker = program.getTypeChecker();
  }

  run(entry: string): Reached {
    const file = this.program.getSourceFile(entry);
    if (file === undefined) throw new Error(`${entry} is not among the analysis's roots`);
    this.#reach(file);
    for (let node = this.#queue.shift(); node !== undefined; node = this.#queue.shift()) this.#process(node);
    const modules = [...this.#reached].filter(ts.isSourceFile).map((f) => f.fileName).sort();
    const calls = [...this.#calls.values()].sort((a, b) => `${a.service}:${a.operation}`.localeCompare(`${b.service}:${b.operation}`));
    return { calls, modules };
  }

  #reach(node: ts.Node): void {
    if (node.getSourceFile().isDeclarationFile || this.#reached.has(node)) return;
    this.#reached.add(node);
    this.#queue.push(node);
  }

  #process(node: ts.Node): void {
    if (ts.isSourceFile(node)) return this.#loadModule(node);
    this.#reach(node.getSourceFile());
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) return this.#instantiate(node);
    if (ts.isBindingElement(node)) return this.#reach(bindingRoot(node));
    if (ts.isShorthandPropertyAssignment(node)) return this.#resolve(node.name, this.#checker.getShorthandAssignmentValueSymbol(node));
    if (ts.isFunctionLike(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node) || ts.isExportAssignment(node)) {
      this.#walk(node);
    }
  }

  /** Loading a module runs its imports and its top-level statements; declarations wait to be referenced. */
  #loadModule(file: ts.SourceFile): void {
    for (const statement of file.statements) {
      if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
        const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
        if (!typeOnly && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
          const target = this.#module(statement.moduleSpecifier.text, file);
          if (target !== undefined) this.#reach(target);
        }
        continue;
      }
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const init = declaration.initializer;
          // A function value does nothing until called: reached when referenced.
          if (init !== undefined && !ts.isArrowFunction(init) && !ts.isFunctionExpression(init) && !ts.isClassExpression(init)) this.#walk(init);
        }
        continue;
      }
      if (ts.isClassDeclaration(statement)) {
        // Static initializers run at load.
        for (const member of statement.members) if (isStatic(member)) this.#walk(member);
        continue;
      }
      if (ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isModuleDeclaration(statement) || ts.isEnumDeclaration(statement)) continue;
      this.#walk(statement);
    }
  }

  #instantiate(node: ClassNode): void {
    if (this.#instantiated.has(node)) return;
    this.#instantiated.add(node);
    for (const clause of node.heritageClauses ?? []) {
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const type of clause.types) this.#walk(type.expression);
    }
    for (const member of node.members) {
      const name = memberName(member);
      // What runs at construction (constructor, field initializers), and what the language calls by itself.
      if (ts.isConstructorDeclaration(member) || ts.isPropertyDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || (name !== undefined && PROTOCOL_MEMBERS.has(name)) || (member.name !== undefined && ts.isComputedPropertyName(member.name))) {
        this.#reach(member);
      }
    }
    for (const ref of this.#virtual.values()) this.#dispatchTo(node, ref);
  }

  #walk(root: ts.Node): void {
    const visit = (node: ts.Node): void => {
      if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
      if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) this.#dynamicImport(node);
      if (ts.isShorthandPropertyAssignment(node)) this.#resolve(node.name, this.#checker.getShorthandAssignmentValueSymbol(node));
      if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) this.#destructured(node);
      if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && !isDeclarationName(node)) this.#resolve(node, this.#checker.getSymbolAtLocation(node));
      ts.forEachChild(node, visit);
    };
    if (ts.isFunctionLike(root) || ts.isClassLike(root)) ts.forEachChild(root, visit);
    else visit(root);
  }

  /** `import('./x.ts')`: what the caller takes from it is not traced; every export is reached. */
  #dynamicImport(call: ts.CallExpression): void {
    const specifier = call.arguments[0];
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) throw new Error(`${where(call)}: import() of a computed specifier cannot be followed`);
    const target = this.#module(specifier.text, call.getSourceFile());
    if (target === undefined) return;
    this.#reach(target);
    const symbol = this.#checker.getSymbolAtLocation(target);
    for (const exported of symbol === undefined ? [] : this.#checker.getExportsOfModule(symbol)) this.#resolve(target, exported);
  }

  /** `const { a } = value`: reads property `a` of the value's type. */
  #destructured(element: ts.BindingElement): void {
    const name = element.propertyName ?? element.name;
    if (!ts.isIdentifier(name)) return;
    const property = this.#checker.getTypeAtLocation(element.parent).getProperty(name.text);
    if (property !== undefined) this.#resolve(name, property);
  }

  #resolve(at: ts.Node, found: ts.Symbol | undefined): void {
    if (found === undefined) return;
    const symbol = found.flags & ts.SymbolFlags.Alias ? this.#checker.getAliasedSymbol(found) : found;
    for (const declaration of symbol.declarations ?? []) {
      const file = declaration.getSourceFile();
      if (file.isDeclarationFile || file.fileName.includes('/node_modules/')) {
        this.#sdkCall(at, declaration, symbol.name);
        continue;
      }
      const owner = declaration.parent;
      const member = ts.isClassElement(declaration) || ts.isTypeElement(declaration);
      if (member && owner !== undefined && !isStatic(declaration)) {
        const name = memberName(declaration);
        if (name !== undefined) this.#virtualCall({ name, owner });
      }
      this.#reach(declaration);
    }
  }

  /** A member used through `owner`: every instantiated class that is, extends or implements it may answer. */
  #virtualCall(ref: VirtualRef): void {
    const key = `${ref.name}@${ref.owner.getSourceFile().fileName}:${ref.owner.pos}`;
    if (this.#virtual.has(key)) return;
    this.#virtual.set(key, ref);
    for (const node of this.#instantiated) this.#dispatchTo(node, ref);
  }

  #dispatchTo(node: ClassNode, ref: VirtualRef): void {
    if (!this.#answers(node, ref.owner)) return;
    for (let current: ClassNode | undefined = node; current !== undefined; current = this.#baseOf(current)) {
      const member = current.members.find((m) => memberName(m) === ref.name);
      if (member !== undefined) return this.#reach(member);
    }
  }

  /** Whether instances of `node` can stand where `owner` (a class, interface or type literal) is expected. */
  #answers(node: ClassNode, owner: ts.Node): boolean {
    if (ts.isTypeLiteralNode(owner) || ts.isObjectLiteralExpression(owner)) {
      return this.#checker.isTypeAssignableTo(this.#checker.getTypeAtLocation(node), this.#checker.getTypeAtLocation(owner));
    }
    const seen = new Set<ts.Node>();
    const visit = (type: ts.Node): boolean => {
      if (type === owner) return true;
      if (seen.has(type)) return false;
      seen.add(type);
      if (!ts.isClassLike(type) && !ts.isInterfaceDeclaration(type)) return false;
      for (const clause of type.heritageClauses ?? []) {
        for (const heritage of clause.types) {
          const symbol = this.#checker.getSymbolAtLocation(heritage.expression);
          const target = symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? this.#checker.getAliasedSymbol(symbol) : symbol;
          if ((target?.declarations ?? []).some(visit)) return true;
        }
      }
      return false;
    };
    return visit(node);
  }

  #baseOf(node: ClassNode): ClassNode | undefined {
    const heritage = node.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (heritage === undefined) return undefined;
    const symbol = this.#checker.getSymbolAtLocation(heritage.expression);
    const target = symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? this.#checker.getAliasedSymbol(symbol) : symbol;
    return target?.declarations?.find((d): d is ClassNode => ts.isClassDeclaration(d) || ts.isClassExpression(d));
  }

  /** A reference into a library: an SDK command class, a paginator, an aggregated client's method, or a helper that sends. */
  #sdkCall(at: ts.Node, declaration: ts.Declaration, name: string): void {
    const file = declaration.getSourceFile().fileName;
    const helper = HELPER_FILE.exec(file)?.[1];
    for (const call of helper === undefined ? [] : (HELPER_CALLS[`${helper}:${name}`] ?? [])) this.#record(call);
    const service = CLIENT_FILE.exec(file)?.[1];
    if (service === undefined || isInTypePosition(at)) return;
    const operation =
      ts.isClassDeclaration(declaration) && name.endsWith('Command')
        ? name.slice(0, -'Command'.length)
        : (ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration)) && /^paginate[A-Z]/.test(name)
          ? name.slice('paginate'.length)
          : ts.isMethodDeclaration(declaration) && ts.isClassDeclaration(declaration.parent) && !declaration.parent.name?.text.endsWith('Client')
            ? name.charAt(0).toUpperCase() + name.slice(1)
            : undefined;
    if (operation !== undefined) this.#record({ service, operation });
  }

  #record(call: SdkCall): void {
    this.#calls.set(`${call.service}:${call.operation}`, call);
  }

  #module(specifier: string, from: ts.SourceFile): ts.SourceFile | undefined {
    const aliased = this.aliases[specifier];
    if (aliased !== undefined) return this.program.getSourceFile(aliased) ?? fail(`alias ${specifier} -> ${aliased} is not among the analysis's roots`);
    const resolved = ts.resolveModuleName(specifier, from.fileName, this.program.getCompilerOptions(), ts.sys).resolvedModule;
    if (resolved === undefined || resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith('.d.ts')) return undefined;
    return this.program.getSourceFile(resolved.resolvedFileName) ?? fail(`${where(from)} imports ${specifier}, which the program did not load`);
  }
}

function fail(message: string): never {
  throw new Error(message);
}

const where = (node: ts.Node): string => `${node.getSourceFile().fileName}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

function memberName(member: ts.Node): string | undefined {
  const name = (member as { name?: ts.Node }).name;
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

function isStatic(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

function isDeclarationName(node: ts.Node): boolean {
  const parent = node.parent as { name?: ts.Node } | undefined;
  return parent !== undefined && parent.name === node && !ts.isPropertyAccessExpression(node.parent) && !ts.isShorthandPropertyAssignment(node.parent);
}

function isInTypePosition(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current !== undefined && !ts.isStatement(current); current = current.parent) {
    if (ts.isTypeNode(current) && !ts.isExpressionWithTypeArguments(current)) return true;
  }
  return false;
}

/** The variable declaration or parameter a destructured name comes from. */
function bindingRoot(element: ts.BindingElement): ts.Node {
  let node: ts.Node = element;
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) node = node.parent;
  return node;
}

