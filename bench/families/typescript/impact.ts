/**
 * Static impact of the TypeScript workspaces against `tsc --noEmit`: whole processes (cold, disk
 * cache present, snapshot file touched) and the warm paths in this process (runImpact, the
 * language server's WorkspaceSession without transport). Every report is checked against the
 * generator's reference graph.
 */
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { editedText, impactCheck, warmEdits, type ImpactReport } from '../../core/edits';
import { loadEngine } from '../../core/engine';
import { fillSummaryCache, fmtMs, measureProcess } from '../../core/measure';
import { CLI, TSC } from '../../core/paths';
import type { MetaConstant, Section } from '../../core/types';

export const IMPACT_SECTIONS: Section[] = [
  {
    id: 'tsc',
    title: 'tsc --noEmit (TypeScript 7 native), whole process',
    run(ctx) {
      const samples = measureProcess('tsc', TSC, ['--noEmit', '-p', ctx.ws], { cwd: ctx.ws, runs: ctx.opts.runs });
      ctx.record('tsc', 'tsc --noEmit (TS 7 native)', samples);
    },
  },
  {
    id: 'impact-cold',
    title: 'featureguard impact, no cache (.git/featureguard deleted before each run)',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      const cacheDir = join(ctx.ws, '.git/featureguard');
      const samples = measureProcess('featureguard impact (cold)', process.execPath, [CLI, 'impact', '--format', 'json'], {
        cwd: ctx.ws, runs: ctx.opts.runs, before: () => rmSync(cacheDir, { recursive: true, force: true }),
      });
      ctx.record('impact-cold', 'featureguard impact, cold (no cache)', samples);
      const report = JSON.parse(samples[0].stdout) as ImpactReport;
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cold)', problems.length === 0, `edit ${ctx.editConstant.id}: ${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
      // The report without what differs from run to run: its duration and phase timings.
      const strip = (text: string) => {
        const { summary, ...rest } = JSON.parse(text) as { summary: Record<string, unknown> };
        const { durationMs, timings, ...counts } = summary;
        return JSON.stringify({ ...rest, summary: counts });
      };
      if (samples.some((s) => strip(s.stdout) !== strip(samples[0].stdout))) ctx.check('impact (CLI, cold) deterministic', false, 'the reports of the runs differ');
    },
  },
  {
    id: 'impact-cached',
    title: 'featureguard impact, on-disk summary cache present (same edit)',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      // Fill the cache with this exact tree first (the cold section may not have run).
      fillSummaryCache(ctx.ws);
      const samples = measureProcess('featureguard impact (cached)', process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: ctx.ws, runs: ctx.opts.runs });
      ctx.record('impact-cached', 'featureguard impact, disk cache present', samples);
      const report = JSON.parse(samples[samples.length - 1].stdout) as ImpactReport;
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cached)', problems.length === 0, `${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
    },
  },
  {
    id: 'impact-touched-snapshot',
    title: 'featureguard impact right after the snapshot file was touched (same bytes, new mtime), cache present',
    run(ctx) {
      // A restored CI cache, a re-downloaded identical snapshot or `touch` leaves git's index with
      // stale stat data for a large tracked file. FeatureGuard limits git to source paths and uses
      // diff-index, which never re-reads it (nor rewrites the index): the run must stay as fast.
      ctx.edit(ctx.editConstant);
      fillSummaryCache(ctx.ws);
      const snapshot = join(ctx.ws, 'data/main.parquet');
      const samples = measureProcess('featureguard impact (touched snapshot)', process.execPath, [CLI, 'impact', '--format', 'json'], {
        cwd: ctx.ws, runs: 1, before: () => { const now = new Date(); utimesSync(snapshot, now, now); },
      });
      ctx.record('impact-touched', 'featureguard impact, snapshot file touched (1 run)', samples);
      const { problems } = impactCheck(ctx.meta, JSON.parse(samples[0].stdout) as ImpactReport, ctx.editConstant);
      ctx.check('impact (CLI, touched snapshot)', problems.length === 0, problems.length ? problems.join('; ') : 'same report');
    },
  },
  {
    id: 'impact-warm',
    title: 'one-file edit re-analysis in one process (PROXY for the language server\'s warm path)',
    async run(ctx) {
      const { runImpact } = await loadEngine();
      const once = async (constant: MetaConstant) => {
        const undo = ctx.edit(constant);
        const t0 = performance.now();
        const report = (await runImpact({ cwd: ctx.ws, diskCache: true })) as unknown as ImpactReport;
        const ms = performance.now() - t0;
        undo();
        return { ms, report };
      };
      const { warmup, edits } = warmEdits(ctx.meta, ctx.opts.edits);
      for (const c of warmup) await once(c); // untimed: load the compiler, fill the cache, warm the JIT
      const samples: { ms: number }[] = [];
      const failures: string[] = [];
      let reached = 0;
      for (const constant of edits) {
        const { ms, report } = await once(constant);
        samples.push({ ms });
        const { expected, problems } = impactCheck(ctx.meta, report, constant);
        reached += expected.length;
        if (problems.length) failures.push(`${constant.id}: ${problems.join('; ')}`);
      }
      ctx.record('impact-warm', 'one-file edit, in-process runImpact (proxy: files on disk, disk cache)', samples, { p95: true });
      ctx.check('impact (in-process runImpact, random edits)', failures.length === 0,
        `${edits.length} edits in all layers, ${(reached / edits.length).toFixed(1)} features reached on average${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
    },
  },
  {
    id: 'impact-session',
    title: 'one-buffer edit re-analysis in a WorkspaceSession (the language server\'s warm path, without LSP transport)',
    async run(ctx) {
      const { WorkspaceSession, neverCancelled } = await loadEngine();
      if (!WorkspaceSession) return console.log('   (no engine/session/workspaceSession.ts: skipped)');
      const session = await WorkspaceSession.open({ cwd: ctx.ws });
      let open: string | undefined;
      const once = async (constant: MetaConstant) => {
        if (open && open !== constant.path) session.setBuffer(open, undefined);
        session.setBuffer(constant.path, editedText(ctx.ws, constant));
        open = constant.path;
        const t0 = performance.now();
        const { report } = await session.impact(neverCancelled);
        return { ms: performance.now() - t0, report: report as unknown as ImpactReport };
      };
      const { warmup, edits } = warmEdits(ctx.meta, ctx.opts.edits);
      const first = await once(warmup[0]); // untimed: parses both sides, loads the compiler
      await once(warmup[1]);
      const samples: { ms: number }[] = [];
      const failures: string[] = [];
      for (const constant of edits) {
        const { ms, report } = await once(constant);
        samples.push({ ms });
        const { problems } = impactCheck(ctx.meta, report, constant);
        if (problems.length) failures.push(`${constant.id}: ${problems.join('; ')}`);
      }
      ctx.record('impact-session', 'one-buffer edit, WorkspaceSession.impact (LSP warm path, no transport)', samples, { p95: true });
      ctx.check('impact (WorkspaceSession, same edits)', failures.length === 0,
        `${edits.length} buffer edits; first (cold) session run ${fmtMs(first.ms)}${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
    },
  },
];
