/** Which snapshot columns Python feature code can read (SPEC §9): only those are read from the snapshot. */
import { strict as assert } from 'node:assert';
import { pythonColumnsUsed } from '../../engine/exec/python/pythonColumns';

const columns = ['spend', 'plan', 'tenure_days', 'region', 'churned', 'spend usd'];
const used = (code: string) => {
  const set = pythonColumnsUsed(code, columns);
  return set && [...set].sort();
};

describe('Python column detection', () => {
  it('finds row["x"], row.get("x"), df["x"], df.x, df[["x", "y"]] and Hamilton parameters', () => {
    assert.deepEqual(used('def f(row):\n    return row["spend"] + row.get(\'plan\', 0)\n'), ['plan', 'spend']);
    assert.deepEqual(used('def f(df):\n    return df.tenure_days / df[["spend", "region"]].sum(axis=1)\n'), ['region', 'spend', 'tenure_days']);
    assert.deepEqual(used('def spend_z(spend: pd.Series, plan: pd.Series) -> pd.Series:\n    return spend\n'), ['plan', 'spend']);
    // A string constant the code references names its column (and a word in it another: more columns, never fewer).
    assert.deepEqual(used('COL = "spend usd"\ndef f(row):\n    return row[COL]\n'), ['spend', 'spend usd']);
  });

  it('ignores names in comments, and gives every column to code that enumerates rows or frames', () => {
    assert.deepEqual(used('def f(row):\n    # churned customers are excluded upstream\n    return row["spend"]\n'), ['spend']);
    for (const code of ['def f(row):\n    return sum(v for k, v in row.items())\n', 'def f(row):\n    return g(**row)\n', 'def f(row):\n    return len(dict(row))\n', 'def f(df):\n    return df.iloc[:, 0]\n', 'def f(df):\n    return df[df.columns[0]]\n', 'def f(row):\n    for k in row:\n        pass\n']) {
      assert.equal(pythonColumnsUsed(code, columns), undefined, code);
    }
  });
});
