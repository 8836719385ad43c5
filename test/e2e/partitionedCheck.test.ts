/**
 * `featureguard check` end to end on a partitioned snapshot: the feature repository of
 * checkCli.test.ts with its snapshot written as a Hive-partitioned folder of Parquet parts (the
 * `plan` column only in the folder names), named by the folder and by a glob.
 */
import { strict as assert } from 'node:assert';
import { parquetBytes } from './snapshotFiles';
import { config, customer, edit, rows, util } from './featureRepo';
import { makeRepo, removeTempDirs, runCli, runJson, type Files } from '../helpers';

function partitionedRepo(snapshotPath: string): string {
  const data = rows();
  const files: Files = { 'src/features/util.ts': util, 'src/features/customer.ts': customer, 'featureguard.json': JSON.stringify(config(snapshotPath), null, 2) };
  const uuid = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  for (const plan of ['basic', 'pro']) {
    const part = data.filter((r) => r.plan === plan).map(({ plan: _plan, ...rest }) => rest);
    // Two parts per partition, as Spark writes them, with its bookkeeping files beside them.
    const half = Math.ceil(part.length / 2);
    files[`data/customers/plan=${plan}/part-00000-${uuid}.c000.snappy.parquet`] = Buffer.from(parquetBytes(part.slice(0, half))) as never;
    files[`data/customers/plan=${plan}/part-00001-${uuid}.c000.snappy.parquet`] = Buffer.from(parquetBytes(part.slice(half))) as never;
    files[`data/customers/plan=${plan}/.part-00000-${uuid}.c000.snappy.parquet.crc`] = 'crc';
  }
  files['data/customers/_SUCCESS'] = '';
  return makeRepo(files);
}

describe('featureguard check on a partitioned snapshot (end to end)', function () {
  this.timeout(60000);
  after(removeTempDirs);

  for (const path of ['data/customers/', 'data/customers/**/*.parquet']) {
    it(`finds an affine change and reads partition values as columns (${path})`, () => {
      const root = partitionedRepo(path);
      edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
      edit(root, "return row.plan === 'pro' ? 'high' : 'low';", "return row.plan === 'pro' ? 'high' : 'mid';");
      const { code, report } = runJson(root, ['check']);
      assert.equal(code, 1);
      const byName = Object.fromEntries(report.features.map((f: any) => [f.name, f]));
      assert.equal(byName.spend.verdict, 'changed');
      assert.equal(byName.spend.change.kind, 'affine');
      assert.equal(byName.spend.metrics.rows, 800);
      // `tier` reads `plan`, which only the partition folders hold: a remap of one category.
      assert.equal(byName.tier.verdict, 'changed');
      assert.equal(byName.tier.change.kind, 'category-remap', JSON.stringify(byName.tier.change));
      assert.equal(report.summary.rowsSampled, 800);
    });
  }

  it('an unchanged partitioned snapshot checks identical code as identical', () => {
    const root = partitionedRepo('data/customers');
    edit(root, "return row.plan === 'pro' ? 'high' : 'low';", "return row.plan !== 'pro' ? 'low' : 'high';");
    const { code, report } = runJson(root, ['check']);
    assert.equal(code, 0, JSON.stringify(report.features.map((f: any) => f.findings)));
    assert.equal(report.features[0].verdict, 'identical');
  });

  it('a glob matching nothing stops the run with exit 2 and one line naming the key', () => {
    const root = partitionedRepo('data/customers/**/*.orc');
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    const { code, stderr } = runCli(root, ['check']);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), 'featureguard: snapshots.c.path: "data/customers/**/*.orc" matches no Parquet files');
  });
});
