/**
 * The boundary between the engine and a programming language. A front end turns one module's text
 * into a `ModuleSummary` — its top-level declarations with normalized content hashes and the
 * names each one references, its imports and its exports — and resolves import specifiers to
 * files. The dependency graph, impact analysis and caching work on summaries only, so a Python
 * front end plugs in by implementing this interface.
 */

/** One top-level declaration. */
export interface DeclSummary {
  /** The declared name; `default` for an anonymous default export. */
  name: string;
  kind: 'function' | 'variable' | 'class' | 'enum' | 'type' | 'namespace' | 'default';
  /** 1-based position of the declaration's name (or its start when anonymous). */
  line: number;
  column: number;
  endLine: number;
  /** 1-based line where the whole statement starts (modifiers and all, doc comment excluded). */
  startLine: number;
  /** Hash of the declaration's tokens with comments, whitespace and formatting removed. */
  hash: string;
  /** Module-level names (declarations or import bindings) referenced in value positions. */
  refs: string[];
  /** `ns.member` references through a namespace import, as [ns, member]. */
  memberRefs: [string, string][];
  /** `@feature NAME` tags in the declaration's doc comment, with an optional `@snapshot`. */
  featureTags?: { name: string; snapshot?: string }[];
  /** For functions whose syntax tells how they are called (Python: `row`, `series`, `feast`, …). */
  form?: string;
  /** A function's parameter names, in order (Python; `*args` and `**kwargs` left out). */
  params?: string[];
  /** Those of `params` without a default value. */
  requiredParams?: string[];
  /** A function's decorators as written, without arguments (`on_demand_feature_view`). */
  decorators?: string[];
}

/**
 * `import { imported as local } from specifier`; `imported` is `default` or `*` for those forms.
 * A `local` of `*` imports every name the module lets through `import *` (Python's `from m import *`).
 */
export interface ImportBinding {
  local: string;
  specifier: string;
  imported: string;
}

/**
 * One export of the module. A local export names `local`; a re-export names `specifier` and
 * `imported` (`*` with `exported` `*` for `export * from`, `*` with a name for `export * as ns`).
 */
export interface ExportEntry {
  exported: string;
  local?: string;
  specifier?: string;
  imported?: string;
}

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/** What the engine knows of one module. Independent of the module's path so it can be cached by content. */
export interface ModuleSummary {
  decls: DeclSummary[];
  imports: ImportBinding[];
  exports: ExportEntry[];
  syntaxErrors: SyntaxProblem[];
  /** The only names `import *` of this module binds (Python's `__all__`), when known. */
  starAll?: string[];
  /** Without `starAll`, whether `import *` skips names starting with `_` (Python). */
  starHidesPrivate?: boolean;
}

export interface LanguageFrontEnd {
  /** Identifies the front end and its summary format in caches; bump when summaries change. */
  readonly cacheKey: string;
  /** Git pathspecs of the files it may analyze (`*.ts`, …): git is only asked about those. */
  readonly pathspecs: readonly string[];
  /** Whether this front end analyzes the file. */
  handles(path: string): boolean;
  /** Loads what `summarize` needs (a parser) before `paths` are summarized; called once per batch. */
  prepare?(paths: string[]): Promise<void>;
  /** Summarizes one module. Never throws on bad input: syntax problems go into `syntaxErrors`. */
  summarize(path: string, text: string): ModuleSummary;
  /**
   * Resolves an import specifier written in `fromPath` to a repository-relative file, or
   * undefined for packages and unknown files. `exists` tells whether a path is a file on this side.
   */
  resolveImport(fromPath: string, specifier: string, exists: (path: string) => boolean): string | undefined;
  /**
   * Where a name imported from a module may live when the module does not define it: Python's
   * `from pkg import mod` imports the submodule `pkg.mod`. Undefined when the language has no such rule.
   */
  submoduleSpecifier?(fromPath: string, specifier: string, name: string): string | undefined;
}
