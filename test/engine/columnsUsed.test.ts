/** Which snapshot columns a feature bundle can read (so workers build only those). */
import { strict as assert } from 'node:assert';
import { columnsUsed } from '../../engine/exec/columnsUsed';

const columns = ['age', 'spend', 'region', 'plan', 'stored feature', 'tenure_days'];

describe('columnsUsed', () => {
  it('keeps the columns the code names, by property access, string key or destructuring', () => {
    const code = `function f(row) { const { region } = row; return row.age * 2 + row['spend'] + (region === 'x' ? 1 : 0); }`;
    assert.deepEqual([...columnsUsed(code, columns)!].sort(), ['age', 'region', 'spend']);
  });

  it('ignores column names in comments, but not in strings', () => {
    const code = `/** Feature \`spend\`, materialized in the store. */\n// region is unused\nfunction f(row) { return row['age'] + '//plan'.length; }`;
    assert.deepEqual([...columnsUsed(code, columns)!].sort(), ['age', 'plan']);
  });

  it('does not match a column name inside a longer word', () => {
    assert.deepEqual([...columnsUsed('row.tenure_days_total + row.agency', columns)!], []);
  });

  it('finds column names that are not identifiers by their text', () => {
    assert.deepEqual([...columnsUsed(`row["stored feature"]`, columns)!], ['stored feature']);
  });

  for (const code of ['Object.keys(row).length', 'for (const k in row) n++;', 'const copy = { ...row };', 'f(a, ...rest)', 'JSON.stringify(row)', 'Object.entries(row)']) {
    it(`gives every column to code that enumerates rows: ${code}`, () => {
      if (code === 'f(a, ...rest)') assert.notEqual(columnsUsed(code, columns), undefined, 'argument spread is not row enumeration');
      else assert.equal(columnsUsed(code, columns), undefined);
    });
  }
});
