/**
 * The language server's background warm-up of base values (`featureguard.warmBaseValues`) and what
 * it buys the first save-check after it. Per run, two servers in turn — warm-up on, warm-up off —
 * each on a fresh private clone (`.git/featureguard/results/` empty, the default 256 MB results-cache
 * bound as an editor has it, or room for every base value when they need more — see `editorEnv`): start; with warm-up on, time the first `warming` status → the idle
 * status after `warming` reached total; then scale every feature on disk, save one feature file in
 * the editor and time didSave → the idle status of that check, reading its `summary.cache`.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureParts } from '../../core/checkSection';
import { scaledFeatureText } from '../../core/edits';
import { LspBenchServer, type ServerEvent } from '../../core/lspClient';
import { fmtMB, fmtMs, loadNow } from '../../core/measure';
import { privateClone } from '../../core/workspace';
import type { Section, SectionContext } from '../../core/types';

type StatusEvent = Extract<ServerEvent, { type: 'status' }>;

/** Runs of the pair (each a server start, a warm-up and a whole check of every feature): at most 3. */
const MAX_RUNS = 3;
/**
 * The engine's default results-cache bound (bench/main.ts sets 0 for the processes it starts), or
 * more when every feature's base values would not fit in it (`--large`: 200 features × 1M rows
 * ≈ 1.8 GB, where the warm-up stops at the bound): room for all of them and a quarter more.
 */
function editorEnv(features: number, rows: number): NodeJS.ProcessEnv {
  const needMb = Math.ceil((features * rows * 9 * 1.25) / 2 ** 20);
  return { ...process.env, FEATUREGUARD_RESULTS_CACHE_MB: String(Math.max(256, needMb)) };
}

interface CacheSummary {
  baseHits?: number;
  targetHits?: number;
  misses?: number;
}

interface ServerRun {
  warm: boolean;
  warmupMs?: number;
  rssBeforeKB?: number;
  rssAfterKB?: number;
  warmHwmKB?: number;
  warmedTotal?: number;
  logLine?: string;
  warmLoad?: string;
  saveLoad?: string;
  saveMs: number;
  saveHwmKB?: number;
  state?: string;
  affected?: number;
  cache?: CacheSummary;
  timings?: Record<string, number>;
}

export const WARMUP_SECTIONS: Section[] = [
  {
    id: 'lsp-warmup',
    title: 'language server: background warm-up of base values, and the first save-check after it (warm-up on vs off)',
    run: warmupSection,
  },
];

async function warmupSection(ctx: SectionContext): Promise<void> {
  const { meta } = ctx;
  const n = meta.features.length;
  const runs = Math.min(ctx.opts.runs, MAX_RUNS);
  const results: { on: ServerRun; off: ServerRun }[] = [];
  for (let run = 0; run < runs; run++) {
    const on = await oneServer(ctx, true, run);
    const off = await oneServer(ctx, false, run);
    results.push({ on, off });
    console.log(`   run ${run + 1}: warm-up ${fmtMs(on.warmupMs ?? NaN)}, VmRSS ${fmtMB(on.rssBeforeKB ?? NaN)} → ${fmtMB(on.rssAfterKB ?? NaN)}; first save-check on ${fmtMs(on.saveMs)} / off ${fmtMs(off.saveMs)} = ${(on.saveMs / off.saveMs).toFixed(2)}× (load ${on.warmLoad}, ${on.saveLoad}, ${off.saveLoad})`);
  }
  const ons = results.map((r) => r.on), offs = results.map((r) => r.off);
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const ratios = results.map((r) => r.on.saveMs / r.off.saveMs);
  const before = mid(ons.map((r) => r.rssBeforeKB ?? NaN)), after = mid(ons.map((r) => r.rssAfterKB ?? NaN));
  ctx.record('lsp-warmup', `language server: background warm-up of base values, ${n} features (first 'warming' status → idle after ${n}/${n})`,
    ons.map((r) => ({ ms: r.warmupMs ?? NaN, rssKB: r.warmHwmKB })),
    { generic: 'language server: background warm-up of base values, all features' }).ratio = `VmRSS ${fmtMB(before)} → ${fmtMB(after)}`;
  ctx.record('lsp-warmup-save-on', `language server: first save-check after the warm-up (every feature scaled on disk, one file saved → idle)`,
    ons.map((r) => ({ ms: r.saveMs, rssKB: r.saveHwmKB })),
    { generic: 'language server: first save-check of every feature after the warm-up' }).ratio = `${mid(ratios).toFixed(2)}× off`;
  ctx.record('lsp-warmup-save-off', `language server: the same first save-check, warm-up off`,
    offs.map((r) => ({ ms: r.saveMs, rssKB: r.saveHwmKB })),
    { generic: 'language server: first save-check of every feature, warm-up off' });
  for (const [i, r] of results.entries()) {
    ctx.note(`warm-up run ${i + 1}`, `${r.on.logLine ?? '(no "warmed" log line)'}; VmRSS ${fmtMB(r.on.rssBeforeKB ?? NaN)} → ${fmtMB(r.on.rssAfterKB ?? NaN)}, VmHWM ${fmtMB(r.on.warmHwmKB ?? NaN)} (load ${r.on.warmLoad})`);
    for (const s of [r.on, r.off]) ctx.note(`first save-check run ${i + 1}, warm-up ${s.warm ? 'on' : 'off'}`, `${fmtMs(s.saveMs)} (load ${s.saveLoad}), server VmHWM ${fmtMB(s.saveHwmKB ?? NaN)}, ${s.affected} affected, summary.cache ${JSON.stringify(s.cache ?? null)}, timings ${JSON.stringify(s.timings ?? null)}`);
  }
  const wrong: string[] = [];
  for (const [i, { on, off }] of results.entries()) {
    if (on.warmedTotal !== n) wrong.push(`run ${i + 1}: warming reached ${on.warmedTotal} of ${n}`);
    for (const s of [on, off]) {
      if (s.state !== 'idle') wrong.push(`run ${i + 1} (${s.warm ? 'on' : 'off'}): the check ended ${s.state}`);
      if (s.affected !== n) wrong.push(`run ${i + 1} (${s.warm ? 'on' : 'off'}): ${s.affected} features affected`);
    }
    if (on.cache?.baseHits !== n) wrong.push(`run ${i + 1} (on): baseHits ${on.cache?.baseHits}`);
    if (off.cache?.baseHits !== 0) wrong.push(`run ${i + 1} (off): baseHits ${off.cache?.baseHits}`);
  }
  ctx.check('language server warm-up', wrong.length === 0,
    `${runs} run(s): warming reached ${n}/${n}; the first save-check after it found every base value in the cache (summary.cache.baseHits ${n}), without the warm-up none (0); each check reported ${n} affected features${wrong.length ? ' — ' + wrong.slice(0, 4).join(' | ') : ''}`);
  ctx.state.warmup = results;
}

/** One server on a fresh clone: its warm-up (when on), then the first save-check of every feature scaled. */
async function oneServer(ctx: SectionContext, warm: boolean, run: number): Promise<ServerRun> {
  const dir = privateClone(ctx.meta.dir, `${ctx.name}-warmup-${warm ? 'on' : 'off'}-${run}`);
  try {
    const server = await LspBenchServer.start(dir, { runDataChecks: 'onSave', warmBaseValues: warm }, editorEnv(ctx.meta.features.length, ctx.meta.args.rows));
    try {
      return await measure(ctx, server, dir, warm, run);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      const logs = server.logs.join('').split('\n').slice(-15).join('\n      ');
      throw new Error(`${err.message}${logs ? `\n      server log (last lines):\n      ${logs}` : ''}`);
    } finally {
      await server.close();
    }
  } finally {
    if (!ctx.opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(ctx: SectionContext, server: LspBenchServer, dir: string, warm: boolean, run: number): Promise<ServerRun> {
  const out: Partial<ServerRun> = { warm };
  if (warm) {
    // The warm-up starts after the first idle status (LspBenchServer.start waited for it).
    out.rssBeforeKB = server.memory().rssKB;
    let total: number | undefined;
    const first = server.next<StatusEvent>('the first warming status', (e) => e.type === 'status' && e.state === 'warming', 120_000);
    const idle = server.next<StatusEvent>('the idle status after warming reached total', (e) => {
      if (e.type !== 'status') return false;
      const w = e.warming as { done?: number; total?: number } | undefined;
      if (e.state === 'warming' && w && w.done === w.total) total = w.total;
      return total !== undefined && e.state === 'idle';
    }, 900_000);
    const [f, i] = await Promise.all([first, idle]);
    out.warmupMs = i.t - f.t;
    out.warmedTotal = total;
    const mem = server.memory();
    out.rssAfterKB = mem.rssKB;
    out.warmHwmKB = mem.hwmKB;
    out.warmLoad = loadNow();
    out.logLine = server.logs.join('').split('\n').find((l) => / warmed: /.test(l))?.trim();
  }
  // Every feature scaled on disk (a new factor per run), one feature file saved in the editor.
  const byFile = new Map<string, string[]>();
  for (const f of ctx.meta.features) {
    const { file, exportName } = featureParts(f);
    byFile.set(file, [...(byFile.get(file) ?? []), exportName]);
  }
  const factor = (1.5 + run * 0.25).toFixed(2);
  for (const [file, names] of byFile) {
    const path = join(dir, file);
    writeFileSync(path, names.reduce((t, name) => scaledFeatureText(t, name, factor), readFileSync(path, 'utf8')));
  }
  const file = [...byFile.keys()][0];
  server.open(file, readFileSync(join(dir, file), 'utf8'));
  let sawChecking = false;
  const done = server.next<StatusEvent>('the end of the save-check', (e) => e.type === 'status' && ((sawChecking ||= e.state === 'checking'), sawChecking && (e.state === 'idle' || e.state === 'error')), 900_000);
  const t0 = performance.now();
  server.save(file);
  const end = await done;
  out.saveMs = end.t - t0;
  out.state = end.state;
  out.saveLoad = loadNow();
  out.saveHwmKB = server.memory().hwmKB;
  const reports = await server.request<{ report: { summary: { cache?: CacheSummary; featuresAffected?: number; timings?: Record<string, number> } } }[]>('featureguard/reports');
  const summary = reports[0]?.report.summary;
  out.cache = summary?.cache;
  out.affected = summary?.featuresAffected;
  out.timings = summary?.timings;
  return out as ServerRun;
}
