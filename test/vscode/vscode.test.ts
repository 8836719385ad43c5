/**
 * FeatureGuard in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) with headless Chromium.
 * (a) the extension API suite inside the real extension host: trusted, restricted, and Python
 *     (examples/churn-py);
 * (b) the story as a person does it: type the edit, see the squiggle and the Problems entry.
 * Needs `bash .ci/install-vscode-test.sh`; without it these tests fail (they never skip).
 * One code-server window at a time (~0.5 GB each).
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { README_SCREENSHOT, SCREENSHOT, makeStoryWorkspace, plain, runExtensionSuite, type SuiteRun } from './harness';
import { ensureVsix, installVsix, makeRunDirs, requireInstalled, startCodeServer, writeUserSettings, type CodeServerRun, type RunDirs } from './runCodeServer';

function report(run: SuiteRun): string {
  return run.console
    .map(plain)
    .filter((l) => !/vsda|open-vsx|telemetry|Failed to load resource/i.test(l))
    .slice(-80)
    .join('\n');
}

describe('VS Code (code-server): extension API tests in the real extension host', function () {
  this.timeout(300_000);
  before(requireInstalled);

  it('trusted workspace: the story’s edit, unsaved, gets value.mismatch; Run ML Checks, code lens, hover, quick fixes, report, hook', async function () {
    const run = await runExtensionSuite('trusted');
    assert.equal(run.exitCode, 0, `the extension-host suite failed (exit ${run.exitCode}):\n${report(run)}`);
    assert.ok('edit-to-value.mismatch' in run.timings, `the suite ran to the mismatch step:\n${report(run)}`);
    process.stdout.write(`      timings (ms): ${JSON.stringify(run.timings)}; whole run ${run.wallMs} ms\n`);
  });

  it('restricted mode (workspace trust on, not granted): workspace.untrusted, no value.mismatch', async function () {
    const run = await runExtensionSuite('restricted');
    assert.equal(run.exitCode, 0, `the extension-host suite failed (exit ${run.exitCode}):\n${report(run)}`);
    assert.ok('restricted-edit-to-untrusted-diagnostic' in run.timings, `the suite ran to the untrusted step:\n${report(run)}`);
    process.stdout.write(`      timings (ms): ${JSON.stringify(run.timings)}; whole run ${run.wallMs} ms\n`);
  });

  it('Python (examples/churn-py): customer.py is a python document; the story’s edit, unsaved, gets impact on monthly_spend and value.mismatch on both features from a run in Python; undo clears it; a syntax error gets code.syntax', async function () {
    const run = await runExtensionSuite('python');
    assert.equal(run.exitCode, 0, `the extension-host suite failed (exit ${run.exitCode}):\n${report(run)}`);
    assert.ok('python-edit-to-impact' in run.timings, `the suite ran to the impact step:\n${report(run)}`);
    assert.ok('python-edit-to-value.mismatch' in run.timings, `the suite ran to the data-check step:\n${report(run)}`);
    assert.ok('python-edit-to-syntax-error' in run.timings, `the suite ran to the syntax-error step:\n${report(run)}`);
    process.stdout.write(`      timings (ms): ${JSON.stringify(run.timings)}; whole run ${run.wallMs} ms\n`);
  });
});

describe('VS Code (code-server): the story in the editor, typed like a person', function () {
  this.timeout(300_000);

  const ORIGINAL = 'return clip(row.monthly_spend, 0, 10_000);';
  const TYPED = 'return (clip(row.monthly_spend, 0, 10_000) - 62.5) / 48.3;';
  const nbsp = (s: string) => s.replace(/\u00a0/g, ' ');
  const FAILURE_SHOT = SCREENSHOT.replace(/\.png$/, '-failure.png');

  let dirs: RunDirs | undefined;
  let run: CodeServerRun | undefined;
  let ws = '';
  let source = '';
  let line = 0;
  let typedAt = 0;
  let failures = 0;

  before(async function () {
    requireInstalled();
    const vsix = ensureVsix();
    dirs = makeRunDirs('fg-vscode-ui-');
    ws = makeStoryWorkspace(dirs.root);
    source = readFileSync(join(ws, 'src', 'features', 'customer.ts'), 'utf8');
    line = source.split('\n').findIndex((l) => l.trim() === ORIGINAL) + 1;
    assert.ok(line > 0, `customer.ts has "${ORIGINAL}"`);
    installVsix(dirs, vsix);
    // Typing must produce exactly the keys pressed: no auto-closed brackets, no accepted suggestions.
    writeUserSettings(dirs, {
      'editor.autoClosingBrackets': 'never',
      'editor.autoClosingQuotes': 'never',
      'editor.autoSurround': 'never',
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'editor.suggestOnTriggerCharacters': false,
      'editor.acceptSuggestionOnCommitCharacter': false,
      'editor.parameterHints.enabled': false,
      'editor.minimap.enabled': false,
      'workbench.colorTheme': 'Default Dark Modern',
      'window.commandCenter': false,
      'workbench.layoutControl.enabled': false,
    });
    run = await startCodeServer(dirs, { viewport: { width: 1400, height: 860 } });
  });

  // The steps build on each other: after a failed one, the rest fail at once instead of waiting.
  let broken = '';
  beforeEach(function () {
    if (broken) throw new Error(`cannot run: the earlier step "${broken}" failed`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && !broken && /^(opens the workspace|typing the edit)/.test(this.currentTest.title)) broken = this.currentTest.title;
    if (this.currentTest?.state === 'failed' && run) {
      const shot = FAILURE_SHOT.replace(/\.png$/, `-${++failures}.png`);
      mkdirSync(dirname(shot), { recursive: true });
      await run.page.screenshot({ path: shot }).catch(() => undefined);
      const err = (this.currentTest as unknown as { err?: Error }).err;
      const activation = run.console.map(plain).filter((l) => /featureguard/i.test(l) && /fail|error|exists/i.test(l)).slice(0, 5);
      const extra = `\n(screenshot: ${shot}${activation.length ? `; FeatureGuard errors in the workbench:\n${activation.join('\n')}` : ''})`;
      if (err) {
        err.message += extra;
        if (err.stack) err.stack = err.stack.replace(/\n    at /, `${extra}\n    at `);
      }
    }
  });

  after(async function () {
    await run?.close();
    // FEATUREGUARD_VSCODE_KEEP=1 keeps the run's folders (workspace, user data with its logs).
    if (dirs && process.env.FEATUREGUARD_VSCODE_KEEP !== '1') rmSync(dirs.root, { recursive: true, force: true });
    else if (dirs) process.stdout.write(`      kept ${dirs.root}\n`);
  });

  it('opens the workspace, Ctrl+P customer.ts, and FeatureGuard puts its code lenses on the features', async function () {
    const page = run!.page;
    await page.goto(run!.workbenchUrl(ws));
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
    // The explorer shows the folder once the workbench has the workspace.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'featureguard.json' }).first().waitFor({ timeout: 60_000 });
    // Quick Open: Ctrl+P, the file's name, Enter.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.type('customer.ts');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'customer.ts' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: 'monthlySpend' }).first().waitFor({ timeout: 30_000 });
    // FeatureGuard is up when its code lenses are (its first run is done); a failed activation
    // fails the test at once.
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: 'FeatureGuard: spend_usd · unchanged by this edit' }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await lens.isVisible()) break;
      const failed = run!.console.map(plain).find((l) => /Activating extension 'featureguard\.featureguard' failed/.test(l));
      if (failed) throw new Error(`FeatureGuard failed to activate: ${failed}`);
      if (Date.now() > deadline) throw new Error('no FeatureGuard code lens on customer.ts within 60 s of opening it');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('typing the edit puts a red squiggle under monthlySpend', async function () {
    const page = run!.page;
    // Ctrl+G to the line, select it (Shift+Home stops at its first non-blank), type the new line.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type(TYPED, { delay: 15 });
    typedAt = Date.now();
    await page.waitForFunction(
      `[...document.querySelectorAll('.editor-group-container .monaco-editor .view-line')].some((l) => (l.textContent ?? '').replace(/\\u00a0/g, ' ').trim() === ${JSON.stringify(TYPED)})`,
      undefined,
      { timeout: 10_000 },
    );
    // An error squiggle on the line that declares monthlySpend (not a passing TypeScript squiggle
    // from a half-typed line): same screen row as that line.
    await page.waitForFunction(
      `(() => {
        const editor = document.querySelector('.editor-group-container .monaco-editor');
        const decl = [...(editor?.querySelectorAll('.view-lines .view-line') ?? [])].find((l) => (l.textContent ?? '').replace(/\\u00a0/g, ' ').includes('export function monthlySpend('));
        if (!editor || !decl) return false;
        const top = decl.getBoundingClientRect().top;
        return [...editor.querySelectorAll('.squiggly-error')].some((s) => Math.abs(s.getBoundingClientRect().top - top) < 3);
      })()`,
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    process.stdout.write(`      typed → squiggle under monthlySpend ${Date.now() - typedAt} ms\n`);
    // The edit is only in the editor: the file on disk is untouched, the tab shows it unsaved.
    assert.equal(readFileSync(join(ws, 'src', 'features', 'customer.ts'), 'utf8'), source);
    await page.locator('.tabs-container .tab.dirty', { hasText: 'customer.ts' }).first().waitFor({ timeout: 5_000 });
  });

  it('the code lens over monthlySpend shows the verdict once the data check is in (not the pending state)', async function () {
    const page = run!.page;
    // VS Code asks for code lenses when the text changes, before the data check is done; the lens
    // shows the verdict only if the server then asks VS Code to refresh its lenses
    // (workspace/codeLens/refresh). The editor keeps the focus meanwhile, as when a person types.
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: /FeatureGuard: spend_usd · / }).first();
    await page
      .locator('.contentWidgets .codelens-decoration', { hasText: /FeatureGuard: spend_usd · changed/ })
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(async () => {
        throw new Error(`the code lens over monthlySpend still reads "${nbsp((await lens.textContent()) ?? '')}" ${Date.now() - typedAt} ms after the edit, while the squiggle shows the data check's result: the server does not ask VS Code to refresh code lenses (workspace/codeLens/refresh) after a run`);
      });
    assert.match(nbsp((await lens.textContent()) ?? ''), /FeatureGuard: spend_usd · changed · affine · mismatch 100%/);
    process.stdout.write(`      typed → code lens verdict ${Date.now() - typedAt} ms\n`);
  });

  it('Ctrl+Shift+M: the Problems panel lists the value.mismatch', async function () {
    const page = run!.page;
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row').filter({ hasText: /value\.mismatch|differ from the stored/ }).first();
    await row.waitFor({ timeout: 30_000 });
    const rowText = nbsp((await row.textContent()) ?? '');
    assert.match(rowText, /differ from the stored "spend_(usd|per_session)" values/);
    assert.match(rowText, /featureguard\(?value\.mismatch/);
    // Only FeatureGuard's findings: the typed code is valid TypeScript.
    const rows = (await page.locator('.markers-panel .monaco-list-row').allTextContents()).map(nbsp);
    assert.ok(!rows.some((r) => /\bts\(?\d+/.test(r)), `no TypeScript errors in Problems: ${JSON.stringify(rows)}`);
  });

  it('saves a screenshot of what the user sees', async function () {
    const page = run!.page;
    // The Problems panel stays open; the editor keeps the typed line in view.
    await page.locator('.editor-group-container .monaco-editor .squiggly-error').first().waitFor({ timeout: 5_000 });
    await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 5_000 });
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    // The README's picture is committed: refresh it only when asked, or when it is missing.
    if (process.env.FEATUREGUARD_UPDATE_SCREENSHOT === '1' || !existsSync(README_SCREENSHOT)) {
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      copyFileSync(SCREENSHOT, README_SCREENSHOT);
    }
    process.stdout.write(`      screenshot: ${SCREENSHOT}\n`);
  });
});
