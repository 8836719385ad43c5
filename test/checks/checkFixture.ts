/**
 * The one helper every data-check test goes through: builds a `CheckContext` (and the inputs of
 * `checkFeature`) from inline arrays, and asserts findings by check id, severity, message and
 * metrics. Defaults: column 'f', tolerance 1e-9 (abs and rel), location src/f.ts:1:1, one row per
 * target value, the stored type inferred from the stored values.
 */
import { strict as assert } from 'node:assert';
import type { FeatureConfig, ThresholdOverrides } from '../../engine/config/configTypes';
import type { CheckContext, SideValues } from '../../engine/checks/checkContext';
import { thresholdsFrom } from '../../engine/checks/thresholds';
import { rowsFromObjects, type SampleRows } from '../../engine/data/sampleRows';
import type { ColumnInfo, ColumnType, Row } from '../../engine/data/table';
import type { SideOutcome } from '../../engine/exec/featureRunner';
import type { CheckId, Finding, Location, Severity } from '../../engine/findings';

export const LOCATION: Location = { file: 'src/f.ts', line: 1, column: 1 };

/** A side given as its values only, or as values with some of the other fields. */
export type SideSpec = unknown[] | (Partial<SideValues> & { values: unknown[] });

export interface CtxSpec {
  rows?: Row[];
  stored?: unknown[];
  storedType?: ColumnType;
  base?: SideSpec;
  target: SideSpec;
  feature?: Partial<FeatureConfig>;
  thresholds?: ThresholdOverrides;
  sliceBy?: string[];
}

export function feature(overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  return {
    name: 'f',
    source: 'src/f.ts#f',
    file: 'src/f.ts',
    exportName: 'f',
    column: 'f',
    kind: 'row',
    tolerance: { abs: 1e-9, rel: 1e-9 },
    consumers: [],
    origin: 'config',
    ...overrides,
  };
}

export function sideValues(spec: SideSpec): SideValues {
  const s = Array.isArray(spec) ? { values: spec } : spec;
  const errors = s.errors ?? [];
  return {
    values: s.values,
    extraValues: s.extraValues ?? [],
    errorCount: s.errorCount ?? s.values.filter((v) => v === undefined).length,
    errors,
    nondeterministic: s.nondeterministic ?? 0,
    runMs: s.runMs ?? 1,
    ...(s.missingColumns ? { missingColumns: s.missingColumns } : {}),
  };
}

/** The logical type of inline values, written out here rather than taken from the engine. */
export function inferType(values: readonly unknown[]): ColumnType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'unknown';
  if (present.every((v) => typeof v === 'number')) return present.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
  if (present.every((v) => typeof v === 'string')) return 'string';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => v instanceof Date)) return 'date';
  return 'unknown';
}

export function ctx(spec: CtxSpec): CheckContext {
  const target = sideValues(spec.target);
  const rows = spec.rows ?? target.values.map((_, i) => ({ id: i }));
  return {
    feature: feature(spec.feature),
    location: LOCATION,
    rows: table(rows),
    ...(spec.stored ? { stored: spec.stored, storedType: spec.storedType ?? inferType(spec.stored) } : {}),
    ...(spec.base ? { base: sideValues(spec.base) } : {}),
    target,
    thresholds: thresholdsFrom(spec.thresholds ?? {}),
    sliceBy: spec.sliceBy ?? [],
  };
}

/** A successful run of one side, as `runFeatureSide` returns it. */
export function ran(spec: SideSpec): SideOutcome {
  return { ok: true, result: { ok: true, ...sideValues(spec) } };
}

/** Sampled rows from inline row objects; column types from `types` or inferred from the values. */
export function table(rows: Row[], types: Record<string, ColumnType> = {}): SampleRows {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns: ColumnInfo[] = names.map((name) => ({ name, type: types[name] ?? inferType(rows.map((r) => r[name])) }));
  return rowsFromObjects(rows, columns);
}

export interface ExpectedFinding {
  check: CheckId;
  severity: Severity;
  messageMatch?: RegExp;
  /** Numbers are compared within 1e-9 (relative), everything else exactly. */
  metrics?: Record<string, number | string | null>;
}

/**
 * Asserts that `findings` are exactly the expected ones (as a multiset of check ids; findings of
 * one check are matched in order), each with its severity, message and the given metrics.
 */
export function expectFindings(findings: Finding[], expected: ExpectedFinding[]): void {
  const summary = (fs: { check: string; severity: string }[]) => fs.map((f) => `${f.check}:${f.severity}`).sort();
  assert.deepEqual(summary(findings), summary(expected), `findings: ${JSON.stringify(findings.map((f) => [f.check, f.severity, f.message]), null, 1)}`);
  const used = new Set<Finding>();
  for (const e of expected) {
    const f = findings.find((x) => !used.has(x) && x.check === e.check && x.severity === e.severity)!;
    used.add(f);
    assert.equal(typeof f.message, 'string');
    assert.ok(f.message.length > 0, `${e.check}: empty message`);
    if (e.messageMatch) assert.match(f.message, e.messageMatch, `${e.check} message ${JSON.stringify(f.message)} does not match ${e.messageMatch}`);
    assert.deepEqual(f.location, LOCATION, `${e.check} location`);
    for (const [key, want] of Object.entries(e.metrics ?? {})) {
      assert.ok(f.metrics && key in f.metrics, `${e.check}: metric ${key} missing in ${JSON.stringify(f.metrics)}`);
      const got = f.metrics[key];
      if (typeof want === 'number' && typeof got === 'number') {
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${e.check}: metric ${key} = ${got}, expected ${want}`);
      } else {
        assert.deepEqual(got, want, `${e.check}: metric ${key}`);
      }
    }
  }
}

/** `n` values produced by `fn(i)`. */
export function range<T>(n: number, fn: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => fn(i));
}
