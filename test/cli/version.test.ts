/**
 * One version everywhere (issue 16): `featureguard --version`, the JSON report's `summary.version`,
 * SARIF's `tool.driver.version`, JUnit's properties and the HTML footer all say package.json's.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { removeTempDirs, runCli, runJson } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };

describe('the version in every output', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('--version, JSON, SARIF, JUnit and HTML name package.json\'s version', () => {
    assert.match(version, /^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-v']) assert.equal(runCli(process.cwd(), [flag]).stdout, `${version}\n`);
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    const json = runJson(root, ['check']);
    assert.equal(json.report.summary.version, version);
    const impact = runJson(root, ['impact']);
    assert.equal(impact.report.summary.version, version);
    const sarif = JSON.parse(runCli(root, ['check', '--format', 'sarif']).stdout);
    assert.equal(sarif.runs[0].tool.driver.version, version);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(runCli(root, ['check', '--format', 'junit']).stdout);
    const props = [junit.testsuites.testsuite.properties.property].flat();
    assert.deepEqual(props.find((p: any) => p['@_name'] === 'featureguard.version')?.['@_value'], version);
    const html = runCli(root, ['check', '--format', 'html']).stdout;
    assert.match(html, new RegExp(`<footer class="dim">FeatureGuard ${version.replace(/\./g, '\\.')}</footer>`));
  });
});
