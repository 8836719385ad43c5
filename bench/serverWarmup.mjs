#!/usr/bin/env node
/**
 * The language server's background warm-up of base values on a generated workspace, and what it
 * buys the first save-check after it. Standalone (not yet a section of `npm run bench`):
 *
 *   node bench/serverWarmup.mjs WS [--runs 3]
 *
 * WS: a workspace from `node bench/generateWorkspace.mjs WS --modules 500 --features 50 --rows 100000 --seed 1`
 * (committed, clean). Each run clones it (objects shared), and for two servers in turn — warm-up on
 * and warm-up off — with `.git/featureguard/results/` empty at start:
 *   1. starts the server (`runDataChecks: onSave`) and waits for its first idle status;
 *   2. warm-up on: waits for the log line "base values of HEAD … warmed" and takes the time from
 *      the first `warming` status to the idle status after it (the log's own figure beside it);
 *   3. scales every feature on disk (`return F * (EXPR);`, as the scale section does), saves one
 *      feature file in the editor and times save → the idle status of that check, reading the
 *      report's `summary.cache` through `featureguard/reports`.
 * Prints one line per figure with the load average and the server's peak RSS (VmHWM); wall time
 * on shared cores is noisy: compare the two servers' save-checks within one run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { scaledFeatureText } from './edits.mjs';
import { LspBenchServer } from './lspClient.mjs';
import { BUILT_CLI, CLI, WORK } from './paths.mjs';

const args = process.argv.slice(2);
const source = args.find((a) => !a.startsWith('--'));
const runs = Number(args[args.indexOf('--runs') + 1]) || (args.includes('--runs') ? 1 : 3);
if (!source) throw new Error('usage: node bench/serverWarmup.mjs WS [--runs N]');
cpSync(dirname(BUILT_CLI), dirname(CLI), { recursive: true });

const load = () => loadavg()[0].toFixed(2);
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const config = JSON.parse(readFileSync(join(source, 'featureguard.json'), 'utf8'));
const features = Object.values(config.features).map((f) => {
  const [file, exportName] = f.source.split('#');
  return { file, exportName };
});

function clone(name) {
  const dir = join(WORK, `warmup-${process.pid}-${name}`);
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--local', source, dir], { stdio: 'ignore' });
  execFileSync('git', ['status', '--porcelain'], { cwd: dir });
  return dir;
}

function scaleAll(dir, factor) {
  const byFile = new Map();
  for (const f of features) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.exportName]);
  for (const [file, names] of byFile) {
    const path = join(dir, file);
    writeFileSync(path, names.reduce((t, n) => scaledFeatureText(t, n, factor), readFileSync(path, 'utf8')));
  }
  return [...byFile.keys()][0];
}

async function one(warm, run) {
  const dir = clone(`${warm ? 'on' : 'off'}-${run}`);
  const out = { warm };
  const server = await LspBenchServer.start(dir, { runDataChecks: 'onSave', warmBaseValues: warm });
  try {
    if (warm) {
      const first = await server.next('the first warming status', (e) => e.type === 'status' && e.state === 'warming', 120_000);
      const idle = await server.next('the idle status after the warm-up', (e) => e.type === 'status' && e.state === 'idle', 600_000);
      out.warmupMs = idle.t - first.t;
      out.warmupLoad = load();
      out.logLine = server.logs.find((l) => /warmed:/.test(l))?.trim();
      out.warmRssMB = Math.round(server.memory().hwmKB / 1024);
    }
    const file = scaleAll(dir, 1.5 + run * 0.25);
    server.open(file, readFileSync(join(dir, file), 'utf8'));
    const started = performance.now();
    server.save(file);
    await server.next('the save-check', (e) => e.type === 'status' && e.state === 'checking', 60_000);
    const done = await server.next('the end of the save-check', (e) => e.type === 'status' && (e.state === 'idle' || e.state === 'error'), 600_000);
    out.saveCheckMs = done.t - started;
    out.saveLoad = load();
    out.peakRssMB = Math.round(server.memory().hwmKB / 1024);
    const reports = await server.connection.sendRequest('featureguard/reports');
    out.cache = reports[0]?.report.summary.cache;
    out.affected = reports[0]?.report.summary.featuresAffected;
    out.timings = reports[0]?.report.summary.timings;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

console.log(`server warm-up on ${source} (${features.length} features), ${runs} run(s); load average at start ${load()}`);
for (let run = 0; run < runs; run++) {
  for (const warm of [true, false]) {
    const r = await one(warm, run);
    if (warm) console.log(`run ${run + 1}: warm-up ${fmt(r.warmupMs)} (load ${r.warmupLoad}), server peak RSS ${r.warmRssMB} MB — ${r.logLine}`);
    console.log(`run ${run + 1}: first save-check, warm-up ${warm ? 'on ' : 'off'}: ${fmt(r.saveCheckMs)} (load ${r.saveLoad}), server peak RSS ${r.peakRssMB} MB, ${r.affected} affected, cache ${JSON.stringify(r.cache)}, timings ${JSON.stringify(r.timings)}`);
  }
}
rmSync(dirname(CLI), { recursive: true, force: true });
