/**
 * The derived views of a values array (its finite numbers sorted, its null rate, …) are computed once
 * per array, and forgotten when a run ends: the language server keeps arrays between checks, and
 * each million-value array kept 16 MB of views with it until it was dropped.
 */
import { strict as assert } from 'node:assert';
import { forgetDerivedViews, nullRate, sortedFiniteNumbers } from '../../engine/checks/values';

describe('derived views of values arrays', () => {
  it('are computed once per array, and again after forgetDerivedViews', () => {
    const values = [3, null, 1, Number.NaN, 2, Number.POSITIVE_INFINITY, -0, undefined];
    const sorted = sortedFiniteNumbers(values);
    assert.deepEqual([...sorted], [-0, 1, 2, 3]);
    assert.ok(Object.is(sorted[0], -0));
    assert.equal(values.length, 8, 'the values are left as they are');
    assert.equal(sortedFiniteNumbers(values), sorted);

    forgetDerivedViews();
    const sortedAgain = sortedFiniteNumbers(values);
    assert.notEqual(sortedAgain, sorted, 'forgotten: computed anew');
    assert.deepEqual([...sortedAgain], [-0, 1, 2, 3]);
    assert.equal(nullRate(values), 3 / 8);
  });
});
