/**
 * The `--format html` report rendered in headless Chromium (Debian's, driven by playwright-core):
 * the page shows each affected feature with its verdict and its histogram, loads nothing remote,
 * and a screenshot is kept under test-output/ to look at.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { REPO_ROOT, removeTempDirs, runCli, tempDir } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const CHROMIUM = '/usr/bin/chromium';

describe('HTML report in headless Chromium', function () {
  this.timeout(90000);
  after(removeTempDirs);

  it('renders the features, their histograms and findings, with no remote request', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/install-vscode-test.sh (it installs Debian's chromium)`);
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    edit(root, "'high' : 'low'", "'high' : 'standard'");
    const out = join(tempDir(), 'report.html');
    assert.equal(runCli(root, ['check', '--format', 'html', '--output', out]).code, 1);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(out).href);
      const headings = await page.locator('section.feature h2').allInnerTexts();
      assert.deepEqual(headings.map((h) => h.replace(/\s+/g, ' ').trim()).sort(), ['spend changed', 'tier changed']);
      const bars = await page.locator('#feature-spend svg rect').count();
      assert.ok(bars >= 20, `the spend histogram draws its bins (${bars} bars)`);
      const box = await page.locator('#feature-spend svg').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, 'the histogram is visible');
      assert.match(await page.locator('#feature-spend .findings').innerText(), /value\.mismatch/);
      assert.match(await page.locator('#feature-tier .change').innerText(), /category-remap/);
      assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no remote resources');
      const shots = join(REPO_ROOT, 'test-output');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'html-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
