/**
 * Property-based tests (fast-check): the config loader and the snapshot readers never crash on
 * arbitrary input — they return a value or a one-line `UserError` naming the file — and the
 * statistics keep their mathematical properties on arbitrary data.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseConfig } from '../../engine/config/loadConfig';
import { UserError } from '../../engine/errors';
import { readSnapshot } from '../../engine/data/readSnapshot';
import { numericDrift } from '../../engine/stats/numericDrift';
import { categoricalDrift } from '../../engine/stats/categoricalDrift';
import { removeTempDirs, tempDir } from '../helpers';

/** Runs `fn`; it may return or throw a one-line UserError that names `file`, nothing else. */
async function onlyUserErrors(fn: () => unknown, file: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `not a UserError: ${(err as Error)?.stack ?? err}`);
    assert.ok(!err.message.includes('\n'), `more than one line: ${err.message}`);
    assert.ok(err.message.includes(file), `does not name ${file}: ${err.message}`);
  }
}

describe('properties', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('the config loader accepts or rejects any JSON value with a one-line message naming the file', async () => {
    const root = tempDir();
    const value = fc.jsonValue({ maxDepth: 4 });
    const configish = fc.record(
      {
        snapshots: fc.oneof(value, fc.dictionary(fc.string(), fc.record({ path: fc.oneof(value, fc.constantFrom('a.csv', '../x.csv', 'd.parquet')), sampleRows: value, seed: value }, { requiredKeys: [] }))),
        features: fc.oneof(value, fc.dictionary(fc.string(), fc.record({ source: fc.oneof(value, fc.constantFrom('a.ts#f', 'a.ts', '#f', '../b.ts#g')), snapshot: value, kind: value, tolerance: value, expect: value, examples: value }, { requiredKeys: [] }))),
        thresholds: value,
        acknowledged: value,
        timeoutMs: value,
        defaultSnapshot: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(configish.map((c) => JSON.stringify(c)), fc.string(), value.map((v) => JSON.stringify(v))), async (text) => {
        await onlyUserErrors(() => parseConfig(text, join(root, 'featureguard.json'), root), 'featureguard.json');
      }),
      { numRuns: 400 },
    );
  });

  for (const ext of ['parquet', 'arrow', 'csv']) {
    it(`the ${ext} reader never crashes on random bytes`, async () => {
      const dir = tempDir();
      let n = 0;
      const magic = ext === 'parquet' ? 'PAR1' : ext === 'arrow' ? 'ARROW1\0\0' : 'a,b\n';
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, withMagic) => {
          const name = `snap${n++}.${ext}`;
          const content = withMagic ? Buffer.concat([Buffer.from(magic), Buffer.from(bytes), Buffer.from(ext === 'parquet' ? 'PAR1' : '')]) : Buffer.from(bytes);
          writeFileSync(join(dir, name), content);
          await onlyUserErrors(() => readSnapshot(join(dir, name), { sampleRows: 100, seed: 1 }, name), name);
        }),
        { numRuns: 150 },
      );
    });
  }

  const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  const sample = fc.array(finite, { minLength: 1, maxLength: 300 }).map((a) => Float64Array.from(a));

  it('PSI ≥ 0, and 0 for identical inputs; KS in [0, 1]; Wasserstein symmetric', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const d = numericDrift(a, b);
        assert.ok(d.psi >= 0 && d.ks >= 0 && d.ks <= 1 + 1e-12, JSON.stringify(d));
        const same = numericDrift(a, a);
        assert.equal(same.psi, 0);
        assert.equal(same.ks, 0);
        assert.equal(same.wasserstein, 0);
        // Symmetric before normalization: W(a, b)·std(a) = W(b, a)·std(b).
        const back = numericDrift(b, a);
        const wab = d.wasserstein * (d.storedStd || 1);
        const wba = back.wasserstein * (back.storedStd || 1);
        assert.ok(Math.abs(wab - wba) <= 1e-9 * Math.max(1, Math.abs(wab)), `${wab} vs ${wba}`);
      }),
      { numRuns: 300 },
    );
  });

  it('categorical drift: PSI ≥ 0 and 0 for identical inputs, L∞ and Jensen–Shannon in [0, 1]', () => {
    const cats = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(cats, cats, (a, b) => {
        const d = categoricalDrift(a, b);
        assert.ok(d.psi >= 0 && d.lInf >= 0 && d.lInf <= 1 && d.jensenShannon >= 0 && d.jensenShannon <= 1 + 1e-12, JSON.stringify(d));
        assert.equal(categoricalDrift(a, a).psi, 0);
      }),
      { numRuns: 300 },
    );
  });
});
