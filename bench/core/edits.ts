/**
 * The benchmarks' edits of generated workspaces and what must come out of them: a constant's value
 * rewritten (TypeScript `export const NAME = 1.5;`, Python `NAME = 1.5` / `NAME: float = 1.5  # …`),
 * the exact affected features from the generator's reference graph, seeded edit sequences.
 * Shared by the families.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedImpact, validVia } from '../generators/generateWorkspace';
import type { MetaConstant, WorkspaceMeta } from './types';

/** The parts of a SPEC §6 impact report the checks read (parsed JSON). */
export interface ImpactReport {
  features: { name: string; via: string[]; verdict: string }[];
  changes: { file: string; symbol: string }[];
  summary: { errors: number; timings?: Record<string, number>; [k: string]: unknown };
}

/** The line that holds a generated constant's literal: groups 1 (before), 2 (the number), 3 (after). */
function constantLine(constant: Pick<MetaConstant, 'path' | 'name'>): RegExp {
  return constant.path.endsWith('.py')
    ? new RegExp(`^(${constant.name}(?:: float)? = )([0-9.]+)((?:  # .*)?)$`, 'm')
    : new RegExp(`^(export const ${constant.name} = )([0-9.]+)(;)$`, 'm');
}

/** `text` (the constant's file) with the constant's literal replaced by `value(old)` (a number or a string). */
export function withConstantValue(text: string, constant: Pick<MetaConstant, 'path' | 'name'>, value: (old: number) => number | string): string {
  const re = constantLine(constant);
  const m = re.exec(text);
  if (!m) throw new Error(`${constant.path}: no line assigning a number to ${constant.name}`);
  return text.replace(re, (_, head: string, old: string, tail: string) => `${head}${value(Number(old))}${tail}`);
}

/** The text of `constant`'s file with its value ×`factor` (3 decimals). */
export function editedText(ws: string, constant: MetaConstant, factor = 1.25): string {
  return withConstantValue(readFileSync(join(ws, constant.path), 'utf8'), constant, (v) => (v * factor).toFixed(3));
}

/** Writes `editedText` to the working tree; returns the undo. */
export function editConstant(ws: string, constant: MetaConstant, factor = 1.25): () => void {
  const file = join(ws, constant.path);
  const before = readFileSync(file, 'utf8');
  writeFileSync(file, editedText(ws, constant, factor));
  return () => writeFileSync(file, before);
}

// ---------------------------------------------------------------------------------------------
// Checks of the impact report against the generator's graph

/** Compares a SPEC §6 report with the exact expected impact of editing `constant`. */
export function impactCheck(meta: WorkspaceMeta, report: ImpactReport, constant: MetaConstant): { expected: string[]; actual: string[]; problems: string[] } {
  const problems: string[] = [];
  const expected = expectedImpact(meta, constant.id);
  const actual = report.features.map((f) => f.name).sort();
  const missing = expected.filter((n) => !actual.includes(n));
  const extra = actual.filter((n) => !expected.includes(n));
  if (missing.length) problems.push(`missing ${missing.length}: ${missing.slice(0, 5).join(', ')}`);
  if (extra.length) problems.push(`extra ${extra.length}: ${extra.slice(0, 5).join(', ')}`);
  const changes = report.changes.map((c) => `${c.file}#${c.symbol}`);
  if (changes.length !== 1 || changes[0] !== constant.id) problems.push(`changes ${JSON.stringify(changes)}, expected ["${constant.id}"]`);
  const byName = new Map(meta.features.map((f) => [f.name, f]));
  for (const f of report.features) {
    const feat = byName.get(f.name);
    if (feat && expected.includes(f.name) && !validVia(meta, feat, f.via, constant.id)) problems.push(`${f.name}: via ${JSON.stringify(f.via)} is not a reference chain from ${constant.id}`);
    if (f.verdict !== 'not-checked') problems.push(`${f.name}: verdict ${f.verdict}, expected not-checked`);
  }
  if (report.summary.errors !== 0) problems.push(`${report.summary.errors} error findings`);
  return { expected, actual, problems };
}

/** The layer-0 constant whose edit reaches the most features (the first such): the benchmark's edit. */
export function chooseEdit(meta: WorkspaceMeta): MetaConstant {
  let best: MetaConstant | undefined, bestCount = -1;
  for (const c of meta.constants) {
    if (c.layer !== 0) continue;
    const n = expectedImpact(meta, c.id).length;
    if (n > bestCount) [best, bestCount] = [c, n];
  }
  if (!best) throw new Error('the workspace has no layer-0 constant');
  return best;
}

/** A small seeded generator for the warm edits (independent of the workspace generator). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** The same seeded sequence of constants for every in-process section: every other one reaches a feature. */
export function warmEdits(meta: WorkspaceMeta, count: number): { warmup: MetaConstant[]; edits: MetaConstant[] } {
  const rand = lcg(meta.args.seed * 7919 + 1);
  const constants = meta.constants;
  const reaching = constants.filter((c) => expectedImpact(meta, c.id).length > 0);
  const pickFrom = (pool: MetaConstant[]) => pool[Math.floor(rand() * pool.length)];
  const warmup = [pickFrom(reaching), pickFrom(constants)];
  const edits: MetaConstant[] = [];
  for (let i = 0; i < count; i++) edits.push(pickFrom(i % 2 && reaching.length ? reaching : constants));
  return { warmup, edits };
}

/**
 * The generator's feature template (`renderFeatureFile`): `export function NAME(row: Row): number {`,
 * `  const seed = …;`, `  return EXPR;`. Returns `text` with that feature's `return EXPR;` rewritten
 * as `return FACTOR * (EXPR);`: every stored value of the feature is off by the factor (an affine change).
 */
export function scaledFeatureText(text: string, exportName: string, factor: number | string): string {
  const re = new RegExp(`(export function ${exportName}\\(row: Row\\): number \\{\\n  const seed = [^\\n]*;\\n  return )([^\\n]*);`);
  if (!re.test(text)) throw new Error(`no generated feature function "${exportName}" (export function …(row: Row) … return EXPR;)`);
  return text.replace(re, (_, head: string, expr: string) => `${head}${factor} * (${expr});`);
}
