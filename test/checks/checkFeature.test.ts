import { strict as assert } from 'node:assert';
import { thresholdsFrom } from '../../engine/checks/thresholds';
import type { Row } from '../../engine/data/table';
import type { SideOutcome } from '../../engine/exec/featureRunner';
import { checkFeature, type FeatureCheckInput } from '../../engine/verdict/checkFeature';
import { expectFindings, feature, LOCATION, range, ran, table, type SideSpec } from './checkFixture';

const xs = range(100, (i) => i + 1);
/** Snapshot rows: the input `x`, and the stored feature column `f` holding x itself. */
const rows: Row[] = xs.map((x) => ({ x, f: x }));

function input(target: SideOutcome, base: SideSpec | undefined, extra: Partial<FeatureCheckInput> = {}): FeatureCheckInput {
  return {
    feature: feature(),
    location: LOCATION,
    rows: table(rows),
    sliceBy: [],
    ...(base ? { base: ran(base) } : {}),
    target,
    thresholds: thresholdsFrom({}),
    ...extra,
  };
}

describe('verdict/checkFeature', () => {
  it('identical refactor: "identical" with no finding of the edit, and history.unreproduced when the store already differs from the base', () => {
    // The store holds 2x (computed by some older code); base and target agree on x.
    const stale = table(xs.map((x) => ({ x, f: 2 * x })));
    const r = checkFeature(input(ran([...xs]), [...xs], { rows: stale }));
    assert.equal(r.verdict, 'identical');
    expectFindings(r.findings, [{ check: 'history.unreproduced', severity: 'warning', messageMatch: /^the committed code gives other values than the stored f on 100% of sampled rows \(100 of 100\): a row function reads no other row, so the store is stale: backfill "f" \(or acknowledge it\); value findings count only the 0 rows it reproduces$/, metrics: { rate: 1, count: 100, reproducedRows: 0 } }]);
    assert.equal(r.change, undefined);
    assert.equal(r.metrics?.rows, 100);
    assert.equal(r.metrics?.comparedRows, 0);
    assert.equal(r.metrics?.mismatchRate, 0);
  });

  it('a partly stale store: one history.unreproduced warning, and value findings count only the rows the base reproduces', () => {
    // Rows 60.. were stored by an older formula (x + 1000); the edit adds 1 to every even x.
    const partly = table(xs.map((x, i) => ({ x, f: i < 60 ? x : x + 1000 })));
    const edited = xs.map((x) => (x % 2 === 0 ? x + 1 : x));
    const r = checkFeature(input(ran(edited), [...xs], { rows: partly, feature: feature({ kind: 'batch', snapshot: 'events' }) }));
    assert.equal(r.verdict, 'changed');
    expectFindings(r.findings, [
      { check: 'value.mismatch', severity: 'error', messageMatch: /^50% of sampled rows \(30 of 60\) differ from the stored "f" values, by up to 1 \(on the 60 of 100 rows the committed code reproduces\)$/, metrics: { rate: 0.5, count: 30 } },
      { check: 'history.unreproduced', severity: 'warning', messageMatch: /^the committed code gives other values than the stored f on 40% of sampled rows \(40 of 100\): if it reads other rows, set `sampleBy` \/ `orderBy` \/ `sampleBlocks` on snapshot events; otherwise the store is stale; value findings count only the 60 rows it reproduces$/ },
    ]);
    assert.equal(r.metrics?.mismatchRate, 0.5);
    assert.equal(r.metrics?.comparedRows, 60);
    assert.equal(r.metrics?.unreproducedRate, 0.4);
    // The change is classified on the reproduced rows: half of them changed.
    assert.equal(r.change?.rate, 0.5);
  });

  it('below 1% of rows not reproduced: no warning, every row compared', () => {
    const almost = table(xs.map((x, i) => ({ x, f: i === 0 ? -1 : x })));
    const r = checkFeature(input(ran([...xs]), [...xs], { rows: almost, thresholds: thresholdsFrom({}) }));
    // 1 of 100 is exactly the threshold: warned. With 200 rows it would not be.
    expectFindings(r.findings, [{ check: 'history.unreproduced', severity: 'warning' }]);
    const rows200 = table(range(200, (i) => ({ x: i, f: i === 0 ? -1 : i })));
    const r2 = checkFeature(input(ran(range(200, (i) => i)), range(200, (i) => i), { rows: rows200 }));
    assert.deepEqual(r2.findings, []);
    assert.equal(r2.metrics?.comparedRows, undefined);
  });

  it('blocks: warm-up rows are computed but compared with nothing (value, history, change)', () => {
    // 10 blocks of 10 rows, warm-up 3: base and target differ, and the store differs, on warm-up rows only.
    const warm = (i: number) => i % 10 < 3;
    const blockRows = table(xs.map((x, i) => ({ x, f: warm(i) ? -x : x })));
    const r = checkFeature(input(ran(xs.map((x, i) => (warm(i) ? 0 : x))), [...xs], { rows: blockRows, blocks: { rows: 10, warmupRows: 3 } }));
    assert.equal(r.verdict, 'identical');
    assert.deepEqual(r.findings, []);
    assert.equal(r.metrics?.rows, 100);
    assert.equal(r.metrics?.comparedRows, 70);
    assert.equal(r.metrics?.mismatchRate, 0);
    // Without the blocks every row counts: the same data is a change and a stale store.
    const plain = checkFeature(input(ran(xs.map((x, i) => (warm(i) ? 0 : x))), [...xs], { rows: blockRows }));
    assert.equal(plain.verdict, 'changed');
    assert.ok(plain.findings!.some((f) => f.check === 'history.unreproduced'));
  });

  it('rescale: "changed", an affine change and a value.mismatch error', () => {
    const r = checkFeature(input(ran(xs.map((x) => 10 * x)), xs));
    assert.equal(r.verdict, 'changed');
    assert.equal(r.change?.kind, 'affine');
    assert.ok(Math.abs(r.change!.slope! - 10) < 1e-9 && Math.abs(r.change!.intercept!) < 1e-9, JSON.stringify(r.change));
    expectFindings(r.findings, [
      { check: 'value.mismatch', severity: 'error', messageMatch: /^100% of sampled rows \(100 of 100\) differ from the stored "f" values, by up to 900$/, metrics: { rate: 1, count: 100, maxAbsDiff: 900 } },
      { check: 'drift.distribution', severity: 'error' },
    ]);
    assert.equal(r.metrics?.mismatchRate, 1);
    assert.equal(r.metrics?.nullRateAfter, 0);
  });

  it('target timeout: "broken" with runtime.timeout', () => {
    const r = checkFeature(input({ ok: false, reason: 'timeout', message: 'exceeded the 10000 ms budget' }, xs));
    assert.equal(r.verdict, 'broken');
    expectFindings(r.findings, [{ check: 'runtime.timeout', severity: 'error', messageMatch: /^exceeded the 10000 ms budget$/ }]);
    assert.deepEqual(r.metrics, { rows: 100 });
  });

  it('target that cannot load: "broken" with runtime.error', () => {
    const r = checkFeature(input({ ok: false, reason: 'load', message: 'the export is missing' }, xs));
    assert.equal(r.verdict, 'broken');
    expectFindings(r.findings, [{ check: 'runtime.error', severity: 'error', messageMatch: /the export is missing/ }]);
  });

  it('no base: "new", and the target is still compared with the stored column', () => {
    const same = checkFeature(input(ran([...xs]), undefined));
    assert.equal(same.verdict, 'new');
    assert.deepEqual(same.findings, []);
    const differs = checkFeature(input(ran(xs.map((x) => (x <= 5 ? x + 100 : x))), undefined));
    assert.equal(differs.verdict, 'new');
    assert.equal(differs.change, undefined);
    expectFindings(differs.findings, [{ check: 'value.mismatch', severity: 'error', metrics: { rate: 0.05, count: 5, maxAbsDiff: 100 } }]);
    // Fractions where the store holds integers: schema.type as well.
    const fractional = checkFeature(input(ran(xs.map((x) => (x <= 5 ? x + 0.5 : x))), undefined));
    assert.equal(fractional.verdict, 'new');
    expectFindings(fractional.findings, [
      { check: 'schema.type', severity: 'error', metrics: { storedType: 'integer', targetType: 'number' } },
      { check: 'value.mismatch', severity: 'error', metrics: { rate: 0.05, count: 5, maxAbsDiff: 0.5 } },
    ]);
  });

  it('names the columns the code read that the snapshot does not have, in every finding', () => {
    const nan = xs.map(() => NaN);
    const r = checkFeature(input(ran({ values: nan, missingColumns: ['tenure_days'] }), xs, { fileColumns: ['x', 'f'] }));
    assert.ok(r.findings.length > 0);
    for (const f of r.findings) assert.match(f.message, /; the code reads "tenure_days", which is not a column of the snapshot$/, f.message);
    const two = checkFeature(input(ran({ values: nan, missingColumns: ['a', 'b'] }), xs, { fileColumns: ['x', 'f'] }));
    assert.match(two.findings[0].message, /; the code reads "a", "b", which are not columns of the snapshot$/);
    // A column the file has (read or not) is no explanation: nothing is added.
    const present = checkFeature(input(ran({ values: nan, missingColumns: ['x'] }), xs, { fileColumns: ['x', 'f'] }));
    for (const f of present.findings) assert.doesNotMatch(f.message, /not a column/);
  });

  it('no stored column: "new", with the change still classified', () => {
    const noStore = table(xs.map((x) => ({ x })));
    const r = checkFeature(input(ran(xs.map((x) => 3 * x - 1)), xs, { rows: noStore }));
    assert.equal(r.verdict, 'new');
    assert.equal(r.change?.kind, 'affine');
    assert.deepEqual(r.findings, []);
    // Headline numbers fall back to the base.
    assert.equal(r.metrics?.mismatchRate, 1);
  });

  it('runtime errors on 1% of rows or more: "broken"', () => {
    const values = xs.map((x) => (x <= 2 ? undefined : x));
    const errors = [{ index: 0, message: 'x is null' }, { index: 1, message: 'x is null' }];
    const r = checkFeature(input(ran({ values, errorCount: 2, errors }), xs));
    assert.equal(r.verdict, 'broken');
    assert.equal(r.change, undefined);
    expectFindings(r.findings, [{ check: 'runtime.error', severity: 'error', messageMatch: /\(2 of 100\): x is null$/, metrics: { rate: 0.02, count: 2 } }]);
    assert.equal(r.metrics?.errorRate, 0.02);
  });

  it('runtime errors below 1%: a warning, not "broken"', () => {
    const many = range(1000, (i) => i);
    const big = table(many.map((x) => ({ x, f: x })));
    const r = checkFeature(input(ran({ values: many.map((x) => (x === 7 ? undefined : x)), errors: [{ index: 7, message: 'boom' }] }), many, { rows: big }));
    assert.equal(r.verdict, 'changed');
    expectFindings(r.findings, [{ check: 'runtime.error', severity: 'warning', metrics: { rate: 0.001, count: 1 } }]);
  });

  it('a target that throws on other rows than the base is not identical', () => {
    const many = range(1000, (i) => i);
    const big = table(many.map((x) => ({ x, f: x })));
    const base = { values: many.map((x) => (x === 3 ? undefined : x)), errors: [{ index: 3, message: 'old' }] };
    const target = { values: many.map((x) => (x === 5 ? undefined : x)), errors: [{ index: 5, message: 'new' }] };
    const r = checkFeature(input(ran(target), base, { rows: big }));
    assert.equal(r.verdict, 'changed');
    expectFindings(r.findings, [{ check: 'runtime.error', severity: 'warning', messageMatch: /\(the base code threw on 1\): new$/ }]);
  });

  it('acknowledged: findings kept at info, with the reason in the message', () => {
    const r = checkFeature(input(ran(xs.map((x) => 10 * x)), xs, { acknowledged: 'backfill scheduled, TICKET-12' }));
    assert.equal(r.verdict, 'changed');
    expectFindings(r.findings, [
      { check: 'value.mismatch', severity: 'info', messageMatch: /^100% of sampled rows .* \(acknowledged: backfill scheduled, TICKET-12\)$/ },
      { check: 'drift.distribution', severity: 'info', messageMatch: /\(acknowledged: backfill scheduled, TICKET-12\)$/ },
    ]);
    const broken = checkFeature(input({ ok: false, reason: 'timeout', message: 'too slow' }, xs, { acknowledged: 'known' }));
    assert.equal(broken.verdict, 'broken');
    expectFindings(broken.findings, [{ check: 'runtime.timeout', severity: 'info', messageMatch: /^too slow \(acknowledged: known\)$/ }]);
  });

  it('target checks hold for an identical feature too', () => {
    const r = checkFeature(input(ran({ values: [...xs], nondeterministic: 4 }), xs, { feature: feature({ expect: { max: 50 } }) }));
    assert.equal(r.verdict, 'identical');
    expectFindings(r.findings, [
      { check: 'expect.range', severity: 'error', metrics: { count: 50, min: 51, max: 100 } },
      { check: 'code.nondeterministic', severity: 'warning', metrics: { count: 4 } },
    ]);
  });
});
