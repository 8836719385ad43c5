/** The pure parts of `featureguard init`: matching, tie-breaks, TypeScript forms, Feast sources, import roots. */
import { strict as assert } from 'node:assert';
import { fileSourcePaths } from '../../engine/init/feastSources';
import { typescriptKind } from '../../engine/init/findCandidates';
import { assignMatches, matchRates, nameSimilarity } from '../../engine/init/matchColumns';
import { pythonRoots } from '../../engine/init/pythonRoots';
import { writtenColumns } from '../../engine/init/runCandidates';
import { loadPythonParser } from '../../engine/lang/python/treeSitter';

describe('featureguard init, its parts', () => {
  it('matchRates: equal within 1e-9 on ≥ 99% of the rows that returned a value; nulls and NaN equal; inputs and constants never match', () => {
    const n = 200;
    const x = Array.from({ length: n }, (_, i) => i);
    const doubled = x.map((v) => v * 2);
    const columns = new Map<string, unknown[]>([
      ['x', x],
      ['x2', doubled.map((v, i) => (i === 7 ? v + 1e-12 : v))],
      ['x2_rough', doubled.map((v, i) => (i < 3 ? v + 1 : v))],
      ['const', x.map(() => 4)],
      ['with_nulls', doubled.map((v, i) => (i % 10 === 0 ? null : v))],
    ]);
    const values = doubled.map((v, i) => (i % 10 === 0 ? Number.NaN : v));
    // 10% NaN: equal to the nulls of with_nulls only.
    assert.deepEqual(matchRates(values, columns, new Set()).map((m) => m.column), ['with_nulls']);
    // x2_rough differs on 3 rows of 200 (98.5%): below 99%.
    assert.deepEqual(matchRates(doubled, columns, new Set()).map((m) => [m.column, m.rate]), [['x2', 1]]);
    // Rows that threw (undefined) are not counted; a function that threw on most rows matches nothing.
    const someThrow = doubled.map((v, i) => (i < 50 ? undefined : v));
    assert.deepEqual(matchRates(someThrow, columns, new Set()).map((m) => m.column), ['x2', 'x2_rough']);
    assert.deepEqual(matchRates(doubled.map((v, i) => (i < 150 ? undefined : v)), columns, new Set()), []);
    // The identity is no match for the column it reads; a constant column matches no constant function.
    assert.deepEqual(matchRates(x, columns, new Set(['x'])), []);
    assert.deepEqual(matchRates(x.map(() => 4), columns, new Set()), []);
  });

  it('names break ties only: monthlySpend ↔ spend_usd shares a word; one column per function, one function per column', () => {
    assert.ok(nameSimilarity('sessionsPerWeek', 'sessions_per_week') > nameSimilarity('sessions_per_week_vec', 'sessions_per_week'));
    assert.ok(nameSimilarity('monthlySpend', 'spend_usd') > 0);
    assert.equal(nameSimilarity('foo', 'spend_usd'), 0);
    const { taken, passedOver } = assignMatches([
      { fn: 0, snapshot: 's', column: 'a', rate: 1, similarity: 0 },
      { fn: 1, snapshot: 's', column: 'a', rate: 1, similarity: 1.5 },
      { fn: 1, snapshot: 's', column: 'b', rate: 0.995, similarity: 0 },
      { fn: 0, snapshot: 's', column: 'c', rate: 0.999, similarity: 0 },
    ]);
    assert.deepEqual(taken.map((p) => [p.fn, p.column]), [[1, 'a'], [0, 'c']]);
    assert.equal(passedOver.size, 0);
  });

  it('TypeScript candidates: one required parameter; batch when it is an array', () => {
    assert.equal(typescriptKind('export function f(row: Row): number { return 1; }', 'f'), 'row');
    assert.equal(typescriptKind('export function f(rows: Row[]): number[] { return []; }', 'f'), 'batch');
    assert.equal(typescriptKind('export function f(rows: ReadonlyArray<Row>) { return []; }', 'f'), 'batch');
    assert.equal(typescriptKind('export const f = (r: { a: number; b: Map<string, number> }) => r.a;', 'f'), 'row');
    assert.equal(typescriptKind('export const f = r => r.a;', 'f'), 'row');
    assert.equal(typescriptKind('export const f = async function (r, scale = 2) { return r.a * scale; };', 'f'), 'row');
    assert.equal(typescriptKind('export function f(a: number, b: number) { return a + b; }', 'f'), undefined);
    assert.equal(typescriptKind('export function f() { return 1; }', 'f'), undefined);
    assert.equal(typescriptKind('export function f(...xs: number[]) { return 1; }', 'f'), undefined);
    assert.equal(typescriptKind('export const LIMIT = (3);', 'LIMIT'), undefined);
    assert.equal(typescriptKind('export const f = (a: number) + 1;', 'f'), undefined);
  });

  it('Feast: the string path= of FileSource calls, read with tree-sitter', async () => {
    await loadPythonParser();
    const text = [
      'from feast import FileSource',
      'import feast',
      'a = FileSource(name="a", path="data/a.parquet", timestamp_field="ts")',
      "b = feast.FileSource(path='data/b/')",
      'def make():',
      '    return FileSource(path=f"{ROOT}/c.parquet")  # an f-string: not known statically',
      'other = Other(path="data/not_a_source.parquet")',
    ].join('\n');
    assert.deepEqual(fileSourcePaths(text), ['data/a.parquet', 'data/b/']);
  });

  it('frame outputs are the columns the code writes; import roots are above the top-most package', () => {
    assert.deepEqual(writtenColumns('df["x"] = df["a"] * 2\nreturn df.assign(y=1)\nif df["z"] == 1: pass', ['a', 'x', 'y', 'z']), ['x', 'y']);
    const files = new Set(['src/pkg/__init__.py', 'src/pkg/sub/__init__.py', 'src/pkg/sub/m.py', 'scripts/tool.py', 'top.py']);
    assert.deepEqual(pythonRoots(['src/pkg/sub/m.py', 'scripts/tool.py', 'top.py'], files), ['', 'scripts', 'src']);
  });
});
