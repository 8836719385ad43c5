/**
 * The language server over a real stdio LSP connection (`featureguard lsp --stdio`, the client in
 * core/lspClient.ts): start, keystroke → impact diagnostics p50/p95, save → value.mismatch
 * diagnostics, the server's VmHWM. The server runs with `warmBaseValues: false`: these figures
 * measure what they measured before the background warm-up of base values existed (warmup.ts times it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureParts } from '../../core/checkSection';
import { scaledFeatureText } from '../../core/edits';
import { LspBenchServer, measureKeystrokes, messageOf, sleep, type ServerEvent } from '../../core/lspClient';
import { fmtCount, fmtMB } from '../../core/measure';
import type { Section, SectionContext } from '../../core/types';

type DiagnosticsEvent = Extract<ServerEvent, { type: 'diagnostics' }>;

export const SERVER_SECTIONS: Section[] = [
  {
    id: 'lsp',
    title: 'language server over stdio (featureguard lsp --stdio, warmBaseValues off: comparable with the figures before the warm-up existed): keystroke → impact, save → data diagnostics, RSS',
    async run(ctx) {
      const server = await LspBenchServer.start(ctx.ws, { runDataChecks: 'onSave', warmBaseValues: false });
      ctx.defer(() => server.close());
      try {
        await lspSection(ctx, server);
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        const logs = server.logs.join('').split('\n').slice(-15).join('\n      ');
        throw new Error(`${err.message}${logs ? `\n      server log (last lines):\n      ${logs}` : ''}`);
      }
    },
  },
];

async function lspSection(ctx: SectionContext, server: LspBenchServer): Promise<void> {
  const { meta, opts } = ctx;
  const figureSuffix = `${meta.modules} modules`;
  ctx.record('lsp-start', `language server: start → first idle status (initial run, no edit)`, [{ ms: server.readyMs }], { rssKB: server.memory().hwmKB });

  await measureKeystrokes(ctx, server, {
    id: 'lsp-keystroke',
    figure: 'language server: keystroke (didChange) → impact diagnostics (runDataChecks onSave; no debounce)',
    label: 'language server keystrokes',
  });

  // Saves: edit one feature function (a new factor each time, so no cached result), wait for its
  // impact diagnostics, write the file and time didSave → the publishDiagnostics with value.mismatch.
  // Then undo, save again and wait for the idle status. The first save reads the snapshot.
  const featFile = featureParts(meta.features[0]).file;
  const inFile = meta.features.filter((f) => featureParts(f).file === featFile);
  const featUri = server.uriOf(featFile);
  const abs = join(ctx.ws, featFile);
  const featOriginal = readFileSync(abs, 'utf8');
  ctx.defer(() => writeFileSync(abs, featOriginal));
  server.open(featFile, featOriginal);
  const saveSamples: { ms: number }[] = [];
  const saveFailures: string[] = [];
  const trail: { hwmKB?: number; rssKB?: number }[] = [];
  let first = NaN;
  for (let i = 0; i <= opts.saves; i++) {
    const f = inFile[i % inFile.length];
    const { exportName } = featureParts(f);
    const text = scaledFeatureText(featOriginal, exportName, (1.25 + 0.05 * i).toFixed(2));
    const impact = server.next(`impact of the edit to ${exportName}`, (e) => e.type === 'diagnostics' && e.uri === featUri && e.diagnostics.some((d) => d.code === 'impact' && messageOf(d).startsWith(`Edit to ${exportName} reaches 1 feature`)), 30_000);
    server.change(featFile, text);
    await impact;
    writeFileSync(abs, text);
    const data = server.next<DiagnosticsEvent>(`value.mismatch after save ${i + 1} (${f.name})`, (e) => e.type === 'diagnostics' && e.uri === featUri && e.diagnostics.some((d) => d.code === 'value.mismatch'), 300_000);
    const t0 = performance.now();
    server.save(featFile);
    const e = await data;
    const mismatches = e.diagnostics.filter((d) => d.code === 'value.mismatch').map(messageOf);
    if (mismatches.length !== 1 || !mismatches[0].includes(`(${ctx.params.rows} of ${ctx.params.rows}) differ from the stored "${f.name}" values`)) saveFailures.push(`save ${i + 1}: ${JSON.stringify(mismatches).slice(0, 300)}`);
    if (i === 0) first = e.t - t0;
    else saveSamples.push({ ms: e.t - t0 });
    trail.push(server.memory());
    // Undo: back to the committed text, saved; wait until the server has checked it and is idle.
    const undone = server.next(`cleared diagnostics after undoing ${exportName}`, (e2) => e2.type === 'diagnostics' && e2.uri === featUri && e2.diagnostics.length === 0, 30_000);
    server.change(featFile, featOriginal);
    await undone;
    writeFileSync(abs, featOriginal);
    let sawChecking = false;
    const idle = server.next('idle after the undo was saved', (e2) => e2.type === 'status' && ((sawChecking ||= e2.state === 'checking'), sawChecking && e2.state === 'idle'), 300_000);
    server.save(featFile);
    await idle;
  }
  const afterSaves = server.memory();
  ctx.record('lsp-save-first', `language server: first save → value.mismatch diagnostics (reads the snapshot, ${fmtCount(ctx.params.rows)} rows)`, [{ ms: first }], { rssKB: afterSaves.hwmKB, generic: 'language server: first save → value.mismatch diagnostics' });
  ctx.record('lsp-save', `language server: save (didSave) → value.mismatch diagnostics, 1 feature, ${fmtCount(ctx.params.rows)} rows`, saveSamples, { rssKB: afterSaves.hwmKB, generic: 'language server: save → value.mismatch diagnostics, 1 feature' });
  ctx.check('language server saves', saveFailures.length === 0,
    `${opts.saves} saves (+1 first) of ${featFile}, a different feature or factor each time: each gave one value.mismatch naming the edited feature on all ${ctx.params.rows} rows${saveFailures.length ? ' — ' + saveFailures.slice(0, 3).join(' | ') : ''}`);
  // The warm-up says why it does not run a second after the server is idle (its start delay).
  const warmLogLine = () => server.logs.join('').split('\n').find((l) => /base values are not warmed|warming base values|warmed:/.test(l))?.trim();
  for (let i = 0; i < 100 && !warmLogLine(); i++) await sleep(100);
  const warmLog = warmLogLine();
  ctx.check('language server without warm-up', /warmBaseValues is off/.test(warmLog ?? ''), `the server's log on warming base values: ${warmLog ?? '(nothing)'}`);
  ctx.state.serverMemory = afterSaves;
  ctx.note('language server memory', `VmRSS after each save: ${trail.map((m) => fmtMB(m.rssKB ?? NaN)).join(' → ')}; VmHWM ${fmtMB(afterSaves.hwmKB ?? NaN)} (${figureSuffix}; the server process only: feature code runs in worker processes)`);
}
