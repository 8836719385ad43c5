/**
 * The shapes the benchmark's modules share: a family of figures (its workspace, sections, goals and
 * README subsection), a section, the context a section runs in, a recorded row, a workspace's result.
 */

/** The arguments of a generated workspace (bench/work/<prefix>-<modules>m-…). */
export interface WorkspaceParams {
  modules: number;
  features: number;
  rows: number;
  seed: number;
  /** Generator options beyond the counts (e.g. the small family's shorter modules). */
  [option: string]: unknown;
}

/** A generated feature: its column name and `path#export`. */
export interface MetaFeature {
  name: string;
  source: string;
  id: string;
  /** Python: `row` (default) or `series`. */
  kind?: string;
}

/** A generated constant (`export const NAME = 1.5;` / `NAME = 1.5`). */
export interface MetaConstant {
  id: string;
  path: string;
  name: string;
  layer: number;
  value: string;
}

/** What a generator returns (and bench/work/<ws>.meta.json holds). */
export interface WorkspaceMeta {
  /** `python` for the Python generator. */
  language?: string;
  generator: string;
  args: WorkspaceParams;
  dir: string;
  commit: string;
  modules: number;
  files: number;
  lines: number;
  layers: number;
  features: MetaFeature[];
  constants: MetaConstant[];
  /** `path#name` → the `path#name`s it references. */
  graph: Record<string, string[]>;
}

/** The command line, parsed (bench/core/options.ts). */
export interface BenchOptions {
  large: boolean;
  largeOnly?: boolean;
  runs: number;
  edits: number;
  checkRuns: number;
  keystrokes: number;
  saves: number;
  statsReps: number;
  pyRuns: number;
  regenerate: boolean;
  write: boolean;
  readme: boolean;
  keep?: boolean;
  sections?: string[];
  only?: string;
  /** Options given on the command line (a family's own default does not override them). */
  given?: Partial<Record<'checkRuns', boolean>>;
}

/** One measured run: wall time and what else the measurement knew. */
export interface Sample {
  ms: number;
  rssKB?: number;
  cpuMs?: number;
}

/** A whole process run once (bench/core/measure.ts). */
export interface ProcessRun extends Sample {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A process run sampled for memory (the CLI and its workers). */
export interface SampledRun extends ProcessRun {
  treeKB: number;
  mainKB: number;
}

/** Medians of a check report's `summary.timings` (and `durationMs`). */
export type Phases = Record<string, number>;

/** A row of a workspace's table. Families attach figures of their own (ratios, per-row extras). */
export interface Row {
  id: string;
  figure: string;
  generic?: string;
  n: number;
  median: number;
  min: number;
  max: number;
  p95?: number;
  rssKB?: number;
  phases?: Phases;
  load: string;
  skipped?: string;
  ratio?: string;
  cpuMs?: number;
  treeKB?: number;
  mainKB?: number;
  /** Extras a family attaches (ratios against its references, per-row figures). */
  [extra: string]: any;
}

export interface RecordExtra {
  p95?: boolean;
  rssKB?: number;
  phases?: Phases;
  generic?: string;
  skipped?: string;
}

export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

export interface Note {
  label: string;
  detail: string;
}

/** What a section runs in: the private clone, the workspace's meta, and how to record and undo. */
export interface SectionContext {
  name: string;
  ws: string;
  meta: WorkspaceMeta;
  opts: BenchOptions;
  params: WorkspaceParams;
  /** The benchmark's main edit (the layer-0 constant reaching the most features); throws when the workspace has no constants. */
  editConstant: MetaConstant;
  gitOut(args: string[]): string;
  /** Rewrites a workspace file (`transform(text)`); undone after the section. */
  editFile(path: string, transform: (text: string) => string): void;
  /** Runs `fn` (may be async) after the section, whatever happens; last deferred first. */
  defer(fn: () => unknown): void;
  note(label: string, detail: string): void;
  /** Edits a constant ×1.25 (no-op if already edited by this section); undone after the section. */
  edit(constant: MetaConstant): () => void;
  record(id: string, figure: string, samples: Sample[], extra?: RecordExtra): Row;
  check(label: string, ok: boolean, detail: string): void;
  /** What a family's sections keep for its goals and README (results of the run, caches). */
  state: Record<string, any>;
}

/** A group of figures a family measures: `run` records rows and checks through the context. */
export interface Section {
  id: string;
  title: string;
  run(ctx: SectionContext): void | Promise<void>;
}

/** A workspace measured by a family's sections. */
export interface WorkspaceResult {
  name: string;
  lang: Family;
  params: WorkspaceParams;
  meta: WorkspaceMeta;
  generatedMs: number | undefined;
  rows: Row[];
  checks: Check[];
  notes: Note[];
  correct: boolean;
  /** Undefined for a workspace without constants (a family measuring data only). */
  editConstant?: MetaConstant;
  loadEnd: string;
  /** The sections' `ctx.state`. */
  state: Record<string, any>;
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/** What a family's goals may refer to: the other results of this run, the README as it was. */
export interface GoalContext {
  results: WorkspaceResult[];
  readme(): string;
}

export interface Machine {
  nproc: string;
  cpu: string;
  free: string;
  node: string;
  tsc: string;
  git: string;
  commit: string;
  load: string;
}

/** The shared renderers a family's README subsection may use. */
export interface ReadmeHelpers {
  readmeTable(result: WorkspaceResult): string;
  goalsTable(result: WorkspaceResult): string;
  phaseTable(result: WorkspaceResult): string;
  loadAtStart: string;
  context: GoalContext;
}

export interface GenerateOptions {
  onProgress?(message: string): void;
}

/**
 * A family of figures: the workspace it measures (generated, or reused from another family with
 * the same prefix and parameters), its sections, and how its results are reported.
 */
export interface Family {
  language: string;
  /** bench/work/<prefix>-… */
  prefix: string;
  params: WorkspaceParams;
  generate(dir: string, params: WorkspaceParams, options?: GenerateOptions): Promise<WorkspaceMeta>;
  generatorVersion(): string;
  sections: Section[];
  /** Lines of the results file's method paragraph. */
  method: string[];
  /** Per-workspace defaults of options (an option given on the command line wins). */
  options?: Partial<BenchOptions>;
  ratioOf?(row: Row, result: WorkspaceResult): string | undefined;
  goals?(result: WorkspaceResult, context: GoalContext): Goal[];
  goalsTitle?: string;
  discussion?(result: WorkspaceResult, context: GoalContext): string[];
  phaseTable?(result: WorkspaceResult): string;
  /** The README's `### ` subsection this family writes after a run (not with --sections). */
  readmeHeading?: string;
  readmeSubsection?(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, helpers: ReadmeHelpers): string;
}
