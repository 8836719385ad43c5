/**
 * The built CLI on a Python feature repository, as a new user runs it (SPEC §6, §9): `impact` and
 * `check --no-data` name Python features with their `via` paths and detected forms, a `.py` that
 * does not parse is code.syntax (exit 1), an undetectable form is a one-line config error (exit 2),
 * and static impact never starts Python.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, removeTempDirs, runCli, runJson, tempDir, writeFiles } from '../helpers';

const util = 'DAYS_PER_MONTH = 30.44\n\n\ndef months(days):\n    return int(days // DAYS_PER_MONTH)\n';
const features = `import pandas as pd

from .util import months


def tenure_months(row):
    return months(row["tenure_days"])


def tenure_years(df: pd.DataFrame) -> pd.Series:
    return df["tenure_days"].map(months) / 12
`;

function pyRepo(): string {
  return makeRepo({
    'src/churn/__init__.py': '',
    'src/churn/util.py': util,
    'src/churn/features.py': features,
    'featureguard.json': JSON.stringify({
      python: { paths: ['src'] },
      features: {
        tenure_months: { source: 'src/churn/features.py#tenure_months', consumers: ['churn_model_v3'] },
        tenure_years: { source: 'src/churn/features.py#tenure_years' },
      },
    }),
  });
}

describe('CLI: Python features', () => {
  after(removeTempDirs);

  it('impact names the Python features an edit reaches, with via paths and forms', () => {
    const root = pyRepo();
    writeFiles(root, { 'src/churn/util.py': util.replace('30.44', '30.0') });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const text = r.stdout.replace(/\(\d+ ms\)/, '(N ms)');
    assert.equal(
      text,
      `FeatureGuard impact: HEAD → working tree

Changed symbols
  modified DAYS_PER_MONTH  src/churn/util.py:1

Affected features
  tenure_months  src/churn/features.py:6
    via: DAYS_PER_MONTH (util.py) → months (util.py) → tenure_months (features.py)
    consumers: churn_model_v3
    kind: row
  tenure_years  src/churn/features.py:10
    via: DAYS_PER_MONTH (util.py) → months (util.py) → tenure_years (features.py)
    kind: series

2 features affected, 0 errors, 0 warnings (N ms)
`,
    );
  });

  it('check --no-data reports them not-checked in JSON, and starts no Python', () => {
    const root = pyRepo();
    writeFiles(root, { 'src/churn/util.py': util.replace('30.44', '30.0') });
    // A "python3" first on PATH that leaves a mark if anything runs it.
    const bin = tempDir('fg-fake-python-');
    const marker = join(bin, 'ran');
    writeFiles(bin, { python3: `#!/bin/sh\ntouch ${marker}\nexit 1\n`, python: `#!/bin/sh\ntouch ${marker}\nexit 1\n` });
    chmodSync(join(bin, 'python3'), 0o755);
    chmodSync(join(bin, 'python'), 0o755);
    const r = runCli(root, ['check', '--no-data', '--format', 'json'], { PATH: `${bin}:${process.env.PATH}`, FEATUREGUARD_PYTHON: join(bin, 'python3') });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.features.map((f: any) => [f.name, f.verdict, f.kind, f.via]),
      [
        ['tenure_months', 'not-checked', 'row', ['src/churn/util.py#DAYS_PER_MONTH', 'src/churn/util.py#months']],
        ['tenure_years', 'not-checked', 'series', ['src/churn/util.py#DAYS_PER_MONTH', 'src/churn/util.py#months']],
      ],
    );
    assert.equal(existsSync(marker), false, 'static impact ran no Python');
  });

  it('a .py that does not parse is code.syntax with its line and column, exit 1; the other edits are still analyzed', () => {
    const root = pyRepo();
    writeFiles(root, { 'src/churn/util.py': util.replace('return int(days // DAYS_PER_MONTH)', 'return int(days // DAYS_PER_MONTH'), 'src/churn/features.py': features.replace('/ 12', '/ 12.0') });
    const { code, report } = runJson(root, ['impact']);
    assert.equal(code, 1);
    assert.equal(report.findings.length, 1);
    const f = report.findings[0];
    assert.equal(f.check, 'code.syntax');
    assert.equal(f.location.file, 'src/churn/util.py');
    assert.equal(f.location.line, 5);
    assert.match(f.message, /^src\/churn\/util\.py does not parse: /);
    const verdicts = Object.fromEntries(report.features.map((x: any) => [x.name, x.verdict]));
    assert.deepEqual(verdicts, { tenure_months: 'broken', tenure_years: 'broken' });
  });

  it('an unclosed parenthesis that swallows the rest of the module is code.syntax (exit 1), never a config error about kinds', () => {
    const root = pyRepo();
    writeFiles(root, { 'src/churn/features.py': features.replace('return months(row["tenure_days"])', 'return months(row["tenure_days"]') });
    const { code, report } = runJson(root, ['check', '--no-data']);
    assert.equal(code, 1);
    assert.deepEqual(report.findings.map((f: any) => [f.check, f.location.file, f.location.line]), [['code.syntax', 'src/churn/features.py', 7]]);
    assert.deepEqual(report.features.map((f: any) => [f.name, f.verdict]), [['tenure_months', 'broken'], ['tenure_years', 'broken']]);
  });

  it('a function whose form the code does not tell is exit 2 with one line naming the key', () => {
    const root = makeRepo({
      'feats.py': 'def combine(a, b):\n    return a + b\n',
      'featureguard.json': JSON.stringify({ features: { combined: { source: 'feats.py#combine' } } }),
    });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'featureguard: featureguard.json: features.combined.kind is needed: the code of feats.py#combine(a, b) does not say how it is called (set it to one of "row", "batch", "series", "frame", "feast", "hamilton")\n');
  });
});
