/**
 * Bad-input corpus, snapshots and config paths: each case gets a clear outcome — a verdict, a
 * finding, or exit 2 with one line naming the file — never a crash.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { removeTempDirs, runCli, runJson, writeFiles } from '../helpers';
import { config, edit, repo, rows as sampleRows, type Format } from '../e2e/featureRepo';
import { arrowBytes, csvText, parquetBytes } from '../e2e/snapshotFiles';

const story = (root: string) => edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');

/** `check` over the story's edit with `bytes` as the snapshot must stop with exit 2 and exactly `line` on stderr. */
function refused(format: Format, bytes: Uint8Array | string, line: string): void {
  const root = repo(format);
  writeFiles(root, { [`data/c.${format}`]: Buffer.from(bytes as Uint8Array) });
  story(root);
  const r = runCli(root, ['check']);
  assert.equal(r.code, 2, r.stdout);
  assert.equal(r.stderr, `featureguard: ${line}\n`);
  assert.equal(r.stdout, '');
}

const half = (bytes: Uint8Array, share = 0.5) => bytes.subarray(0, Math.floor(bytes.length * share));
const findings = (feature: any) => feature.findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`);

describe('corpus: snapshots and config paths', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('a snapshot with zero rows: the feature is not checked (nothing to compare), never called identical', () => {
    const root = repo('csv');
    writeFiles(root, { 'data/c.csv': 'days,spend,plan,tickets,age,recency,spend_f,tier,tickets_f,age_years\n' });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.report.features.map((f: { name: string; verdict: string }) => `${f.name}:${f.verdict}`), ['spend:not-checked']);
    assert.deepEqual(r.report.features[0].findings, []);
    assert.equal(r.report.features[0].metrics.rows, 0);
    assert.equal(r.report.summary.rowsSampled, 0);
  });

  it('code that reads a column the snapshot does not have: the findings name the column', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row as any).spend_usd ?? 0;');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    const spend = r.report.features.find((f: any) => f.name === 'spend');
    assert.ok(spend.findings.length > 0);
    for (const f of spend.findings) assert.match(f.message, /; the code reads "spend_usd", which is not a column of the snapshot$/, f.message);
    assert.deepEqual(spend.findings.map((f: any) => f.check).sort(), ['drift.distribution', 'value.mismatch']);
  });

  it('a stored column missing from the snapshot makes the feature new (no history to break)', () => {
    const root = repo();
    const rows = sampleRows().map(({ spend_f: _dropped, ...rest }) => rest);
    writeFiles(root, { 'data/c.parquet': Buffer.from(parquetBytes(rows)) });
    story(root);
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:new']);
    assert.deepEqual(findings(r.report.features[0]), []);
    assert.equal(r.code, 0);
  });

  it('NaN and ±Infinity in a CSV are numbers, and comparisons handle them', () => {
    const root = repo('csv');
    const text = readFileSync(join(root, 'data/c.csv'), 'utf8').split('\n');
    text[1] = text[1].replace(/^(\d+),([\d.]+),/, '$1,NaN,');
    text[2] = text[2].replace(/^(\d+),([\d.]+),/, '$1,Infinity,');
    writeFiles(root, { 'data/c.csv': text.join('\n') });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.report.features[0].verdict, 'changed');
    // NaN out of the NaN row is a missing value, Infinity out of the Infinity row a difference.
    assert.deepEqual(findings(r.report.features[0]), [
      'value.mismatch:error: 100% of sampled rows (799 of 800) differ from the stored "spend_f" values, by up to 197.4',
      'drift.distribution:error: distribution shifted from the stored "spend_f" values: PSI 8.283 (KS 0.9938, Wasserstein 1.789 stored std)',
      'nulls.rate:warning: null rate changed from 0% (stored) to 0.1%',
    ]);
  });

  it('a non-UTF-8 (Latin-1) CSV is refused naming the line, not read with its bytes replaced', () => {
    const latin1 = Buffer.from(csvText(sampleRows(3).map((r, i) => ({ ...r, plan: i === 1 ? 'café' : r.plan }))), 'latin1');
    refused('csv', latin1, 'data/c.csv is not a readable CSV file: it is not valid UTF-8: line 3 has the byte 0xE9 (Latin-1 or Windows-1252 text?); save it as UTF-8');
  });

  it('a truncated Parquet file', () => {
    refused('parquet', half(parquetBytes(sampleRows())), 'data/c.parquet is not a readable Parquet file: it does not end with the Parquet magic bytes PAR1 (the file is truncated or was not fully written)');
  });

  it('a truncated Arrow IPC file', () => {
    refused('arrow', half(arrowBytes(sampleRows()), 0.6), 'data/c.arrow is not a readable Arrow IPC file: it does not end with the Arrow magic bytes ARROW1 (the file is truncated or was not fully written)');
  });

  it('a truncated Arrow IPC stream', () => {
    const stream = arrowBytes(sampleRows(), 'stream');
    const cut = half(stream, 0.6);
    const r = /\((\d+) of (\d+) bytes;/;
    const root = repo('arrow');
    writeFiles(root, { 'data/c.arrow': Buffer.from(cut) });
    story(root);
    const out = runCli(root, ['check']);
    assert.equal(out.code, 2);
    const [, read, expected] = r.exec(out.stderr) ?? [];
    assert.ok(Number(read) < Number(expected), out.stderr);
    assert.equal(out.stderr, `featureguard: data/c.arrow is not a readable Arrow IPC file: it ends in the middle of a message (${read} of ${expected} bytes; the file is truncated or was not fully written)\n`);
  });

  it('wrong magic: CSV text named .parquet', () => {
    refused('parquet', csvText(sampleRows(5)), 'data/c.parquet is not a readable Parquet file: it does not start with the Parquet magic bytes PAR1');
  });

  it('wrong magic: CSV text named .arrow', () => {
    refused('arrow', csvText(sampleRows(5)), 'data/c.arrow is not a readable Arrow IPC file: it starts with neither the Arrow file magic ARROW1 nor an Arrow stream message');
  });

  it('wrong magic: a Parquet file named .arrow', () => {
    refused('arrow', parquetBytes(sampleRows(5)), 'data/c.arrow is not a readable Arrow IPC file: it is a Parquet file; give it the .parquet extension');
  });

  it('wrong magic: an Arrow file named .parquet', () => {
    refused('parquet', arrowBytes(sampleRows(5)), 'data/c.parquet is not a readable Parquet file: it is an Arrow IPC file; give it the .arrow extension');
  });

  it('wrong magic: a Parquet file named .csv', () => {
    refused('csv', parquetBytes(sampleRows(5)), 'data/c.csv is not a readable CSV file: it is a Parquet file; give it the .parquet extension');
  });

  it('wrong magic: an Arrow stream named .csv', () => {
    refused('csv', arrowBytes(sampleRows(5), 'stream'), 'data/c.csv is not a readable CSV file: it is an Arrow IPC file; give it the .arrow extension');
  });

  it('wrong magic: binary data named .csv', () => {
    refused('csv', Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x00, 0x02, 0x0a]), 'data/c.csv is not a readable CSV file: it is a binary file, not CSV text (a NUL byte at offset 5)');
  });

  it('zero columns: a CSV with an empty header', () => {
    refused('csv', '\n\n', 'data/c.csv has no columns');
  });

  it('zero columns: a Parquet file with no columns', () => {
    refused('parquet', new Uint8Array(parquetWriteBuffer({ columnData: [] })), 'data/c.parquet has no columns');
  });

  it('zero columns: an Arrow file with no columns', () => {
    refused('arrow', tableToIPC(new Table(), 'file'), 'data/c.arrow has no columns');
  });

  it('an empty (0-byte) Parquet file', () => {
    refused('parquet', '', 'data/c.parquet is not a readable Parquet file: the file is empty');
  });

  it('a Git LFS pointer checked out in place of the snapshot', () => {
    refused('parquet', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n', 'data/c.parquet is a Git LFS pointer, not the snapshot data: run `git lfs pull` to download it');
  });

  it('mixed types in a CSV column: text among stored numbers makes the column text, and the numeric output a schema.type error', () => {
    const rows = sampleRows().map((r, i) => ({ ...r, spend_f: i % 100 === 7 ? 'n/a' : r.spend_f }));
    const root = repo('csv');
    writeFiles(root, { 'data/c.csv': csvText(rows) });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    const spend = r.report.features.find((f: any) => f.name === 'spend');
    assert.equal(spend.verdict, 'changed');
    assert.deepEqual(findings(spend)[0], 'schema.type:error: output type changed: number values where string values are stored ("spend_f")');
  });

  it('refuses snapshot and source paths that leave the repository', () => {
    const root = repo();
    const cfg = config('../../outside.parquet');
    writeFiles(root, { 'featureguard.json': JSON.stringify(cfg) });
    const r = runCli(root, ['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /snapshots\.c\.path "\.\.\/\.\.\/outside\.parquet" is outside the repository/);
    const cfg2 = { ...config('data/c.parquet'), features: { f: { source: '../elsewhere.ts#f', snapshot: 'c' } } };
    writeFiles(root, { 'featureguard.json': JSON.stringify(cfg2) });
    assert.match(runCli(root, ['check']).stderr, /features\.f\.source "\.\.\/elsewhere\.ts#f" is outside the repository/);
  });
});
