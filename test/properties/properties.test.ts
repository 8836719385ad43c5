/**
 * Property-based tests (fast-check): the config loader and the snapshot readers never crash on
 * arbitrary input — they return a value or a one-line `UserError` naming the file — and the
 * statistics keep their mathematical properties on arbitrary data.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CHECK_IDS, FEATURE_KEYS, parseConfig, ROOT_KEYS, SNAPSHOT_KEYS } from '../../engine/config/loadConfig';
import { UserError } from '../../engine/errors';
import { readSnapshot } from '../../engine/data/readSnapshot';
import { numericDrift } from '../../engine/stats/numericDrift';
import { categoricalDrift } from '../../engine/stats/categoricalDrift';
import { removeTempDirs, tempDir, writeFiles } from '../helpers';

/** Runs `fn`; it may return or throw a one-line UserError that names `file`, nothing else. */
async function onlyUserErrors(fn: () => unknown, file: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `not a UserError: ${(err as Error)?.stack ?? err}`);
    assert.ok(!err.message.includes('\n'), `more than one line: ${err.message}`);
    assert.ok(err.message.includes(file), `does not name ${file}: ${err.message}`);
  }
}

describe('properties', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('the config loader accepts or rejects any JSON value with a one-line message naming the file', async () => {
    const root = tempDir();
    const value = fc.jsonValue({ maxDepth: 4 });
    const configish = fc.record(
      {
        snapshots: fc.oneof(value, fc.dictionary(fc.string(), fc.record({ path: fc.oneof(value, fc.constantFrom('a.csv', '../x.csv', 'd.parquet')), sampleRows: value, seed: value }, { requiredKeys: [] }))),
        features: fc.oneof(value, fc.dictionary(fc.string(), fc.record({ source: fc.oneof(value, fc.constantFrom('a.ts#f', 'a.ts', '#f', '../b.ts#g')), snapshot: value, kind: value, tolerance: value, expect: value, examples: value }, { requiredKeys: [] }))),
        thresholds: value,
        acknowledged: value,
        timeoutMs: value,
        defaultSnapshot: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(configish.map((c) => JSON.stringify(c)), fc.string(), value.map((v) => JSON.stringify(v))), async (text) => {
        await onlyUserErrors(() => parseConfig(text, join(root, 'featureguard.json'), root), 'featureguard.json');
      }),
      { numRuns: 400 },
    );
  });

  it('a valid config with every key loads without warnings; one key of a wrong type is an error naming it, one unknown key a warning naming it', () => {
    const root = tempDir();
    const snapshotFiles = ['d.csv', 'data/e.parquet', 'f.arrow', 'g.feather', 'h.ipc'];
    writeFiles(root, Object.fromEntries(snapshotFiles.map((f) => [f, 'a\n1\n'])));
    const configPath = join(root, 'featureguard.json');
    let corrupted = 0;
    let unknown = 0;
    fc.assert(
      fc.property(validConfig(snapshotFiles), fc.nat(), fc.nat(), fc.boolean(), fc.string({ minLength: 1, maxLength: 12 }), (generated, slotPick, wrongPick, addUnknown, unknownKey) => {
        // Corrupted below: a copy, so that fast-check shrinks and prints the valid original.
        const config = structuredClone(generated);
        const loaded = parseConfig(JSON.stringify(config), configPath, root);
        assert.deepEqual(loaded.warnings, []);
        assert.equal(loaded.features.size, Object.keys(config.features).length);
        assert.equal(loaded.snapshots.size, Object.keys(config.snapshots).length);

        if (addUnknown) {
          const levels = objectLevels(config).filter((l) => !l.allowed.includes(unknownKey) && unknownKey !== '__proto__');
          fc.pre(levels.length > 0);
          const level = levels[slotPick % levels.length];
          level.object[unknownKey] = 1;
          const path = level.path ? `${level.path}.${unknownKey}` : unknownKey;
          unknown++;
          if (level.strict) {
            // A threshold names a check id and its two levels: anything else is a mistake, not a newer key.
            expectUserError(() => parseConfig(JSON.stringify(config), configPath, root), path);
          } else {
            assert.deepEqual(parseConfig(JSON.stringify(config), configPath, root).warnings, [`featureguard.json: ${path} is not a known key (ignored)`]);
          }
          return;
        }
        const all = slots(config);
        const slot = all[slotPick % all.length];
        const wrong = WRONG[slot.kind];
        slot.set(wrong[wrongPick % wrong.length]);
        corrupted++;
        expectUserError(() => parseConfig(JSON.stringify(config), configPath, root), slot.path);
      }),
      { numRuns: 400 },
    );
    // Both branches ran: the property is not vacuous.
    assert.ok(corrupted > 100 && unknown > 100, `${corrupted} corrupted, ${unknown} unknown keys`);
  });

  for (const ext of ['parquet', 'arrow', 'csv']) {
    it(`the ${ext} reader never crashes on random bytes`, async () => {
      const dir = tempDir();
      let n = 0;
      const magic = ext === 'parquet' ? 'PAR1' : ext === 'arrow' ? 'ARROW1\0\0' : 'a,b\n';
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, withMagic) => {
          const name = `snap${n++}.${ext}`;
          const content = withMagic ? Buffer.concat([Buffer.from(magic), Buffer.from(bytes), Buffer.from(ext === 'parquet' ? 'PAR1' : '')]) : Buffer.from(bytes);
          writeFileSync(join(dir, name), content);
          await onlyUserErrors(() => readSnapshot(join(dir, name), { sampleRows: 100, seed: 1 }, name), name);
        }),
        { numRuns: 150 },
      );
    });
  }

  const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  const sample = fc.array(finite, { minLength: 1, maxLength: 300 }).map((a) => Float64Array.from(a));

  it('PSI ≥ 0, and 0 for identical inputs; KS in [0, 1]; Wasserstein symmetric', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const d = numericDrift(a, b);
        assert.ok(d.psi >= 0 && d.ks >= 0 && d.ks <= 1 + 1e-12, JSON.stringify(d));
        const same = numericDrift(a, a);
        assert.equal(same.psi, 0);
        assert.equal(same.ks, 0);
        assert.equal(same.wasserstein, 0);
        // Symmetric before normalization: W(a, b)·std(a) = W(b, a)·std(b).
        const back = numericDrift(b, a);
        const wab = d.wasserstein * (d.storedStd || 1);
        const wba = back.wasserstein * (back.storedStd || 1);
        assert.ok(Math.abs(wab - wba) <= 1e-9 * Math.max(1, Math.abs(wab)), `${wab} vs ${wba}`);
      }),
      { numRuns: 300 },
    );
  });

  it('categorical drift: PSI ≥ 0 and 0 for identical inputs, L∞ and Jensen–Shannon in [0, 1]', () => {
    const cats = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(cats, cats, (a, b) => {
        const d = categoricalDrift(a, b);
        assert.ok(d.psi >= 0 && d.lInf >= 0 && d.lInf <= 1 && d.jensenShannon >= 0 && d.jensenShannon <= 1 + 1e-12, JSON.stringify(d));
        assert.equal(categoricalDrift(a, a).psi, 0);
      }),
      { numRuns: 300 },
    );
  });
});

/** `fn` throws a one-line UserError of featureguard.json whose subject is exactly `path`. */
function expectUserError(fn: () => unknown, path: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, `not a UserError: ${(err as Error)?.stack ?? err}`);
    assert.ok(!err.message.includes('\n'), `more than one line: ${err.message}`);
    assert.ok(err.message.startsWith(`featureguard.json: ${path} `), `does not name featureguard.json and ${path}: ${err.message}`);
    return true;
  });
}

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const text = fc.string({ minLength: 1, maxLength: 10 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
const scalar = fc.oneof(text, finite, fc.boolean());

/** A featureguard.json using every key of the schema, each optional one present or not. */
function validConfig(snapshotFiles: string[]) {
  return fc
    .record({
      snapshotNames: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
      featureNames: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
      schema: fc.option(fc.constant('./schemas/featureguard.schema.json'), { nil: undefined }),
    })
    .chain(({ snapshotNames, featureNames, schema }) => {
      const snapshot = fc.record(
        { path: fc.constantFrom(...snapshotFiles), sampleRows: fc.nat(), seed: fc.integer(), sliceBy: fc.array(text, { maxLength: 3 }) },
        { requiredKeys: ['path'] },
      );
      const feature = fc.record(
        {
          source: fc.tuple(name, name).map(([file, fn]) => `src/${file}.ts#${fn}`),
          snapshot: fc.constantFrom(...snapshotNames),
          column: text,
          kind: fc.constantFrom('row', 'batch'),
          output: text,
          tolerance: fc.record({ abs: fc.double({ min: 0, max: 1, noNaN: true }), rel: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }),
          consumers: fc.array(text, { maxLength: 3 }),
          expect: fc.record({ min: finite, max: finite, notNull: fc.boolean(), values: fc.array(scalar, { maxLength: 3 }) }, { requiredKeys: [] }),
          examples: fc.array(fc.record({ input: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), output: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }),
        },
        { requiredKeys: ['source'] },
      );
      const cell = fc.record({ warning: finite, error: finite }, { requiredKeys: [] });
      return fc.record(
        {
          ...(schema ? { $schema: fc.constant(schema) } : {}),
          snapshots: fc.tuple(...snapshotNames.map(() => snapshot)).map((list) => Object.fromEntries(list.map((s, i) => [snapshotNames[i], s]))),
          features: fc.tuple(...featureNames.map(() => feature)).map((list) => Object.fromEntries(list.map((f, i) => [featureNames[i], f]))),
          thresholds: fc.dictionary(fc.constantFrom(...CHECK_IDS), cell, { maxKeys: 4 }),
          acknowledged: fc.subarray(featureNames).chain((names) => fc.tuple(...names.map(() => text)).map((reasons) => Object.fromEntries(names.map((n, i) => [n, reasons[i]])))),
          timeoutMs: fc.integer({ min: 1, max: 10_000_000 }),
          defaultSnapshot: fc.constantFrom(...snapshotNames),
        },
        { requiredKeys: ['snapshots', 'features'] },
      );
    }) as fc.Arbitrary<any>;
}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'scalar';

/** Values of another JSON type than each kind accepts. */
const WRONG: Record<Kind, unknown[]> = {
  string: [7, true, null, [], {}],
  number: ['7', false, null, [1], {}],
  boolean: ['true', 1, null, [], {}],
  object: ['x', 3, false, null, []],
  array: ['x', 3, true, null, {}],
  scalar: [null, [], {}],
};

/** Every value slot of a generated config with the JSON type the loader requires there. */
function slots(c: any): { path: string; kind: Kind; set: (v: unknown) => void }[] {
  const out: { path: string; kind: Kind; set: (v: unknown) => void }[] = [];
  const slot = (obj: any, key: string | number, path: string, kind: Kind) => {
    if (obj[key] !== undefined) out.push({ path, kind, set: (v) => (obj[key] = v) });
  };
  const fields = (obj: any, path: string, kinds: Record<string, Kind>) => {
    for (const [key, kind] of Object.entries(kinds)) slot(obj, key, `${path}.${key}`, kind);
  };
  const items = (arr: unknown[] | undefined, path: string, kind: Kind) => arr?.forEach((_, i) => slot(arr, i, `${path}[${i}]`, kind));
  for (const key of ['snapshots', 'features', 'thresholds', 'acknowledged'] as const) slot(c, key, key, 'object');
  slot(c, 'timeoutMs', 'timeoutMs', 'number');
  slot(c, 'defaultSnapshot', 'defaultSnapshot', 'string');
  for (const [n, s] of Object.entries<any>(c.snapshots)) {
    const p = `snapshots.${n}`;
    slot(c.snapshots, n, p, 'object');
    fields(s, p, { path: 'string', sampleRows: 'number', seed: 'number', sliceBy: 'array' });
    items(s.sliceBy, `${p}.sliceBy`, 'string');
  }
  for (const [n, f] of Object.entries<any>(c.features)) {
    const p = `features.${n}`;
    slot(c.features, n, p, 'object');
    fields(f, p, { source: 'string', snapshot: 'string', column: 'string', kind: 'string', output: 'string', tolerance: 'object', consumers: 'array', expect: 'object', examples: 'array' });
    if (f.tolerance) fields(f.tolerance, `${p}.tolerance`, { abs: 'number', rel: 'number' });
    items(f.consumers, `${p}.consumers`, 'string');
    if (f.expect) fields(f.expect, `${p}.expect`, { min: 'number', max: 'number', notNull: 'boolean', values: 'array' });
    items(f.expect?.values, `${p}.expect.values`, 'scalar');
    items(f.examples, `${p}.examples`, 'object');
    f.examples?.forEach((ex: any, i: number) => slot(ex, 'input', `${p}.examples[${i}].input`, 'object'));
  }
  for (const [id, cell] of Object.entries<any>(c.thresholds ?? {})) {
    slot(c.thresholds, id, `thresholds.${id}`, 'object');
    fields(cell, `thresholds.${id}`, { warning: 'number', error: 'number' });
  }
  for (const n of Object.keys(c.acknowledged ?? {})) slot(c.acknowledged, n, `acknowledged.${n}`, 'string');
  return out;
}

/** Every object of a generated config that has a fixed set of keys, with those keys. */
function objectLevels(c: any): { object: any; path: string; allowed: readonly string[]; strict?: boolean }[] {
  const out: { object: any; path: string; allowed: readonly string[]; strict?: boolean }[] = [{ object: c, path: '', allowed: ROOT_KEYS }];
  for (const [n, s] of Object.entries<any>(c.snapshots)) out.push({ object: s, path: `snapshots.${n}`, allowed: SNAPSHOT_KEYS });
  for (const [n, f] of Object.entries<any>(c.features)) {
    out.push({ object: f, path: `features.${n}`, allowed: FEATURE_KEYS });
    if (f.tolerance) out.push({ object: f.tolerance, path: `features.${n}.tolerance`, allowed: ['abs', 'rel'] });
    if (f.expect) out.push({ object: f.expect, path: `features.${n}.expect`, allowed: ['min', 'max', 'notNull', 'values'] });
    f.examples?.forEach((ex: any, i: number) => out.push({ object: ex, path: `features.${n}.examples[${i}]`, allowed: ['input', 'output'] }));
  }
  if (c.thresholds) {
    out.push({ object: c.thresholds, path: 'thresholds', allowed: CHECK_IDS, strict: true });
    for (const [id, cell] of Object.entries<any>(c.thresholds)) out.push({ object: cell, path: `thresholds.${id}`, allowed: ['warning', 'error'], strict: true });
  }
  return out;
}
