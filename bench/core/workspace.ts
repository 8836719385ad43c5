/**
 * Running a family's sections over its workspace: the generated workspace (reused while nothing it
 * depends on changed), a private clone to measure in, and the context the sections record through.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHASES } from './checkSection';
import { chooseEdit, editConstant } from './edits';
import { expectedImpact } from '../generators/generateWorkspace';
import { fmtMB, fmtMs, loadNow, median, percentile } from './measure';
import { WORK } from './paths';
import type { BenchOptions, Check, Family, Note, Row, SectionContext, WorkspaceMeta, WorkspaceParams, WorkspaceResult } from './types';

const wsDir = (p: WorkspaceParams, lang: Pick<Family, 'prefix'>) => join(WORK, `${lang.prefix}-${p.modules}m-${p.features}f-${p.rows}r-s${p.seed}`);

export function gitOut(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
}

/** Generates the workspace, or reuses the one from an earlier run when nothing it depends on changed. */
export async function prepareWorkspace(params: WorkspaceParams, opts: Pick<BenchOptions, 'regenerate'>, lang: Pick<Family, 'prefix' | 'generate' | 'generatorVersion'>): Promise<{ meta: WorkspaceMeta; generatedMs: number | undefined }> {
  const dir = wsDir(params, lang);
  const metaFile = `${dir}.meta.json`;
  if (!opts.regenerate && existsSync(metaFile) && existsSync(join(dir, '.git'))) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as WorkspaceMeta;
      const same = meta.generator === lang.generatorVersion() && JSON.stringify(meta.args) === JSON.stringify(params);
      if (same && gitOut(dir, ['rev-parse', 'HEAD']) === meta.commit && gitOut(dir, ['status', '--porcelain']) === '') {
        return { meta, generatedMs: undefined };
      }
    } catch {
      // Unreadable meta or broken repository: generate again.
    }
  }
  mkdirSync(WORK, { recursive: true });
  const t0 = performance.now();
  const meta = await lang.generate(dir, params, { onProgress: (m) => console.log(`   generating: ${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`) });
  const generatedMs = performance.now() - t0;
  writeFileSync(metaFile, JSON.stringify(meta));
  return { meta, generatedMs };
}

/**
 * A private clone of the generated workspace for one run (objects hard-linked, files checked out),
 * so nobody else editing bench/work/ws-* at the same time can disturb the measurements or checks.
 */
export function privateClone(dir: string, name: string): string {
  const clone = join(WORK, `run-${process.pid}-${name}`);
  rmSync(clone, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--local', dir, clone], { stdio: 'ignore' });
  // Settle the index (racily-clean entries right after checkout) before anything is timed.
  gitOut(clone, ['status', '--porcelain']);
  return clone;
}

/** Runs a family's sections (those `--sections` names, or all) over its workspace. */
export async function benchWorkspace(name: string, params: WorkspaceParams, opts: BenchOptions, lang: Family): Promise<WorkspaceResult> {
  console.log(`\n# ${name}: ${params.modules} ${lang.language} modules, ${params.features} features, ${params.rows} rows, seed ${params.seed}`);
  const { meta, generatedMs } = await prepareWorkspace(params, opts, lang);
  const ws = privateClone(meta.dir, name);
  console.log(`## Workspace ${name}: ${meta.modules} modules in ${meta.layers} layers, ${meta.features.length} features, ${meta.lines} lines of ${lang.language} (${meta.files} files), ${params.rows} rows`);
  console.log(generatedMs === undefined ? `   reused ${meta.dir} (commit ${meta.commit.slice(0, 12)})` : `   generated into ${meta.dir} in ${(generatedMs / 1000).toFixed(1)} s (commit ${meta.commit.slice(0, 12)})`);
  console.log(`   measuring in a private clone: ${ws}`);
  // A workspace without constants (a family measuring data only) has no main edit.
  const mainEdit = meta.constants.length ? chooseEdit(meta) : undefined;
  const rows: Row[] = [];
  const checks: Check[] = [];
  const undos: { key: string; undo: () => unknown }[] = [];
  const notes: Note[] = [];
  const ctx: SectionContext = {
    name, ws, meta, opts, params, state: {},
    get editConstant() {
      if (!mainEdit) throw new Error(`workspace ${name} has no constants to edit`);
      return mainEdit;
    },
    gitOut: (args) => gitOut(ws, args),
    editFile(path, transform) {
      const file = join(ws, path);
      const before = readFileSync(file, 'utf8');
      writeFileSync(file, transform(before));
      undos.push({ key: `file:${path}:${undos.length}`, undo: () => writeFileSync(file, before) });
    },
    defer(fn) {
      undos.push({ key: `defer:${undos.length}`, undo: fn });
    },
    note(label, detail) {
      notes.push({ label, detail });
      console.log(`   note ${label}: ${detail}`);
    },
    edit(constant) {
      const key = constant.id;
      if (undos.some((u) => u.key === key)) return () => {};
      const undo = editConstant(ws, constant);
      const entry = { key, undo };
      undos.push(entry);
      return () => {
        const i = undos.indexOf(entry);
        if (i >= 0) undos.splice(i, 1), undo();
      };
    },
    /**
     * A row of the table: median, spread and (with `p95: true`) p95 of the samples' `ms`, the peak
     * of their `rssKB` (or `extra.rssKB`), the 1-minute load average now. Returns the row.
     */
    record(id, figure, samples, extra = {}) {
      const load = loadNow();
      if (extra.skipped) {
        const row: Row = { id, figure, n: 0, skipped: extra.skipped, load, median: NaN, min: NaN, max: NaN };
        rows.push(row);
        console.log(`   ${figure}`);
        return row;
      }
      const ms = samples.map((s) => s.ms);
      const rss = samples.map((s) => s.rssKB).filter((x): x is number => x !== undefined);
      if (extra.rssKB !== undefined) rss.push(extra.rssKB);
      const row: Row = { id, figure, generic: extra.generic, n: ms.length, median: median(ms), min: Math.min(...ms), max: Math.max(...ms), p95: extra.p95 ? percentile(ms, 95) : undefined, rssKB: rss.length ? Math.max(...rss) : undefined, phases: extra.phases, load };
      rows.push(row);
      const phases = row.phases;
      console.log(`   ${figure}: median ${fmtMs(row.median)} (${fmtMs(row.min)}–${fmtMs(row.max)})${row.p95 !== undefined ? `, p95 ${fmtMs(row.p95)}` : ''}${row.rssKB ? `, peak RSS ${fmtMB(row.rssKB)}` : ''}${phases ? `; phases ${PHASES.map((k) => `${k} ${Math.round(phases[k])}`).join(', ')} ms` : ''} (load ${load})`);
      return row;
    },
    check(label, ok, detail) {
      checks.push({ label, ok, detail });
      console.log(`   check ${label}: ${ok ? 'ok' : 'WRONG'} — ${detail}`);
    },
  };
  if (mainEdit) console.log(`   edit: ${mainEdit.id} (${mainEdit.value} → ×1.25), reaches ${expectedImpact(meta, mainEdit.id).length} of ${meta.features.length} features`);
  try {
    for (const section of lang.sections) {
      if (opts.sections && !opts.sections.includes(section.id)) continue;
      console.log(`-- ${section.id}: ${section.title} (load ${loadNow()})`);
      try {
        await section.run(ctx);
      } catch (err) {
        // FeatureGuard crashing or exiting badly on the generated code is a wrong result, not a bench bug.
        ctx.check(`${section.id} ran`, false, String((err as Error)?.stack ?? err).split('\n').slice(0, 12).join('\n      '));
      } finally {
        while (undos.length) {
          try {
            await undos.pop()!.undo();
          } catch (err) {
            console.log(`   warning: undo after ${section.id} failed: ${(err as Error)?.message ?? err}`);
          }
        }
      }
    }
  } finally {
    if (gitOut(ws, ['status', '--porcelain']) !== '') console.log(`   warning: ${ws} is not clean after the run`);
    if (!opts.keep) rmSync(ws, { recursive: true, force: true });
  }
  const correct = checks.every((c) => c.ok);
  console.log(`results correct: ${correct ? 'yes' : 'no'}`);
  return { name, lang, params, meta, generatedMs, rows, checks, notes, correct, editConstant: mainEdit, loadEnd: loadNow(), state: ctx.state };
}
