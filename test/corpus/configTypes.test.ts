/**
 * Bad-input corpus, config: every key with a wrong type gets its exact one-line message naming the
 * file and the key path. Run through the loader directly: the CLI tests already show the message
 * reaches stderr with exit code 2.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { parseConfig } from '../../engine/config/loadConfig';
import { UserError } from '../../engine/errors';
import { removeTempDirs, tempDir, writeFiles } from '../helpers';

const base = () => ({
  snapshots: {
    s: { path: 'd.csv', sampleRows: 10, seed: 1, sliceBy: ['region'], orderBy: ['a', 'ts'], sampleBy: 'a' },
    b: { path: 'd.csv', orderBy: 'ts', sampleBlocks: { blocks: 2, rows: 10, warmupRows: 3 } },
  },
  features: { f: { source: 'src/f.ts#f', snapshot: 's', column: 'f', kind: 'row', output: 'z', tolerance: { abs: 0, rel: 0 }, consumers: ['m'], expect: { min: 0, max: 1, notNull: true, values: ['a'] }, examples: [{ input: {}, output: 1 }] } },
  thresholds: { 'value.mismatch': { warning: 0, error: 0.1 } },
  acknowledged: { f: 'why' },
  timeoutMs: 1000,
  defaultSnapshot: 's',
  python: { interpreter: '.venv/bin/python', paths: ['src'] },
  models: { m: { path: 'm.onnx', snapshot: 's', inputs: { x: 'f', xs: ['f', 'a'] }, output: 'probabilities', label: 'a' } },
});

/** [key path, wrong value, expected message after "featureguard.json: "]. */
const cases: [string, unknown, string][] = [
  ['snapshots', [], 'snapshots must be an object, not an array'],
  ['snapshots.s', 'x', 'snapshots.s must be an object, not the string "x"'],
  ['snapshots.s.path', 5, 'snapshots.s.path must be a non-empty string, not number 5'],
  ['snapshots.s.path', 'ftp://host/d.parquet', 'snapshots.s.path "ftp://host/d.parquet" is not a supported URL (use s3://bucket/key, https:// or http://)'],
  ['snapshots.s.path', 's3:///d.parquet', 'snapshots.s.path "s3:///d.parquet" is not a supported URL (use s3://bucket/key, https:// or http://)'],
  ['snapshots.s.path', '../data/**/*.parquet', 'snapshots.s.path "../data/**/*.parquet" is outside the repository'],
  ['snapshots.s.path', 'nothing/', 'snapshots.s.path folder not found: nothing/'],
  ['snapshots.s.path', 'data/customers', 'snapshots.s.path folder not found: data/customers'],
  ['snapshots.s.path', 'd.xlsx', 'snapshots.s.path "d.xlsx" is not a supported snapshot format (.parquet, .arrow, .feather, .ipc, .csv, a folder or glob of Parquet files, or an s3:// or https:// URL)'],
  ['snapshots.s.sampleRows', -1, 'snapshots.s.sampleRows must be ≥ 0, not -1'],
  ['snapshots.s.sampleRows', 1.5, 'snapshots.s.sampleRows must be an integer, not 1.5'],
  ['snapshots.s.seed', '7', 'snapshots.s.seed must be a number, not the string "7"'],
  ['snapshots.s.sliceBy', 'region', 'snapshots.s.sliceBy must be an array, not the string "region"'],
  ['snapshots.s.sliceBy', [1], 'snapshots.s.sliceBy[0] must be a non-empty string, not number 1'],
  ['snapshots.s.orderBy', 3, 'snapshots.s.orderBy must be an array, not number 3'],
  ['snapshots.s.orderBy', ['a', 'a'], 'snapshots.s.orderBy names "a" twice'],
  ['snapshots.s.orderBy[1]', '', 'snapshots.s.orderBy[1] must be a non-empty string, not the string ""'],
  ['snapshots.s.sampleBy', ['a'], 'snapshots.s.sampleBy must be a non-empty string, not an array'],
  ['snapshots.b.sampleBlocks', 8, 'snapshots.b.sampleBlocks must be an object, not number 8'],
  ['snapshots.b.sampleBlocks.blocks', 0, 'snapshots.b.sampleBlocks.blocks must be ≥ 1, not 0'],
  ['snapshots.b.sampleBlocks.rows', 2.5, 'snapshots.b.sampleBlocks.rows must be an integer, not 2.5'],
  ['snapshots.b.sampleBlocks.rows', undefined, 'snapshots.b.sampleBlocks.rows is required (the consecutive rows in each run)'],
  ['snapshots.b.sampleBlocks.warmupRows', -1, 'snapshots.b.sampleBlocks.warmupRows must be ≥ 0, not -1'],
  ['snapshots.b.sampleBlocks.warmupRows', 10, 'snapshots.b.sampleBlocks.warmupRows must be less than sampleBlocks.rows (10), not 10: no row of a run would be compared'],
  ['snapshots.s.sampleBlocks', { blocks: 1, rows: 5 }, 'snapshots.s.sampleBlocks cannot be combined with sampleBy (use sampleBy for many entities, sampleBlocks for one long series)'],
  ['features', 3, 'features must be an object, not number 3'],
  ['features.f.source', null, 'features.f.source must be a non-empty string, not null'],
  ['features.f.snapshot', true, 'features.f.snapshot must be a non-empty string, not boolean true'],
  ['features.f.column', {}, 'features.f.column must be a non-empty string, not an object'],
  ['features.f.kind', 'rows', 'features.f.kind must be "row" or "batch", not "rows"'],
  ['features.f.output', 1, 'features.f.output must be a non-empty string, not number 1'],
  ['features.f.tolerance', 0.1, 'features.f.tolerance must be an object, not number 0.1'],
  ['features.f.tolerance.abs', -1, 'features.f.tolerance.abs must be ≥ 0, not -1'],
  ['features.f.consumers', 'm', 'features.f.consumers must be an array, not the string "m"'],
  ['features.f.expect.min', '0', 'features.f.expect.min must be a number, not the string "0"'],
  ['features.f.expect.notNull', 'yes', 'features.f.expect.notNull must be true or false, not the string "yes"'],
  ['features.f.expect.values', [{}], 'features.f.expect.values[0] must be a string, number or boolean, not an object'],
  ['features.f.examples', {}, 'features.f.examples must be an array, not an object'],
  ['features.f.examples[0].input', 3, 'features.f.examples[0].input must be an object, not number 3'],
  ['thresholds.value.mismatch', 0.1, 'thresholds.value.mismatch must be an object, not number 0.1'],
  ['thresholds.value.mismatch.error', 'high', 'thresholds.value.mismatch.error must be a number, not the string "high"'],
  ['acknowledged.f', 1, 'acknowledged.f must be a non-empty string, not number 1'],
  ['timeoutMs', 0, 'timeoutMs must be > 0, not 0'],
  ['defaultSnapshot', 'nope', 'defaultSnapshot unknown snapshot "nope" (known: s, b)'],
  ['snapshots.s.sampleRows', '5', 'snapshots.s.sampleRows must be a number, not the string "5"'],
  ['features.f', 'x', 'features.f must be an object, not the string "x"'],
  ['features.f.tolerance.rel', '0', 'features.f.tolerance.rel must be a number, not the string "0"'],
  ['features.f.consumers', [2], 'features.f.consumers[0] must be a non-empty string, not number 2'],
  ['features.f.expect', [], 'features.f.expect must be an object, not an array'],
  ['features.f.expect.max', true, 'features.f.expect.max must be a number, not boolean true'],
  ['features.f.expect.values', 'a', 'features.f.expect.values must be an array, not the string "a"'],
  ['features.f.examples[0]', 5, 'features.f.examples[0] must be an object, not number 5'],
  ['thresholds', [], 'thresholds must be an object, not an array'],
  ['thresholds.value.mismatch.warning', null, 'thresholds.value.mismatch.warning must be a number, not null'],
  ['acknowledged', 'x', 'acknowledged must be an object, not the string "x"'],
  ['timeoutMs', '10', 'timeoutMs must be a number, not the string "10"'],
  ['defaultSnapshot', 5, 'defaultSnapshot must be a non-empty string, not number 5'],
  ['python', 'src', 'python must be an object, not the string "src"'],
  ['python.interpreter', 3, 'python.interpreter must be a non-empty string, not number 3'],
  ['python.paths', 'src', 'python.paths must be an array, not the string "src"'],
  ['python.paths[0]', false, 'python.paths[0] must be a string, not boolean false'],
  ['python.paths[0]', '../elsewhere', 'python.paths[0] "../elsewhere" is outside the repository'],
  ['features.f.kind', 'series', 'features.f.kind must be "row" or "batch", not "series" (a Python form; this source is TypeScript)'],
  ['features.f.source', 'src/f.py', 'features.f.source "src/f.py" must be "path/to/file.ts#exportedFunction" or "path/to/module.py#function"'],
  ['models', [], 'models must be an object, not an array'],
  ['models.m', 'm.onnx', 'models.m must be an object, not the string "m.onnx"'],
  ['models.m.path', 3, 'models.m.path must be a non-empty string, not number 3'],
  ['models.m.path', '../m.onnx', 'models.m.path "../m.onnx" is outside the repository'],
  ['models.m.snapshot', 'nope', 'models.m.snapshot unknown snapshot "nope" (known: s, b)'],
  ['models.m.inputs', ['f'], 'models.m.inputs must be an object, not an array'],
  ['models.m.inputs.x', 3, 'models.m.inputs.x must be a feature or column name, or a list of them for one [N, k] input, not number 3'],
  ['models.m.inputs.xs', [], 'models.m.inputs.xs must name at least one feature or column'],
  ['models.m.inputs.xs[1]', 2, 'models.m.inputs.xs[1] must be a non-empty string, not number 2'],
  ['models.m.output', false, 'models.m.output must be a non-empty string, not boolean false'],
  ['models.m.label', '', 'models.m.label must be a non-empty string, not the string ""'],
];

/** Sets a dotted key path (with [i] indices and check ids containing dots) in a config object. */
function set(config: any, path: string, value: unknown): void {
  const keys = path.replace(/^thresholds\.value\.mismatch/, 'thresholds.\u0000').split('.').flatMap((k) => k.split(/\[(\d+)\]/).filter(Boolean)).map((k) => (k === '\u0000' ? 'value.mismatch' : k));
  let o = config;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys[keys.length - 1]] = value;
}

describe('corpus: every config key with a wrong type', () => {
  after(removeTempDirs);

  it('the valid config loads', () => {
    const root = tempDir();
    writeFiles(root, { 'd.csv': 'a\n1\n' });
    const config = parseConfig(JSON.stringify(base()), join(root, 'featureguard.json'), root);
    assert.equal(config.features.size, 1);
    assert.deepEqual([config.snapshots.get('s')!.orderBy, config.snapshots.get('s')!.sampleBy], [['a', 'ts'], 'a']);
    // One column may be written as a string; warmupRows defaults to 0 only when absent.
    assert.deepEqual([config.snapshots.get('b')!.orderBy, config.snapshots.get('b')!.sampleBlocks], [['ts'], { blocks: 2, rows: 10, warmupRows: 3 }]);
  });

  for (const [path, value, message] of cases) {
    it(`${path} = ${JSON.stringify(value)}`, () => {
      const root = tempDir();
      writeFiles(root, { 'd.csv': 'a\n1\n' });
      const config = base();
      set(config, path, value);
      assert.throws(() => parseConfig(JSON.stringify(config), join(root, 'featureguard.json'), root), (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.equal(err.message, `featureguard.json: ${message}`);
        return true;
      });
    });
  }
});

describe('corpus: config mistakes other than types', () => {
  after(removeTempDirs);

  /** A repository folder holding d.csv and src/f.ts; `text` is parsed as its featureguard.json. */
  function load(text: string) {
    const root = tempDir();
    writeFiles(root, { 'd.csv': 'a\n1\n', '..d.csv': 'a\n1\n', 'src/f.ts': '' });
    return parseConfig(text, join(root, 'featureguard.json'), root);
  }
  function refused(text: string, message: string): void {
    assert.throws(() => load(text), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.equal(err.message, message);
      return true;
    });
  }
  const feature = { source: 'src/f.ts#f', snapshot: 's' };
  const snapshots = { s: { path: 'd.csv' } };

  it('unknown keys at every level are warnings naming the key path, and the config loads', () => {
    const config = load(JSON.stringify({
      featurez: {},
      snapshots: { s: { path: 'd.csv', rows: 10 } },
      features: { f: { ...feature, tolerence: 1, tolerance: { abs: 0, relative: 1 }, expect: { minimum: 0 }, examples: [{ input: {}, output: 1, note: 'x' }] } },
    }));
    assert.deepEqual(config.warnings, [
      'featureguard.json: featurez is not a known key (ignored)',
      'featureguard.json: snapshots.s.rows is not a known key (ignored)',
      'featureguard.json: features.f.tolerence is not a known key (ignored)',
      'featureguard.json: features.f.tolerance.relative is not a known key (ignored)',
      'featureguard.json: features.f.expect.minimum is not a known key (ignored)',
      'featureguard.json: features.f.examples[0].note is not a known key (ignored)',
    ]);
    assert.equal(config.features.get('f')!.examples!.length, 1);
  });

  it('an unknown key with a line break in it is warned about on one line', () => {
    assert.deepEqual(load('{"a\\nb": 1}').warnings, ['featureguard.json: a\\nb is not a known key (ignored)']);
  });

  it('a feature defined twice', () => {
    refused('{\n  "features": {\n    "a": { "source": "src/f.ts#f" },\n    "a": { "source": "src/f.ts#g" }\n  }\n}', 'featureguard.json:4:5: features.a is defined twice (the second would silently win)');
  });

  it('a key defined twice inside a declared example', () => {
    refused('{"features": {"a": {"source": "src/f.ts#f", "examples": [{"input": {}, "output": 1, "output": 2}]}}}', 'featureguard.json:1:85: features.a.examples[0].output is defined twice (the second would silently win)');
  });

  it('an empty file', () => {
    refused('', 'featureguard.json: the file is empty (expected a JSON object with "features")');
  });

  it('a file of whitespace only', () => {
    refused(' \n\t\n', 'featureguard.json: the file is empty (expected a JSON object with "features")');
  });

  it('a file that is not an object', () => {
    refused('[]', 'featureguard.json: must be an object, not an array');
  });

  it('JSON nested 100,000 levels deep', () => {
    refused('['.repeat(100000) + ']'.repeat(100000), 'featureguard.json: invalid JSON (nested too deeply)');
  });

  it('a UTF-8 byte order mark (as Windows editors save) is not an error', () => {
    assert.equal(load('\ufeff' + JSON.stringify({ snapshots, features: { f: feature } })).features.size, 1);
  });

  it('an example without input', () => {
    refused(JSON.stringify({ snapshots, features: { f: { ...feature, examples: [{ output: 1 }] } } }), 'featureguard.json: features.f.examples[0].input is required (the row the example passes to the function)');
  });

  it('a snapshot path that leaves the repository through ..', () => {
    refused(JSON.stringify({ snapshots: { s: { path: '../d.csv' } } }), 'featureguard.json: snapshots.s.path "../d.csv" is outside the repository');
  });

  it('an absolute snapshot path outside the repository', () => {
    refused(JSON.stringify({ snapshots: { s: { path: '/etc/d.csv' } } }), 'featureguard.json: snapshots.s.path "/etc/d.csv" is outside the repository');
  });

  it('a source path that leaves the repository through ..', () => {
    refused(JSON.stringify({ features: { f: { source: '../b.ts#f' } } }), 'featureguard.json: features.f.source "../b.ts#f" is outside the repository');
  });

  it('an absolute source path outside the repository', () => {
    refused(JSON.stringify({ features: { f: { source: '/etc/b.ts#f' } } }), 'featureguard.json: features.f.source "/etc/b.ts#f" is outside the repository');
  });

  it('a Python feature with a kind that is no form, and unknown keys in the python block', () => {
    refused(JSON.stringify({ features: { f: { source: 'src/f.py#f', kind: 'column' } } }), 'featureguard.json: features.f.kind must be one of "row", "batch", "series", "frame", "feast", "hamilton", not "column"');
    assert.deepEqual(load(JSON.stringify({ python: { interpreter: 'python3', path: ['src'] } })).warnings, ['featureguard.json: python.path is not a known key (ignored)']);
  });

  it('python.paths are import roots relative to the config, the config folder by default', () => {
    assert.deepEqual(load(JSON.stringify({ python: { paths: ['src', '.', 'lib/py/'] } })).python.paths, ['src', '', 'lib/py']);
    assert.deepEqual(load('{}').python.paths, ['']);
    const config = load(JSON.stringify({ features: { a: { source: 'src/f.py#a' }, b: { source: 'src/f.py#b', kind: 'series' }, c: { source: 'src/f.ts#c' } } }));
    assert.deepEqual([...config.features.values()].map((f) => [f.name, f.kind, f.kindGiven]), [['a', undefined, false], ['b', 'series', true], ['c', 'row', false]]);
  });

  it('a file whose name starts with two dots is inside the repository', () => {
    assert.equal(load(JSON.stringify({ snapshots: { s: { path: '..d.csv' } } })).snapshots.get('s')!.path, '..d.csv');
  });
});
