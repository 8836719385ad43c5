/**
 * The derived views of a values array (finite numbers, their sorted copy, …) are computed once
 * per array, and forgotten when a run ends: the language server keeps arrays between checks, and
 * each million-value array kept 16 MB of views with it until it was dropped.
 */
import { strict as assert } from 'node:assert';
import { finiteNumbers, forgetDerivedViews, nullRate, sortedFiniteNumbers } from '../../engine/checks/values';

describe('derived views of values arrays', () => {
  it('are computed once per array, and again after forgetDerivedViews', () => {
    const values = [3, null, 1, Number.NaN, 2];
    const finite = finiteNumbers(values);
    const sorted = sortedFiniteNumbers(values);
    assert.deepEqual([...sorted], [1, 2, 3]);
    assert.equal(finiteNumbers(values), finite, 'asked again: the same view');
    assert.equal(sortedFiniteNumbers(values), sorted);

    forgetDerivedViews();
    const sortedAgain = sortedFiniteNumbers(values);
    assert.notEqual(sortedAgain, sorted, 'forgotten: computed anew');
    assert.notEqual(finiteNumbers(values), finite);
    assert.deepEqual([...sortedAgain], [1, 2, 3]);
    assert.equal(nullRate(values), 0.4);
  });
});
