/**
 * `featureguard check` end to end on remote snapshots: the built CLI (with the AWS SDK bundle
 * beside it) run as a process against s3rver and a `node:http` server on 127.0.0.1, each behind a
 * counting proxy. The first run reads ranges, the second only asks for the object's version (the
 * cache under `.git/featureguard/snapshots/` has the rest), `--refresh` reads again.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeRepo, removeTempDirs, runCliAsync, tempDir, type Files } from '../helpers';
import { config, customer, edit, rows, util } from './featureRepo';
import { parquetBytes } from './snapshotFiles';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };

/** `check --format json` as a child process (the servers live in this one). */
const runCheck = (cwd: string, args: string[], env: Record<string, string>) => runCliAsync(cwd, ['check', '--format', 'json', ...args], env);

interface Counter {
  gets: number;
  heads: number;
  bytes: number;
}

/** A proxy to `port` on the loopback that counts requests and bytes sent back. */
async function countingProxy(port: number, counter: Counter): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') counter.gets++;
    if (req.method === 'HEAD') counter.heads++;
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => {
        counter.bytes += chunk.length;
        res.write(chunk);
      });
      up.on('end', () => res.end());
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function remoteRepo(snapshotPath: string): string {
  const files: Files = { 'src/features/util.ts': util, 'src/features/customer.ts': customer, 'featureguard.json': JSON.stringify(config(snapshotPath), null, 2) };
  const root = makeRepo(files);
  edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
  return root;
}

function assertAffine(stdout: string): void {
  const report = JSON.parse(stdout);
  const spend = report.features.find((f: any) => f.name === 'spend');
  assert.equal(spend.verdict, 'changed');
  assert.equal(spend.change.kind, 'affine');
  assert.equal(spend.metrics.rows, 800);
}

describe('featureguard check on remote snapshots (end to end, 127.0.0.1 only)', function () {
  this.timeout(60000);
  const bytes = parquetBytes(rows());
  after(removeTempDirs);

  it('s3://: ranges the first time, a HEAD only the second, ranges again with --refresh', async () => {
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir('fg-s3rver-'), configureBuckets: [{ name: 'store' }] });
    const address = await s3.run();
    const counter: Counter = { gets: 0, heads: 0, bytes: 0 };
    const proxy = await countingProxy(address.port, counter);
    try {
      const put = await fetch(`http://127.0.0.1:${address.port}/store/features/customers.parquet`, { method: 'PUT', body: bytes });
      assert.ok(put.ok);
      const env = {
        AWS_ENDPOINT_URL: proxy.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      };
      const root = remoteRepo('s3://store/features/customers.parquet');
      const first = await runCheck(root, [], env);
      assert.equal(first.code, 1, first.stderr);
      assert.equal(first.stderr, '');
      assertAffine(first.stdout);
      assert.ok(counter.gets > 0 && counter.bytes <= bytes.length, JSON.stringify(counter));
      assert.ok(existsSync(join(root, '.git/featureguard/snapshots')) && readdirSync(join(root, '.git/featureguard/snapshots')).length === 1);

      Object.assign(counter, { gets: 0, heads: 0, bytes: 0 });
      const second = await runCheck(root, [], env);
      assert.equal(second.code, 1, second.stderr);
      assertAffine(second.stdout);
      assert.deepEqual(counter, { gets: 0, heads: 1, bytes: 0 });

      Object.assign(counter, { gets: 0, heads: 0, bytes: 0 });
      const refreshed = await runCheck(root, ['--refresh'], env);
      assert.equal(refreshed.code, 1, refreshed.stderr);
      assertAffine(refreshed.stdout);
      assert.ok(counter.gets > 0, JSON.stringify(counter));

      const missing = await runCheck(remoteRepo('s3://store/features/nothing.parquet'), [], env);
      assert.equal(missing.code, 2);
      assert.equal(missing.stderr, 'featureguard: s3://store/features/nothing.parquet: not found (S3 404): no object or prefix by that name; check the bucket and key\n');
    } finally {
      await proxy.close();
      await s3.close();
    }
  });

  it('https?://: a 404 is exit 2 with one line', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/customers.parquet`;
    try {
      const r = await runCheck(remoteRepo(url), [], {});
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `featureguard: ${url}: not found (HTTP 404): check the snapshot URL\n`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
