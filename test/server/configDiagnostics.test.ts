/**
 * Where a user error's diagnostic stands in the config: at the key path its message names, at the
 * deepest part of that path the file has, at a JSON error's line and column, else on line 1.
 */
import { strict as assert } from 'node:assert';
import { rangeOf } from '../../server/configDiagnostics';

const config = `{
  // comments and trailing commas are allowed
  "python": { "interpreter": ".venv/bin/python", "paths": ["src", "lib"] },
  "features": {
    "spend_z": { "source": "src/f.py#spend_z", "kind": "series" },
    "combined": {
      "source": "src/f.py#combine",
    },
  },
  "snapshots": { "customers": { "path": "data/c.parquet" }, "old": { "path": "data/c.parquet.bak.csv" } },
}
`;

/** [message, expected start line (0-based), expected text under the range]. */
const cases: [string, number, string][] = [
  ['featureguard.json: features.combined.kind is needed: the code of src/f.py#combine(a, b) does not say how it is called', 5, '"combined"'],
  ['featureguard.json: features.spend_z.kind must be one of "row", "batch", not "seris"', 4, '"kind"'],
  ['no Python interpreter found: python.interpreter .venv/bin/python does not exist', 2, '"interpreter"'],
  ['featureguard.json: python.paths[1] "lib" is outside the repository', 2, '"lib"'],
  ['python interpreter /usr/bin/python3.11 (3.11.2) has no module "pandas", which features of kind "series" need (spend_z)', 0, '{'],
  ['featureguard.json:8:5: invalid JSON (PropertyNameExpected)', 7, '},'],
  ['featureguard.json: snapshots.customers.path file not found: data/c.parquet', 9, '"path"'],
  ['data/c.parquet is a Git LFS pointer, not the snapshot data: run `git lfs pull` to download it', 9, '"data/c.parquet"'],
  ['cannot read data/c.parquet.bak.csv: permission denied', 9, '"data/c.parquet.bak.csv"'],
  ['python interpreter /usr/bin/python3 (3.11.2) cannot import src/f.py#combine: SyntaxError', 6, '"src/f.py#combine"'],
  ['featureguard.json: snapshots.customers has no rows', 9, '"customers"'],
];

describe('config diagnostics: where a user error stands', () => {
  for (const [message, line, text] of cases) {
    it(message, () => {
      const range = rangeOf(message, config);
      assert.equal(range.start.line, line);
      const lineText = config.split('\n')[range.start.line];
      assert.equal(range.end.line, range.start.line);
      assert.equal(lineText.slice(range.start.character, range.end.character), text);
    });
  }

  it('falls back to line 1 for a config that does not parse as an object', () => {
    assert.deepEqual(rangeOf('featureguard.json: features.x.kind is needed', '[1, 2]').start, { line: 0, character: 0 });
    assert.deepEqual(rangeOf('featureguard.json: features.x.kind is needed', '').start, { line: 0, character: 0 });
  });
});
