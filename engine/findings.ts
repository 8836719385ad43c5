/**
 * The engine's own vocabulary for what it found. Plain data with 1-based lines and
 * workspace-relative paths; the CLI prints it and the language server converts it. Nothing here
 * knows about LSP or VS Code.
 */

/** Stable check ids (SPEC §5): the diagnostic `code`, the SARIF rule id and the JSON `check`. */
export type CheckId =
  | 'code.syntax'
  | 'source.missing'
  | 'schema.type'
  | 'value.mismatch'
  | 'drift.distribution'
  | 'nulls.rate'
  | 'domain.new-values'
  | 'runtime.error'
  | 'runtime.timeout'
  | 'expect.range'
  | 'expect.not-null'
  | 'expect.values'
  | 'examples.mismatch'
  | 'perf.slowdown'
  | 'code.nondeterministic'
  | 'model.prediction-shift'
  | 'model.metric-drop'
  | 'model.input'
  | 'history.unreproduced';

export type Severity = 'error' | 'warning' | 'info';

/** A place in the workspace: path relative to the repository root, 1-based line and column. */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** One example row behind a finding: the input row and the values on each side. */
export interface FindingExample {
  row: Record<string, unknown>;
  base?: unknown;
  target?: unknown;
  stored?: unknown;
  error?: string;
}

/** What a check found. `metrics` holds the numbers that justify the severity. */
export interface Finding {
  check: CheckId;
  severity: Severity;
  message: string;
  location?: Location;
  metrics?: Record<string, number | string | null>;
  examples?: FindingExample[];
}

/** Counts findings by severity. */
export function countSeverities(findings: Iterable<Finding>): { errors: number; warnings: number; infos: number } {
  let errors = 0, warnings = 0, infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}
