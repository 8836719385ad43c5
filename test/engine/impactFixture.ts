/**
 * The one helper every impact test goes through: a base commit, an edit (working tree and/or
 * index), and the expected outcome — which features are affected, through which symbols, with
 * which changes and findings.
 */
import { strict as assert } from 'node:assert';
import { runImpact } from '../../engine/runImpact';
import type { Report } from '../../engine/report/reportTypes';
import { git, makeRepo, writeFiles, type Files } from '../helpers';

export interface ImpactFixture {
  /** Committed files (HEAD). Omit for a repository without commits. */
  base?: Files;
  /** Edits staged with `git add`. */
  staged?: Files;
  /** Edits left in the working tree. */
  worktree?: Files;
  /** `featureguard.json` content (an object is serialized). Written into the base commit. */
  config?: unknown;
  /** Compare HEAD with the index instead of the working tree. */
  useStaged?: boolean;
}

export interface ImpactExpectation {
  /** Affected feature name → expected `via` (symbol names without file), in order. */
  features: Record<string, string[] | { via?: string[]; verdict?: string }>;
  /** Expected changes as `file#symbol:kind`, in any order. */
  changes?: string[];
  /** Expected check ids of report-level findings. */
  findings?: string[];
}

/** Builds the fixture in a real repository and runs `impact` on it. */
export async function impactOf(fx: ImpactFixture): Promise<Report> {
  const configText = fx.config === undefined ? undefined : typeof fx.config === 'string' ? fx.config : JSON.stringify(fx.config, null, 2);
  const baseFiles: Files = { ...(fx.base ?? {}), ...(configText !== undefined ? { 'featureguard.json': configText } : {}) };
  const root = fx.base ? makeRepo(baseFiles) : makeRepo();
  if (!fx.base) writeFiles(root, baseFiles);
  if (fx.staged) {
    writeFiles(root, fx.staged);
    git(root, 'add', '-A', '--', ...Object.keys(fx.staged));
  }
  if (fx.worktree) writeFiles(root, fx.worktree);
  return runImpact({ cwd: root, staged: fx.useStaged, diskCache: false });
}

/** Runs the fixture and asserts the expectation exactly: no other features, changes or findings. */
export async function checkImpact(fx: ImpactFixture, expected: ImpactExpectation): Promise<Report> {
  const report = await impactOf(fx);
  const actual: Record<string, { via: string[]; verdict: string }> = {};
  for (const f of report.features) actual[f.name] = { via: f.via.map((v) => v.slice(v.lastIndexOf('#') + 1)), verdict: f.verdict };
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected.features).sort(), 'affected features');
  for (const [name, exp] of Object.entries(expected.features)) {
    const e = Array.isArray(exp) ? { via: exp } : exp;
    if (e.via) assert.deepEqual(actual[name].via, e.via, `via of ${name}`);
    if (e.verdict) assert.equal(actual[name].verdict, e.verdict, `verdict of ${name}`);
  }
  if (expected.changes) {
    const changes = report.changes.map((c) => `${c.file}#${c.symbol}:${c.kind}`).sort();
    assert.deepEqual(changes, [...expected.changes].sort(), 'changes');
  }
  const findings = [...report.findings, ...report.features.flatMap((f) => f.findings)].map((f) => f.check).sort();
  assert.deepEqual(findings, [...(expected.findings ?? [])].sort(), 'findings');
  return report;
}
