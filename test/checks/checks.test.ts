import { strict as assert } from 'node:assert';
import { codeNondeterministic } from '../../engine/checks/codeNondeterministic';
import { domainNewValues } from '../../engine/checks/domainNewValues';
import { driftDistribution } from '../../engine/checks/driftDistribution';
import { examplesMismatch } from '../../engine/checks/examplesMismatch';
import { expectNotNull } from '../../engine/checks/expectNotNull';
import { expectRange } from '../../engine/checks/expectRange';
import { expectValues } from '../../engine/checks/expectValues';
import { nullsRate } from '../../engine/checks/nullsRate';
import { perfSlowdown } from '../../engine/checks/perfSlowdown';
import { runtimeError } from '../../engine/checks/runtimeError';
import { schemaType } from '../../engine/checks/schemaType';
import { valueMismatch } from '../../engine/checks/valueMismatch';
import { ctx, expectFindings, range } from './checkFixture';

const ints = range(100, (i) => i);

describe('checks', () => {
  describe('value.mismatch', () => {
    it('is an error at a rate of 1% or more, with rate, count, maxAbsDiff and up to 5 examples', () => {
      const target = ints.map((v) => (v >= 10 && v < 20 ? v + 0.5 : v));
      const findings = valueMismatch(ctx({ stored: ints, base: ints, target }));
      expectFindings(findings, [{
        check: 'value.mismatch', severity: 'error',
        messageMatch: /^10% of sampled rows \(10 of 100\) differ from the stored "f" values, by up to 0\.5$/,
        metrics: { rate: 0.1, count: 10, maxAbsDiff: 0.5 },
      }]);
      assert.deepEqual(findings[0].examples, range(5, (k) => ({ row: { id: 10 + k }, base: 10 + k, target: 10.5 + k, stored: 10 + k })));
    });

    it('is a warning below 1%', () => {
      const stored = range(1000, (i) => i);
      const target = stored.map((v) => (v % 200 === 7 ? v * 3 : v));
      const findings = valueMismatch(ctx({ stored, target }));
      expectFindings(findings, [{
        check: 'value.mismatch', severity: 'warning',
        messageMatch: /^0\.5% of sampled rows \(5 of 1000\) differ from the stored "f" values, by up to 1614$/,
        metrics: { rate: 0.005, count: 5, maxAbsDiff: 807 * 2 },
      }]);
      // No base: examples carry only row, target and stored.
      assert.deepEqual(findings[0].examples?.[0], { row: { id: 7 }, target: 21, stored: 7 });
    });

    it('is an error at exactly 1%, a warning just below', () => {
      expectFindings(valueMismatch(ctx({ stored: ints, target: ints.map((v) => (v === 50 ? 0 : v)) })), [
        { check: 'value.mismatch', severity: 'error', messageMatch: /^1\.0% of sampled rows \(1 of 100\)/, metrics: { rate: 0.01, count: 1, maxAbsDiff: 50 } },
      ]);
      const stored = range(1000, (i) => i);
      expectFindings(valueMismatch(ctx({ stored, target: stored.map((v) => (v < 9 ? v + 1 : v)) })), [
        { check: 'value.mismatch', severity: 'warning', metrics: { rate: 0.009, count: 9 } },
      ]);
    });

    it('follows threshold overrides: error at 50% turns a 10% mismatch into a warning', () => {
      const target = ints.map((v) => (v < 10 ? -v - 1 : v));
      const c = ctx({ stored: ints, target, thresholds: { 'value.mismatch': { warning: 0, error: 0.5 } } });
      expectFindings(valueMismatch(c), [{ check: 'value.mismatch', severity: 'warning', metrics: { rate: 0.1, count: 10, maxAbsDiff: 19 } }]);
      // Below both overridden thresholds: no finding at all.
      const c2 = ctx({ stored: ints, target, thresholds: { 'value.mismatch': { warning: 0.2, error: 0.5 } } });
      expectFindings(valueMismatch(c2), []);
    });

    it('does not trigger on identical values, values within tolerance, or without a stored column', () => {
      expectFindings(valueMismatch(ctx({ stored: ints, target: [...ints] })), []);
      expectFindings(valueMismatch(ctx({ stored: ints, target: ints.map((v) => v * (1 + 1e-12)) })), []);
      expectFindings(valueMismatch(ctx({ target: ints.map((v) => v + 1) })), []);
      const dates = [new Date('2024-01-01T00:00:00Z'), null];
      expectFindings(valueMismatch(ctx({ stored: dates, target: [new Date('2024-01-01T00:00:00Z'), null] })), []);
    });

    it('uses the feature tolerance', () => {
      const tolerance = { abs: 0.01, rel: 0 };
      expectFindings(valueMismatch(ctx({ stored: ints, target: ints.map((v) => v + 0.005), feature: { tolerance } })), []);
      expectFindings(valueMismatch(ctx({ stored: ints, target: ints.map((v) => v + 0.02), feature: { tolerance } })), [
        { check: 'value.mismatch', severity: 'error', metrics: { rate: 1, count: 100 } },
      ]);
    });

    it('leaves rows that threw out of the rate (runtime.error reports them)', () => {
      const target = ints.map((v) => (v < 20 ? undefined : v >= 90 ? v + 1 : v));
      expectFindings(valueMismatch(ctx({ stored: ints, target })), [{
        check: 'value.mismatch', severity: 'error', messageMatch: /\(10 of 80\)/, metrics: { rate: 10 / 80, count: 10, maxAbsDiff: 1 },
      }]);
      expectFindings(valueMismatch(ctx({ stored: ints, target: ints.map(() => undefined) })), []);
    });

    it('counts nulls and categories that differ, with no "by up to" for non-numbers', () => {
      const findings = valueMismatch(ctx({ stored: ['a', 'b', null, 'c'], target: ['a', 'x', 'y', null] }));
      expectFindings(findings, [{
        check: 'value.mismatch', severity: 'error',
        messageMatch: /^75% of sampled rows \(3 of 4\) differ from the stored "f" values$/,
        metrics: { rate: 0.75, count: 3, maxAbsDiff: 0 },
      }]);
    });

    it('keeps maxAbsDiff a number when a NaN differs from a stored number', () => {
      const findings = valueMismatch(ctx({ stored: [1, 2, 3, 4], target: [NaN, 2, 3, 10] }));
      expectFindings(findings, [{
        check: 'value.mismatch', severity: 'error', messageMatch: /\(2 of 4\).*by up to 6$/, metrics: { rate: 0.5, count: 2, maxAbsDiff: 6 },
      }]);
    });

    it('names the slice a mismatch concentrates in', () => {
      const rows = range(100, (i) => ({ id: i, region: i < 25 ? 'islands' : 'mainland' }));
      const target = ints.map((v) => (v < 23 ? v + 100 : v));
      const findings = valueMismatch(ctx({ rows, stored: ints, target, sliceBy: ['region'] }));
      expectFindings(findings, [{
        check: 'value.mismatch', severity: 'error',
        messageMatch: /^23% of sampled rows \(23 of 100\) differ from the stored "f" values, by up to 100; 92% of rows differ in region=islands, 0% elsewhere$/,
        metrics: { rate: 0.23, count: 23 },
      }]);
      assert.deepEqual(findings[0].examples?.[0].row, { id: 0, region: 'islands' });
    });

    it('names a slice whose rate is at least twice the overall rate', () => {
      // islands: 40 rows, half differ (50%); overall 20%, so 2.5 times the overall rate.
      const rows = range(100, (i) => ({ id: i, region: i < 40 ? 'islands' : 'mainland' }));
      const target = ints.map((v) => (v < 40 && v % 2 === 0 ? v + 1 : v));
      expectFindings(valueMismatch(ctx({ rows, stored: ints, target, sliceBy: ['other', 'region'] })), [
        { check: 'value.mismatch', severity: 'error', messageMatch: /\(20 of 100\).*; 50% of rows differ in region=islands, 0% elsewhere$/ },
      ]);
      // Exactly twice: islands is half the rows and all of the mismatch.
      const half = range(100, (i) => ({ id: i, region: i % 2 ? 'mainland' : 'islands' }));
      expectFindings(valueMismatch(ctx({ rows: half, stored: ints, target: ints.map((v) => (v % 2 ? v : v + 1)), sliceBy: ['region'] })), [
        { check: 'value.mismatch', severity: 'error', messageMatch: /; 100% of rows differ in region=islands, 0% elsewhere$/ },
      ]);
    });

    it('names no slice when the mismatch is spread evenly', () => {
      const rows = range(100, (i) => ({ id: i, region: i < 50 ? 'a' : 'b' }));
      const target = ints.map((v) => (v % 10 === 0 ? v + 1 : v));
      const findings = valueMismatch(ctx({ rows, stored: ints, target, sliceBy: ['region'] }));
      expectFindings(findings, [{ check: 'value.mismatch', severity: 'error', messageMatch: /^10% of sampled rows \(10 of 100\) differ from the stored "f" values, by up to 1$/ }]);
    });
  });

  describe('schema.type', () => {
    it('is an error for strings where numbers are stored', () => {
      expectFindings(schemaType(ctx({ stored: [1, 2, 3], target: ['1', '2', '3'] })), [{
        check: 'schema.type', severity: 'error',
        messageMatch: /^output type changed: string values where integer values are stored \("f"\)$/,
        metrics: { storedType: 'integer', targetType: 'string' },
      }]);
    });

    it('is an error for fractional values in an integer column', () => {
      expectFindings(schemaType(ctx({ stored: [1, 2, 3], target: [1, 2.5, 3] })), [{
        check: 'schema.type', severity: 'error',
        messageMatch: /fractional values in an integer column \("f"\)/,
        metrics: { storedType: 'integer', targetType: 'number' },
      }]);
    });

    it('is an error when only some rows produce another type', () => {
      expectFindings(schemaType(ctx({ stored: [1, 2, 3], storedType: 'integer', target: [1, 'missing', 3] })), [{
        check: 'schema.type', severity: 'error', messageMatch: /string values where integer values are stored/,
        metrics: { storedType: 'integer', targetType: 'string' },
      }]);
    });

    it('does not trigger on the same type, whole numbers in a fractional column, nulls, or unknown stored types', () => {
      expectFindings(schemaType(ctx({ stored: [1.5, 2.5], target: [3.5, null] })), []);
      expectFindings(schemaType(ctx({ stored: [1.5, 2.5], storedType: 'number', target: [1, 2] })), []);
      expectFindings(schemaType(ctx({ stored: ['a'], target: ['b'] })), []);
      expectFindings(schemaType(ctx({ stored: [1, 2], target: [null, null] })), []);
      expectFindings(schemaType(ctx({ stored: [1, 2], storedType: 'unknown', target: ['a', 'b'] })), []);
      expectFindings(schemaType(ctx({ target: ['a', 'b'] })), []);
    });
  });

  describe('drift.distribution', () => {
    it('is a warning for a numeric PSI between 0.1 and 0.25, with KS and Wasserstein', () => {
      // Stored 0..99: decile edges 9.9, 19.8, ..., 89.1. Shifted by 7: 3 values in the first bin, 17 in the last.
      const psi = (0.03 - 0.1) * Math.log(0.3) + (0.17 - 0.1) * Math.log(1.7);
      const std = Math.sqrt((100 * 100 - 1) / 12);
      const findings = driftDistribution(ctx({ stored: ints, target: ints.map((v) => v + 7) }));
      expectFindings(findings, [{
        check: 'drift.distribution', severity: 'warning',
        messageMatch: /^distribution shifted from the stored "f" values: PSI 0\.1214 \(KS 0\.07, Wasserstein 0\.2425 stored std\)$/,
        metrics: { psi, ks: 0.07, wasserstein: 7 / std },
      }]);
    });

    it('is an error for a numeric PSI of 0.25 or more', () => {
      // Everything lands above the top decile: 100% in the last bin, 1e-4 (floor) in the other nine.
      const psi = (1 - 0.1) * Math.log(10) + 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
      expectFindings(driftDistribution(ctx({ stored: ints, target: ints.map((v) => v + 1000) })), [
        { check: 'drift.distribution', severity: 'error', metrics: { psi, ks: 1 } },
      ]);
    });

    it('grades categorical PSI with L∞ and Jensen–Shannon', () => {
      const stored = range(100, (i) => (i < 50 ? 'a' : 'b'));
      const warn = range(100, (i) => (i < 67 ? 'a' : 'b'));
      const psiWarn = (0.67 - 0.5) * Math.log(0.67 / 0.5) + (0.33 - 0.5) * Math.log(0.33 / 0.5);
      const kl = (p: number[], m: number[]) => p.reduce((s, x, k) => s + x * Math.log2(x / m[k]), 0);
      const m = [(0.5 + 0.67) / 2, (0.5 + 0.33) / 2];
      const js = Math.sqrt((kl([0.5, 0.5], m) + kl([0.67, 0.33], m)) / 2);
      expectFindings(driftDistribution(ctx({ stored, target: warn })), [{
        check: 'drift.distribution', severity: 'warning',
        messageMatch: /PSI 0\.1204 \(L∞ 0\.17, Jensen–Shannon 0\.1469\)$/,
        metrics: { psi: psiWarn, lInf: 0.17, jensenShannon: js },
      }]);
      const err = range(100, (i) => (i < 80 ? 'a' : 'b'));
      expectFindings(driftDistribution(ctx({ stored, target: err })), [{
        check: 'drift.distribution', severity: 'error', metrics: { psi: 0.3 * Math.log(1.6) - 0.3 * Math.log(0.4), lInf: 0.3 },
      }]);
    });

    it('does not trigger on the same distribution in another row order, a small shift, or all nulls', () => {
      expectFindings(driftDistribution(ctx({ stored: ints, target: [...ints].reverse() })), []);
      expectFindings(driftDistribution(ctx({ stored: ints, target: ints.map((v) => v + 5) })), []);
      expectFindings(driftDistribution(ctx({ stored: ints, target: ints.map(() => null) })), []);
      expectFindings(driftDistribution(ctx({ target: ints.map((v) => v + 1000) })), []);
    });

    it('follows threshold overrides', () => {
      const psi = (0.05 - 0.1) * Math.log(0.5) + (0.15 - 0.1) * Math.log(1.5);
      expectFindings(driftDistribution(ctx({ stored: ints, target: ints.map((v) => v + 5), thresholds: { 'drift.distribution': { warning: 0.05 } } })), [
        { check: 'drift.distribution', severity: 'warning', metrics: { psi } },
      ]);
    });
  });

  describe('nulls.rate', () => {
    it('is an error for a change of 5 points or more', () => {
      const target = ints.map((v) => (v % 10 === 3 ? null : v));
      expectFindings(nullsRate(ctx({ stored: ints, target })), [{
        check: 'nulls.rate', severity: 'error',
        messageMatch: /^null rate changed from 0% \(stored\) to 10%$/,
        metrics: { nullRateBefore: 0, nullRateAfter: 0.1, change: 0.1 },
      }]);
    });

    it('is a warning for a change between 0.1 and 5 points, either way', () => {
      const stored = range(1000, (i) => (i < 10 ? null : i));
      const target = range(1000, (i) => (i < 8 ? null : i));
      expectFindings(nullsRate(ctx({ stored, target })), [{
        check: 'nulls.rate', severity: 'warning',
        messageMatch: /^null rate changed from 1\.0% \(stored\) to 0\.8%$/,
        metrics: { nullRateBefore: 0.01, nullRateAfter: 0.008, change: 0.002 },
      }]);
    });

    it('does not trigger on the same null rate (on other rows), NaN for null, a tiny change, or rows that threw', () => {
      const stored = ints.map((v) => (v < 10 ? null : v));
      expectFindings(nullsRate(ctx({ stored, target: ints.map((v) => (v >= 90 ? null : v)) })), []);
      expectFindings(nullsRate(ctx({ stored, target: ints.map((v) => (v < 10 ? NaN : v)) })), []);
      const big = range(2000, (i) => i);
      expectFindings(nullsRate(ctx({ stored: big, target: big.map((v) => (v === 5 ? null : v)) })), []);
      expectFindings(nullsRate(ctx({ stored: ints, target: ints.map((v) => (v < 30 ? undefined : v)) })), []);
      expectFindings(nullsRate(ctx({ target: ints.map(() => null) })), []);
    });
  });

  describe('domain.new-values', () => {
    const stored = range(100, (i) => (i % 2 ? 'a' : 'b'));

    it('is an error when 1% of rows or more hold new categories', () => {
      const target = stored.map((v, i) => (i < 5 ? 'c' : v));
      const findings = domainNewValues(ctx({ stored, target }));
      expectFindings(findings, [{
        check: 'domain.new-values', severity: 'error',
        messageMatch: /^1 new category never seen in the stored column, in 5\.0% of rows: "c" \(5\)$/,
        metrics: { share: 0.05, count: 5, newValues: 1 },
      }]);
      assert.deepEqual(findings[0].examples?.map((e) => [e.row, e.target, e.stored]), range(5, (i) => [{ id: i }, 'c', stored[i]]));
    });

    it('is a warning below 1%, listing categories by count', () => {
      const big = range(1000, (i) => (i % 2 ? 'a' : 'b'));
      const target = big.map((v, i) => (i < 3 ? 'c' : i < 5 ? 'd' : v));
      expectFindings(domainNewValues(ctx({ stored: big, target })), [{
        check: 'domain.new-values', severity: 'warning',
        messageMatch: /^2 new categories never seen in the stored column, in 0\.5% of rows: "c" \(3\), "d" \(2\)$/,
        metrics: { share: 0.005, count: 5, newValues: 2 },
      }]);
    });

    it('sees booleans as categories', () => {
      // The share is of rows that produced a value: nulls and rows that threw are left out.
      expectFindings(domainNewValues(ctx({ stored: ['a'], target: ['a', 'z', null, null, undefined, 'a'] })), [
        { check: 'domain.new-values', severity: 'error', messageMatch: /in 33% of rows: "z" \(1\)$/, metrics: { share: 1 / 3, count: 1, newValues: 1 } },
      ]);
      expectFindings(domainNewValues(ctx({ stored: [true, true], target: [true, false] })), [
        { check: 'domain.new-values', severity: 'error', messageMatch: /"false" \(1\)/, metrics: { share: 0.5 } },
      ]);
    });

    it('does not trigger on a numeric column, known categories, dates, or nulls', () => {
      expectFindings(domainNewValues(ctx({ stored: ints, target: ints.map((v) => v + 1000) })), []);
      expectFindings(domainNewValues(ctx({ stored, target: [...stored].reverse() })), []);
      expectFindings(domainNewValues(ctx({ stored, target: stored.map((v, i) => (i % 3 ? v : null)) })), []);
      expectFindings(domainNewValues(ctx({ stored: [new Date(0)], target: [new Date(1000)] })), []);
      expectFindings(domainNewValues(ctx({ target: ['z'] })), []);
    });
  });

  describe('runtime.error', () => {
    const errors = [3, 17, 40, 41, 90].map((index) => ({ index, message: `Cannot read properties of null (reading 'x') at row ${index}` }));
    const target = ints.map((v) => (errors.some((e) => e.index === v) ? undefined : v));

    it('is an error at a rate of 1% or more, with the first message and example rows', () => {
      const findings = runtimeError(ctx({ target: { values: target, errorCount: 5, errors } }));
      expectFindings(findings, [{
        check: 'runtime.error', severity: 'error',
        messageMatch: /^throws on 5\.0% of sampled rows \(5 of 100\): Cannot read properties of null \(reading 'x'\) at row 3$/,
        metrics: { rate: 0.05, count: 5 },
      }]);
      assert.deepEqual(findings[0].examples, errors.slice(0, 3).map((e) => ({ row: { id: e.index }, error: e.message })));
    });

    it('is a warning below 1%, and mentions the base code throwing too', () => {
      const values = range(1000, (i) => (i === 500 ? undefined : i));
      const findings = runtimeError(ctx({
        base: { values: range(1000, (i) => (i === 500 || i === 501 ? undefined : i)), errorCount: 2 },
        target: { values, errorCount: 1, errors: [{ index: 500, message: 'boom' }] },
      }));
      expectFindings(findings, [{
        check: 'runtime.error', severity: 'warning',
        messageMatch: /^throws on 0\.1% of sampled rows \(1 of 1000\) \(the base code threw on 2\): boom$/,
        metrics: { rate: 0.001, count: 1 },
      }]);
    });

    it('follows threshold overrides', () => {
      expectFindings(runtimeError(ctx({ target: { values: target, errorCount: 5, errors }, thresholds: { 'runtime.error': { error: 0.1 } } })), [
        { check: 'runtime.error', severity: 'warning', metrics: { rate: 0.05 } },
      ]);
    });

    it('does not trigger when nothing throws', () => {
      expectFindings(runtimeError(ctx({ base: { values: [undefined], errorCount: 1 }, target: [1] })), []);
    });
  });

  describe('expect.range', () => {
    it('is an error for values outside [min, max], with the observed extremes', () => {
      const findings = expectRange(ctx({ target: [0.5, 1.5, -2, 0.2, null, 'x'], feature: { expect: { min: 0, max: 1 } } }));
      expectFindings(findings, [{
        check: 'expect.range', severity: 'error',
        messageMatch: /^33% of rows \(2\) fall outside the expected range \[0, 1\], from -2 to 1\.5$/,
        metrics: { count: 2, rate: 2 / 6, min: -2, max: 1.5 },
      }]);
      assert.deepEqual(findings[0].examples?.map((e) => e.target), [1.5, -2]);
    });

    it('works with one bound', () => {
      expectFindings(expectRange(ctx({ target: [5, 11, 12], feature: { expect: { max: 10 } } })), [
        { check: 'expect.range', severity: 'error', messageMatch: /\(2\) fall outside the expected range \[-∞, 10\], from 11 to 12$/, metrics: { min: 11, max: 12 } },
      ]);
      expectFindings(expectRange(ctx({ target: [5, -1], feature: { expect: { min: 0 } } })), [
        { check: 'expect.range', severity: 'error', messageMatch: /\[0, ∞\], from -1 to -1$/ },
      ]);
    });

    it('counts NaN as out of range without losing the extremes', () => {
      expectFindings(expectRange(ctx({ target: [NaN, 2, 0.5], feature: { expect: { min: 0, max: 1 } } })), [
        { check: 'expect.range', severity: 'error', messageMatch: /^67% of rows \(2\) fall outside the expected range \[0, 1\], from 2 to 2 \(1 NaN\)$/, metrics: { count: 2, min: 2, max: 2 } },
      ]);
      expectFindings(expectRange(ctx({ target: [NaN, 0.5], feature: { expect: { min: 0 } } })), [
        { check: 'expect.range', severity: 'error', messageMatch: /^50% of rows \(1\) fall outside the expected range \[0, ∞\] \(1 NaN\)$/, metrics: { count: 1, min: null, max: null } },
      ]);
    });

    it('does not trigger on values in range (bounds included) or without a declared range', () => {
      expectFindings(expectRange(ctx({ target: [0, 0.5, 1, null], feature: { expect: { min: 0, max: 1 } } })), []);
      expectFindings(expectRange(ctx({ target: [100], feature: { expect: { notNull: true } } })), []);
      expectFindings(expectRange(ctx({ target: [100] })), []);
    });
  });

  describe('expect.not-null', () => {
    it('is an error for nulls and NaN, not for rows that threw', () => {
      const findings = expectNotNull(ctx({ target: [1, null, NaN, undefined], feature: { expect: { notNull: true } } }));
      expectFindings(findings, [{
        check: 'expect.not-null', severity: 'error',
        messageMatch: /^returns null on 50% of rows \(2\) but is declared notNull$/,
        metrics: { count: 2, rate: 0.5 },
      }]);
      assert.deepEqual(findings[0].examples?.map((e) => e.row), [{ id: 1 }, { id: 2 }]);
    });

    it('does not trigger without nulls or without the expectation', () => {
      expectFindings(expectNotNull(ctx({ target: [1, 0, '', false], feature: { expect: { notNull: true } } })), []);
      expectFindings(expectNotNull(ctx({ target: [null], feature: { expect: { notNull: false } } })), []);
      expectFindings(expectNotNull(ctx({ target: [null] })), []);
    });
  });

  describe('expect.values', () => {
    it('is an error for values outside the declared set', () => {
      const findings = expectValues(ctx({ target: ['a', 'c', 'd', 'c', null, 'b'], feature: { expect: { values: ['a', 'b'] } } }));
      expectFindings(findings, [{
        check: 'expect.values', severity: 'error',
        messageMatch: /^3 rows have values outside the expected set: "c", "d"$/,
        metrics: { count: 3, distinct: 2 },
      }]);
      assert.deepEqual(findings[0].examples?.map((e) => e.target), ['c', 'd', 'c']);
    });

    it('compares numbers by value, not by their text', () => {
      expectFindings(expectValues(ctx({ target: [0, 1, '1', 2], feature: { expect: { values: [0, 1] } } })), [
        { check: 'expect.values', severity: 'error', messageMatch: /: "1", 2$/, metrics: { count: 2, distinct: 2 } },
      ]);
    });

    it('does not trigger on allowed values, nulls, or without the expectation', () => {
      expectFindings(expectValues(ctx({ target: [0, 1, 1, null, undefined], feature: { expect: { values: [0, 1] } } })), []);
      expectFindings(expectValues(ctx({ target: ['zzz'] })), []);
    });
  });

  describe('examples.mismatch', () => {
    const examples = [{ input: { age: 40 }, output: 0 }, { input: { age: 50 }, output: 1 }, { input: { age: null }, output: null }];

    it('is an error for each example giving another output', () => {
      const findings = examplesMismatch(ctx({ target: { values: [], extraValues: [0, 2, null] }, feature: { examples } }));
      expectFindings(findings, [{ check: 'examples.mismatch', severity: 'error', messageMatch: /^example 2 expects 1 but the code returns 2 for \{"age":50\}$/ }]);
      assert.deepEqual(findings[0].examples, [{ row: { age: 50 }, target: 2 }]);
    });

    it('reports an example that throws, even when it expects null', () => {
      const findings = examplesMismatch(ctx({ target: { values: [], extraValues: [undefined, 1, undefined] }, feature: { examples } }));
      expectFindings(findings, [
        { check: 'examples.mismatch', severity: 'error', messageMatch: /^example 1 expects 0 but the code throws for \{"age":40\}$/ },
        { check: 'examples.mismatch', severity: 'error', messageMatch: /^example 3 expects null but the code throws for \{"age":null\}$/ },
      ]);
    });

    it('does not trigger on matching outputs (within tolerance) or without examples', () => {
      expectFindings(examplesMismatch(ctx({ target: { values: [], extraValues: [1e-12, 1, null] }, feature: { examples } })), []);
      expectFindings(examplesMismatch(ctx({ target: { values: [], extraValues: ['x'] } })), []);
    });
  });

  describe('perf.slowdown', () => {
    it('is a warning at 3× the base time or more, per row', () => {
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 40 }, target: { values: ints, runMs: 200 } })), [{
        check: 'perf.slowdown', severity: 'warning',
        messageMatch: /^5\.0× slower per row than before \(2000 µs vs 400 µs\)$/,
        metrics: { ratio: 5, baseMs: 40, targetMs: 200 },
      }]);
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 60 }, target: { values: ints, runMs: 180 } })), [
        { check: 'perf.slowdown', severity: 'warning', messageMatch: /^3\.0× slower/, metrics: { ratio: 3 } },
      ]);
    });

    it('does not judge short runs, small ratios, or a feature without a base', () => {
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 1 }, target: { values: ints, runMs: 15 } })), []);
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 5 }, target: { values: ints, runMs: 24 } })), []);
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 30 }, target: { values: ints, runMs: 109 } })), []);
      expectFindings(perfSlowdown(ctx({ base: { values: ints, runMs: 100 }, target: { values: ints, runMs: 290 } })), []);
      expectFindings(perfSlowdown(ctx({ target: { values: ints, runMs: 5000 } })), []);
    });
  });

  describe('code.nondeterministic', () => {
    it('is a warning with the number of rows that differed on a second run', () => {
      expectFindings(codeNondeterministic(ctx({ target: { values: ints, nondeterministic: 7 } })), [{
        check: 'code.nondeterministic', severity: 'warning',
        messageMatch: /^gave different values on 7 rows when run twice on the same input/,
        metrics: { count: 7 },
      }]);
    });

    it('does not trigger on deterministic code, even if the base was not', () => {
      expectFindings(codeNondeterministic(ctx({ base: { values: ints, nondeterministic: 3 }, target: ints })), []);
    });
  });
});
