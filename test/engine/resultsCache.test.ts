/**
 * The results cache's file form: every value a feature can produce comes back exactly (numbers
 * with NaN, ±Infinity, -0, null and rows that threw; strings, booleans and plain objects), values
 * without a faithful form stay in memory only, and a file for another key or cut short is refused.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheable, decodeEntry, encodeEntry, ResultsCache } from '../../engine/cache/resultsCache';
import { decodeReply, encodeValues, takeNumericForm, type WorkerResult } from '../../engine/exec/workerProtocol';
import { removeTempDirs, tempDir } from '../helpers';

function result(values: unknown[], extra: unknown[] = []): WorkerResult {
  return { ok: true, values, extraValues: extra, errorCount: 1, errors: [{ index: 2, message: 'boom' }], nondeterministic: 0, runMs: 12.5, missingColumns: ['x'] };
}

const KEY = 'a'.repeat(40);

describe('results cache (file form)', () => {
  after(removeTempDirs);

  it('numbers round-trip bit for bit, with null and rows that threw', () => {
    const r = result([1.5, null, undefined, NaN, -0, Infinity, -Infinity, 2 ** -1074], [3]);
    const back = decodeEntry(encodeEntry(KEY, r)!, KEY)!;
    assert.deepEqual(back, r);
    assert.ok(Object.is(back.values[4], -0));
  });

  it('numeric values start 8-byte aligned in the file, whatever the header (read back as a view, not a copy); unaligned ones still read', () => {
    for (const message of ['x', 'xy', 'xyz', 'é', 'éé', 'a\u{1F600}']) {
      const r = { ...result([1.25, null, 3], []), errors: [{ index: 0, message }] };
      const bytes = encodeEntry(KEY, r)!;
      const headLength = bytes.readUInt32LE(4);
      assert.equal((8 + headLength) % 8, 0, `header ${JSON.stringify(message)}: values at an 8-byte boundary`);
      assert.equal(bytes.length, 8 + headLength + 3 * 9);
      assert.deepEqual(decodeEntry(bytes, KEY), r);
      // The same bytes one byte into a buffer: the values are copied to an aligned array.
      const shifted = Buffer.alloc(bytes.length + 1);
      bytes.copy(shifted, 1);
      assert.deepEqual(decodeEntry(shifted.subarray(1), KEY), r);
    }
  });

  it('mixed values round-trip through JSON, with what JSON cannot say kept by index', () => {
    const r = result(['high', true, null, undefined, { a: [1, 'b', null] }, 3, NaN, -0, 'é\u{1F600}'], [undefined, 'x']);
    const back = decodeEntry(encodeEntry(KEY, r)!, KEY)!;
    assert.deepEqual(back, r);
    assert.ok(Object.is(back.values[7], -0) && Number.isNaN(back.values[6]));
  });

  it('values without a faithful file form are not written', () => {
    assert.equal(encodeEntry(KEY, result([new Date(0)])), undefined);
    assert.equal(encodeEntry(KEY, result(['a', 10n])), undefined);
    assert.equal(encodeEntry(KEY, result([{ a: undefined }])), undefined);
    assert.equal(encodeEntry(KEY, result(['a', [NaN]])), undefined);
  });

  it('a file for another key, of another format, or cut short is refused', () => {
    const bytes = encodeEntry(KEY, result([1, 2, 3]))!;
    assert.equal(decodeEntry(bytes, 'b'.repeat(40)), undefined);
    assert.equal(decodeEntry(bytes.subarray(0, bytes.length - 1), KEY), undefined);
    assert.equal(decodeEntry(Buffer.from('garbage'), KEY), undefined);
    const other = Buffer.from(bytes);
    other.write('FGR0', 0, 'latin1');
    assert.equal(decodeEntry(other, KEY), undefined);
  });

  it('caches only deterministic successes', () => {
    assert.equal(cacheable({ ok: true, result: result([1]) }), true);
    assert.equal(cacheable({ ok: true, result: { ...result([1]), nondeterministic: 3 } }), false);
    for (const reason of ['timeout', 'crash', 'memory', 'cancelled', 'load', 'bundle'] as const) assert.equal(cacheable({ ok: false, reason, message: '' }), false);
  });

  it('on disk: read back by a new cache, least recently used pruned beyond the bound, a corrupt file deleted', () => {
    const dir = join(tempDir(), 'results');
    const saved = process.env.FEATUREGUARD_RESULTS_CACHE_MB;
    process.env.FEATUREGUARD_RESULTS_CACHE_MB = String((2.5 * 9 * 1000) / 1024 / 1024);
    try {
      const a = new ResultsCache();
      a.setDir(dir);
      const keys = ['1', '2', '3'].map((c) => c.repeat(40));
      keys.forEach((k, i) => {
        a.set(k, result(new Array(1000).fill(i)));
        const t = new Date(Date.now() - (10 - i) * 1000);
        utimesSync(join(dir, k), t, t);
      });
      // Read: the oldest becomes the most recently used.
      const b = new ResultsCache();
      b.setDir(dir);
      assert.deepEqual(b.get(keys[0])!.values[0], 0);
      a.set('4'.repeat(40), result(new Array(1000).fill(4)));
      a.prune();
      assert.deepEqual(readdirSync(dir).sort(), [keys[0], '4'.repeat(40)].sort());
      const total = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
      assert.ok(total <= 2.5 * 9 * 1000, String(total));
      // Corrupt: a miss, and the file is gone.
      writeFileSync(join(dir, keys[0]), 'x');
      const c = new ResultsCache();
      c.setDir(dir);
      assert.equal(c.get(keys[0]), undefined);
      assert.equal(existsSync(join(dir, keys[0])), false);
    } finally {
      if (saved === undefined) delete process.env.FEATUREGUARD_RESULTS_CACHE_MB;
      else process.env.FEATUREGUARD_RESULTS_CACHE_MB = saved;
    }
  });

  it("prunes what the last run used last: its sampled columns outlive older runs' results, and go before its own", () => {
    const dir = join(tempDir(), 'results');
    const saved = process.env.FEATUREGUARD_RESULTS_CACHE_MB;
    // Room for three entries of 1000 numbers (~9 KB each).
    process.env.FEATUREGUARD_RESULTS_CACHE_MB = String((3.5 * 9 * 1000) / 1024 / 1024);
    try {
      const old = ['a', 'b'].map((c) => c.repeat(40));
      const sample = 's-' + 'c'.repeat(40);
      const earlier = new ResultsCache();
      earlier.setDir(dir);
      earlier.setStored(sample, new Array(1000).fill(1));
      old.forEach((k) => earlier.set(k, result(new Array(1000).fill(2))));
      // All of it from runs a minute ago.
      const t = new Date(Date.now() - 60_000);
      for (const f of readdirSync(dir)) utimesSync(join(dir, f), t, t);
      // This run reads the sample and writes two results: the old results go, not the sample.
      const run = new ResultsCache();
      run.setDir(dir);
      assert.equal(run.getStored(sample)?.values.length, 1000);
      const fresh = ['d', 'e'].map((c) => c.repeat(40));
      fresh.forEach((k) => run.set(k, result(new Array(1000).fill(3))));
      run.prune();
      assert.deepEqual(readdirSync(dir).sort(), [sample, ...fresh].sort());
      // Within one run's entries, the sample goes first.
      const next = new ResultsCache();
      next.setDir(dir);
      assert.equal(next.getStored(sample)?.values.length, 1000);
      next.set('f'.repeat(40), result(new Array(1000).fill(4)));
      for (const k of fresh) assert.ok(next.get(k));
      next.prune();
      assert.deepEqual(readdirSync(dir).sort(), [...fresh, 'f'.repeat(40)].sort());
    } finally {
      if (saved === undefined) delete process.env.FEATUREGUARD_RESULTS_CACHE_MB;
      else process.env.FEATUREGUARD_RESULTS_CACHE_MB = saved;
    }
  });

  it('mayHold: false with nothing to reuse (no directory, only sampled columns and costs, a bound of 0), true with a side entry', () => {
    const dir = join(tempDir(), 'results');
    const saved = process.env.FEATUREGUARD_RESULTS_CACHE_MB;
    try {
      delete process.env.FEATUREGUARD_RESULTS_CACHE_MB;
      const fresh = () => {
        const c = new ResultsCache();
        c.setDir(dir);
        return c;
      };
      assert.equal(new ResultsCache().mayHold(), false, 'memory only, empty');
      assert.equal(fresh().mayHold(), false, 'no directory');
      const a = fresh();
      a.setStored('s-' + KEY, [1, 2, 3]);
      writeFileSync(join(dir, 'costs.json'), '{}');
      writeFileSync(join(dir, `${KEY}.123.tmp`), 'x');
      assert.equal(fresh().mayHold(), false, `only ${readdirSync(dir).join(', ')}`);
      a.set(KEY, result([1, 2]));
      assert.equal(a.mayHold(), true, 'in memory');
      assert.equal(fresh().mayHold(), true, 'on disk');
      process.env.FEATUREGUARD_RESULTS_CACHE_MB = '0';
      assert.equal(fresh().mayHold(), false, 'a bound of 0 reads nothing');
    } finally {
      if (saved === undefined) delete process.env.FEATUREGUARD_RESULTS_CACHE_MB;
      else process.env.FEATUREGUARD_RESULTS_CACHE_MB = saved;
    }
  });
  it("a worker's numeric reply is written as the bytes it came in, and that form is not kept after", () => {
    const dir = join(tempDir(), 'results');
    // As a worker sends them (encodeValues in the worker process).
    const { numbers, states } = encodeValues([1.5, null, -0, NaN, undefined]) as { numbers: Float64Array; states: Uint8Array };
    const values = decodeReply({ numbers, states });
    assert.deepEqual(values, [1.5, null, -0, NaN, undefined]);
    const r = result(values);
    const expected = encodeEntry(KEY, { ...r, values: [...values] })!;
    const cache = new ResultsCache();
    cache.setDir(dir);
    cache.set(KEY, r);
    assert.deepEqual(readFileSync(join(dir, KEY)), expected);
    assert.equal(takeNumericForm(values), undefined, 'dropped once written');
    // A cache without a directory drops it too: memory holds the values, not a second copy.
    const again = decodeReply({ numbers, states });
    new ResultsCache().set('b'.repeat(40), result(again));
    assert.equal(takeNumericForm(again), undefined);
    // Values read back from a file keep no wire form either.
    const reader = new ResultsCache();
    reader.setDir(dir);
    const back = reader.get(KEY)!;
    assert.deepEqual(back.values, [1.5, null, -0, NaN, undefined]);
    assert.equal(takeNumericForm(back.values), undefined);
  });
});
