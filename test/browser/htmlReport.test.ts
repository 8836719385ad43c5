/**
 * The `--format html` report rendered in headless Chromium (Debian's, driven by playwright-core):
 * the page shows each affected feature with its verdict and its histogram, and each model that
 * reads a changed feature with its one-line result and its score distributions before and after
 * the edit (SPEC §10); it loads nothing remote, and screenshots are kept under test-output/.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { REPO_ROOT, removeTempDirs, runCli, tempDir } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';
import { modelRepo } from '../e2e/modelRepo';

const CHROMIUM = '/usr/bin/chromium';

async function withPage(file: string, fn: (page: import('playwright-core').Page, requests: string[]) => Promise<void>): Promise<void> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/install-vscode-test.sh (it installs Debian's chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await fn(page, requests);
  } finally {
    await browser.close();
  }
}

function screenshotPath(name: string): string {
  const shots = join(REPO_ROOT, 'test-output');
  mkdirSync(shots, { recursive: true });
  return join(shots, name);
}

describe('HTML report in headless Chromium', function () {
  this.timeout(90000);
  after(removeTempDirs);

  it('renders the features, their histograms and findings, with no remote request', async () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    edit(root, "'high' : 'low'", "'high' : 'standard'");
    const out = join(tempDir(), 'report.html');
    assert.equal(runCli(root, ['check', '--format', 'html', '--output', out]).code, 1);

    await withPage(out, async (page, requests) => {
      const headings = await page.locator('section.feature h2').allInnerTexts();
      assert.deepEqual(headings.map((h) => h.replace(/\s+/g, ' ').trim()).sort(), ['spend changed', 'tier changed']);
      const bars = await page.locator('#feature-spend svg rect').count();
      assert.ok(bars >= 20, `the spend histogram draws its bins (${bars} bars)`);
      const box = await page.locator('#feature-spend svg').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, 'the histogram is visible');
      assert.match(await page.locator('#feature-spend .findings').innerText(), /value\.mismatch/);
      assert.match(await page.locator('#feature-tier .change').innerText(), /category-remap/);
      assert.equal(await page.locator('#models').count(), 0, 'no model section without configured models');
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no remote resources');
      await page.screenshot({ path: screenshotPath('html-report.png'), fullPage: true });
    });
  });

  it('renders a Models section: one line per model and its score histogram before and after the edit', async () => {
    const root = modelRepo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const json = join(tempDir(), 'report.json');
    const out = join(tempDir(), 'report.html');
    assert.equal(runCli(root, ['check', '--format', 'json', '--output', json]).code, 1);
    assert.equal(runCli(root, ['check', '--format', 'html', '--output', out]).code, 1);
    const model = JSON.parse(readFileSync(json, 'utf8')).models[0];
    assert.match(model.summary, /^churn_model_v3: \d+% of predictions flip \(800 rows\)$/);

    await withPage(out, async (page, requests) => {
      const section = page.locator('section#models');
      assert.equal(await section.locator('h2').innerText(), 'Models');
      assert.equal(await section.locator('.model').count(), 1, 'one entry per model');
      assert.equal((await section.locator('#model-churn_model_v3 .model-line').innerText()).trim(), model.summary);
      assert.match(await section.locator('#model-churn_model_v3').innerText(), /reads spend/);

      // Two bars per score bin (before, after), each titled with its count of rows.
      const bins = model.histogram.before.length;
      const rects = section.locator('#model-churn_model_v3 svg rect');
      assert.equal(await rects.count(), 2 * bins, `${bins} bins, before and after`);
      const titles = await section.locator('#model-churn_model_v3 svg rect title').allTextContents();
      for (let i = 0; i < bins; i++) {
        const [before, after] = [titles[2 * i], titles[2 * i + 1]];
        assert.ok(before.startsWith(`before (as stored): ${model.histogram.before[i].toLocaleString('en-US')} rows (`), `bin ${i}: "${before}"`);
        assert.ok(after.startsWith(`after (with the edit): ${model.histogram.after[i].toLocaleString('en-US')} rows (`), `bin ${i}: "${after}"`);
      }
      const counted = (side: string) => titles.filter((t) => t.startsWith(side)).reduce((sum, t) => sum + Number(/: ([\d,]+) rows/.exec(t)![1].replace(/,/g, '')), 0);
      assert.equal(counted('before'), 800, 'the stored run counts every sampled row');
      assert.equal(counted('after'), 800, 'the run with the edit counts every sampled row');
      const box = await section.locator('#model-churn_model_v3 svg').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, 'the score histogram is visible');
      assert.deepEqual(await section.locator('figcaption .key').allInnerTexts(), ['before (as stored)', 'after (with the edit)']);

      // The feature the model reads links to it and names its finding.
      assert.equal((await page.locator('#feature-spend .model-lines').innerText()).trim(), model.summary);
      assert.match(await page.locator('#feature-spend .findings').innerText(), /model\.prediction-shift/);
      assert.match(await page.locator('#feature-spend p.dim').first().innerText(), /read by churn_model_v3 \(model\)/);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no remote resources');
      await section.screenshot({ path: screenshotPath('html-report-models.png') });
    });
  });

  it('shows a model that cannot be loaded as an error line, without a histogram', async () => {
    const root = modelRepo(Buffer.from('not an onnx model'));
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const out = join(tempDir(), 'report.html');
    assert.equal(runCli(root, ['check', '--format', 'html', '--output', out]).code, 1);
    await withPage(out, async (page) => {
      const line = await page.locator('#model-churn_model_v3 .model-line').innerText();
      assert.match(line, /^error model\.input churn_model_v3: not a valid ONNX model/);
      assert.equal(await page.locator('#model-churn_model_v3 svg').count(), 0);
      assert.match(await page.locator('#feature-spend .findings').innerText(), /model\.input/);
    });
  });
});
