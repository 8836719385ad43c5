/**
 * The CI formats of `featureguard check`: SARIF 2.1.0 validated against the SARIF schema, JUnit XML
 * parsed by a real XML parser, and the self-contained HTML page.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { REPO_ROOT, removeTempDirs, runCli, tempDir } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

function storyRepo(): string {
  const root = repo();
  edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
  edit(root, "'high' : 'low'", "'high' : 'standard'");
  return root;
}

describe('report formats for CI', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('--format sarif is valid SARIF 2.1.0 with rules from the check ids and located results', () => {
    const r = runCli(storyRepo(), ['check', '--format', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ schemaId: 'id', allErrors: true, validateSchema: false, logger: false });
    ajv.addMetaSchema(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
    const valid = ajv.validate(schema, sarif);
    assert.ok(valid, ajv.errorsText(ajv.errors, { separator: '\n' }));
    const run = sarif.runs[0];
    const ruleIds = run.tool.driver.rules.map((x: any) => x.id);
    assert.ok(ruleIds.includes('value.mismatch') && ruleIds.includes('domain.new-values') && ruleIds.length === 19);
    assert.ok(run.tool.driver.rules.every((x: any) => x.help.text.length > 20));
    const mismatch = run.results.find((x: any) => x.ruleId === 'value.mismatch' && x.properties.feature === 'spend');
    assert.equal(mismatch.level, 'error');
    assert.equal(run.tool.driver.rules[mismatch.ruleIndex].id, 'value.mismatch');
    assert.deepEqual(mismatch.locations[0].physicalLocation, { artifactLocation: { uri: 'src/features/customer.ts', uriBaseId: 'SRCROOT' }, region: { startLine: 4, startColumn: 17 } });
    assert.match(mismatch.message.text, /^spend: 100% of sampled rows/);
  });

  it('--format junit is well-formed JUnit XML with a test case per affected feature', () => {
    const r = runCli(storyRepo(), ['check', '--format', 'junit']);
    assert.equal(r.code, 1);
    assert.equal(XMLValidator.validate(r.stdout), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
    const suite = doc.testsuites.testsuite;
    assert.equal(suite.tests, '2');
    assert.equal(suite.failures, '2');
    const cases = [suite.testcase].flat();
    assert.deepEqual(cases.map((c: any) => c.name).sort(), ['spend', 'tier']);
    const spend = cases.find((c: any) => c.name === 'spend');
    const failures = [spend.failure].flat();
    assert.ok(failures.some((f: any) => f.type === 'value.mismatch'));
    assert.match(spend['system-out'], /change: affine/);
  });

  it('--format html writes one self-contained page with histograms and no remote resources', () => {
    const root = storyRepo();
    const out = join(tempDir(), 'report.html');
    const r = runCli(root, ['check', '--format', 'html', '--output', out]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
    assert.match(html, /<section class="feature" id="feature-spend">/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2, 'a histogram per feature');
    assert.match(html, /<strong>affine<\/strong> — rescaled/);
    assert.doesNotMatch(html, /<script|src="http|href="http/);
  });
});

describe('text report colour', function () {
  this.timeout(60000);
  after(removeTempDirs);

  /** Runs the CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
  function onTty(root: string, env: Record<string, string | undefined>): string {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO_ROOT, 'dist', 'cli.js'))} check`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, ...env } as NodeJS.ProcessEnv });
    return r.stdout;
  }

  it('is coloured on a terminal, and plain with NO_COLOR', () => {
    const root = storyRepo();
    assert.match(onTty(root, {}), /\x1b\[31merror\x1b\[39m value\.mismatch/);
    assert.doesNotMatch(onTty(root, { NO_COLOR: '1' }), /\x1b\[/);
  });
});
