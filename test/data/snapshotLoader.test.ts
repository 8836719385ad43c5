/**
 * The snapshot loader keeps the columns it read between runs (the language server checks one
 * feature after another), within a bound: beyond it, the columns asked for least recently are
 * dropped when the next run starts, and a view already handed out keeps its columns. The worker
 * input built from a view (typed copies of its columns) is shared while someone holds it and not
 * kept by the loader after that.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../engine/config/loadConfig';
import { SnapshotLoader } from '../../engine/data/snapshotLoader';
import { removeTempDirs, tempDir } from '../helpers';

describe('snapshot loader: columns kept between runs', () => {
  after(removeTempDirs);

  it('drops the least recently asked columns beyond its bound when a run starts; views keep theirs', async () => {
    const root = tempDir('fg-loader-');
    const rows = Array.from({ length: 10 }, (_, i) => [i, i * 2, i * 3, i * 4].join(','));
    writeFileSync(join(root, 'data.csv'), ['a,b,c,d', ...rows].join('\n') + '\n');
    writeFileSync(join(root, 'featureguard.json'), JSON.stringify({ snapshots: { s: { path: 'data.csv' } } }));
    const config = loadConfig(join(root, 'featureguard.json'), root);
    // Room for two columns of ten rows.
    const loader = new SnapshotLoader(20);

    loader.startRun();
    const first = await loader.load(config, 's', ['a', 'b']);
    loader.startRun();
    await loader.load(config, 's', ['c']);
    assert.deepEqual(loader.keptColumns().get('s')!.sort(), ['a', 'b', 'c'], 'nothing is dropped during a run');

    loader.startRun();
    assert.deepEqual(loader.keptColumns().get('s')!.sort(), ['b', 'c'], 'a column asked least recently is dropped, down to the bound');
    assert.deepEqual(first.rows.column('a'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the earlier view still holds its columns');
    assert.deepEqual(first.column('b')?.values, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);

    const again = await loader.load(config, 's', ['a', 'd']);
    assert.deepEqual(again.rows.column('d'), [0, 4, 8, 12, 16, 20, 24, 28, 32, 36], 'a dropped column is read again when asked');
    assert.deepEqual(again.rows.column('a'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shares a built worker input while it is held, and does not keep it once nobody holds it', async () => {
    const root = tempDir('fg-loader-');
    const rows = Array.from({ length: 1000 }, (_, i) => [i, i % 7 === 0 ? '' : i / 2].join(','));
    writeFileSync(join(root, 'data.csv'), ['a,b', ...rows].join('\n') + '\n');
    writeFileSync(join(root, 'featureguard.json'), JSON.stringify({ snapshots: { s: { path: 'data.csv' } } }));
    const config = loadConfig(join(root, 'featureguard.json'), root);
    const loader = new SnapshotLoader();
    loader.startRun();
    const view = await loader.load(config, 's', ['a', 'b']);
    let held: typeof view.sample | undefined = view.sample;
    assert.equal((await loader.load(config, 's', ['b', 'a'])).sample, held, 'the same columns asked again (in any order) share the input while it is held');
    assert.deepEqual([...held.columns[0].numbers!.subarray(0, 3)], [0, 1, 2]);
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef's target lives to the end of the job that made it: collect after the job.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 3 && ref.deref(); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(ref.deref(), undefined, 'the loader does not keep a worker input nobody holds');
    const rebuilt = view.sample;
    assert.deepEqual([...rebuilt.columns[1].nulls!.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 1], 'built again when asked again');
  });
});
