/**
 * Remote snapshots (engine/data/httpSource.ts, s3Source.ts, snapshotCache.ts, readDataset.ts):
 * a real S3-compatible server (s3rver) and plain `node:http` servers, all on 127.0.0.1, started
 * here. Every byte and request they serve is counted: a wide object is read by a small fraction
 * of its bytes, a second read is served by the cache under the git directory, and each way a
 * server can fail is one line naming the URL. No test reaches an address outside the loopback.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SnapshotConfig } from '../../engine/config/configTypes';
import { UserError } from '../../engine/errors';
import { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import { sampleIndices } from '../../engine/data/sample';
import type { SnapshotCacheOptions } from '../../engine/data/snapshotCache';
import type { CellValue, ReadOptions, SnapshotTable } from '../../engine/data/table';
import { prng } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };

const ROWS = 100_000;
const WIDE = 50;

/** A 100k-row, 50-column Parquet file (c0 … c49, doubles that do not compress), 10 row groups. */
function wideParquet(): Uint8Array {
  const random = prng(7);
  const columnData = Array.from({ length: WIDE }, (_, c) => ({
    name: `c${c}`,
    type: 'DOUBLE',
    data: Float64Array.from({ length: ROWS }, (_, r) => (c === 0 ? r : random())),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 10_000 } as Parameters<typeof parquetWriteBuffer>[0]));
}

function smallParquet(columns: Record<string, number[]>): Uint8Array {
  const columnData = Object.entries(columns).map(([name, data]) => ({ name, type: 'INT32', data }));
  return new Uint8Array(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]));
}

/** Requests and bytes a server answered. */
class Traffic {
  requests: { method: string; url: string; range?: string; status: number; bytes: number }[] = [];
  get bytes(): number {
    return this.requests.reduce((a, r) => a + r.bytes, 0);
  }
  gets(): number {
    return this.requests.filter((r) => r.method === 'GET').length;
  }
  reset(): void {
    this.requests = [];
  }
}

/** Counts what goes back through `res` (after the status line and headers). */
function counted(req: http.IncomingMessage, res: http.ServerResponse, traffic: Traffic): void {
  const entry = { method: req.method ?? '', url: req.url ?? '', range: req.headers.range, status: 0, bytes: 0 };
  traffic.requests.push(entry);
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...rest: unknown[]) => http.ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk as Buffer);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk as Buffer);
    entry.status = res.statusCode;
    return end(chunk, ...rest);
  }) as typeof res.end;
}

/** A static file server: `/data.parquet` with ranges (or not), `/secret` 403, the rest 404. */
async function fileServer(files: Record<string, Uint8Array>, ranges: boolean, traffic: Traffic): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    counted(req, res, traffic);
    const name = (req.url ?? '').split('?')[0];
    if (name === '/secret.parquet') {
      res.writeHead(403).end('AccessDenied');
      return;
    }
    const body = files[name];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ETag: '"v1"', 'Content-Type': 'application/octet-stream' };
    if (ranges) headers['Accept-Ranges'] = 'bytes';
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': body.length }).end();
    } else if (ranges && m) {
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${body.length}` });
      res.end(Buffer.from(body.buffer, body.byteOffset + start, end - start + 1));
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
      res.end(Buffer.from(body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A counting proxy in front of `target` (the S3 server), so its traffic can be measured. */
async function countingProxy(target: AddressInfo, traffic: Traffic): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    counted(req, res, traffic);
    const upstream = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (chunk: Buffer) => res.write(chunk));
      up.on('end', () => res.end());
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function snapshot(url: string, sampleRows: number, seed = 0): SnapshotConfig {
  return { name: 's', path: url, absPath: url, sampleRows, seed, sliceBy: [] };
}

async function read(url: string, options: ReadOptions, cache: SnapshotCacheOptions = {}): Promise<SnapshotTable> {
  const resolved = await resolveSnapshot(snapshot(url, options.sampleRows, options.seed), os.tmpdir(), url, cache);
  return resolved.read(options);
}

function column(t: SnapshotTable, name: string): CellValue[] {
  return t.values[t.columns.findIndex((c) => c.name === name)];
}

async function assertUserError(promise: Promise<unknown>, expected: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.equal(caught.message, expected);
}

const wide = wideParquet();
const NEEDED: ReadOptions = { sampleRows: 2000, seed: 3, columns: ['c0', 'c17', 'c42'] };

function assertWideSample(t: SnapshotTable): void {
  assert.equal(t.totalRows, ROWS);
  assert.deepEqual(t.columns.map((c) => c.name), ['c0', 'c17', 'c42']);
  assert.equal(t.fileColumns.length, WIDE);
  assert.deepEqual(column(t, 'c0'), sampleIndices(ROWS, 2000, 3));
}

describe('remote snapshots over HTTP (a local node:http server)', () => {
  const traffic = new Traffic();
  let server: { url: string; close: () => Promise<void> };
  let plain: { url: string; close: () => Promise<void> };
  let cacheDir: string;

  before(async () => {
    server = await fileServer({ '/data.parquet': wide }, true, traffic);
    plain = await fileServer({ '/data.parquet': wide }, false, new Traffic());
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-remote-cache-'));
  });
  after(async () => {
    await server.close();
    await plain.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('reads 3 of 50 columns of a 100k-row object by ranges: a small fraction of its bytes, then nothing from the cache', async () => {
    traffic.reset();
    const url = `${server.url}/data.parquet?X-Amz-Signature=abc`;
    const cold = await read(url, NEEDED, { dir: cacheDir });
    assertWideSample(cold);
    const fraction = traffic.bytes / wide.length;
    console.log(`      HTTP cold: ${traffic.requests.length} requests (${traffic.gets()} GETs), ${traffic.bytes} of ${wide.length} bytes (${(fraction * 100).toFixed(1)}%)`);
    assert.ok(fraction < 0.1, `read ${(fraction * 100).toFixed(1)}% of the object`);
    assert.ok(traffic.requests.every((r) => r.method === 'HEAD' || r.range), 'every GET is a range GET');

    traffic.reset();
    const warm = await read(url, NEEDED, { dir: cacheDir });
    assert.deepEqual(warm.values, cold.values);
    console.log(`      HTTP cached: ${traffic.requests.length} requests (${traffic.gets()} GETs), ${traffic.bytes} bytes`);
    assert.equal(traffic.gets(), 0, 'no GET once cached');
    assert.deepEqual(traffic.requests.map((r) => r.method), ['HEAD']);

    traffic.reset();
    const refreshed = await read(url, NEEDED, { dir: cacheDir, refresh: true, refreshed: new Set() });
    assert.deepEqual(refreshed.values, cold.values);
    assert.ok(traffic.gets() > 0, '--refresh reads again');
  });

  it('says in one line what to do on 404, 403 and a server without range support', async () => {
    await assertUserError(read(`${server.url}/missing.parquet`, NEEDED), `${server.url}/missing.parquet: not found (HTTP 404): check the snapshot URL`);
    await assertUserError(read(`${server.url}/secret.parquet`, NEEDED), `${server.url}/secret.parquet: access denied (HTTP 403): check that the URL is public, or presign it again (a presigned URL expires)`);
    await assertUserError(read(`${plain.url}/data.parquet`, NEEDED), `${plain.url}/data.parquet: the server does not support range requests (it answered 200 to a Range request): serve the file from a server that does, or copy it into the repository`);
    const closed = await freePort();
    await assertUserError(read(`http://127.0.0.1:${closed}/data.parquet`, NEEDED), `http://127.0.0.1:${closed}/data.parquet: cannot connect (ECONNREFUSED): check the URL and the network`);
  });
});

describe('remote snapshots in S3 (s3rver on 127.0.0.1)', () => {
  const traffic = new Traffic();
  let s3: { run(): Promise<AddressInfo>; close(): Promise<void> };
  let proxy: { url: string; close: () => Promise<void> };
  let storeDir: string;
  let cacheDir: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

  before(async () => {
    for (const k of ENV) saved[k] = process.env[k];
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-s3rver-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-s3-cache-'));
    // The bucket's objects are laid out as s3rver stores them (one folder per bucket; each object a
    // file with `._S3rver_metadata.json` and `._S3rver_object` beside it) by putting them through it.
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: storeDir, configureBuckets: [{ name: 'features' }] });
    const address = await s3.run();
    proxy = await countingProxy(address, traffic);
    process.env.AWS_ENDPOINT_URL = proxy.url;
    delete process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_CONFIG_FILE = path.join(storeDir, 'no-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(storeDir, 'no-credentials');
    const put = async (key: string, body: Uint8Array) => {
      const res = await fetch(`http://127.0.0.1:${address.port}/features/${key}`, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
      assert.ok(res.ok, `PUT ${key}: ${res.status} ${await res.text()}`);
    };
    await put('wide/data.parquet', wide);
    await put('customers/region=eu/part-00000.parquet', smallParquet({ id: [0, 1, 2] }));
    await put('customers/region=us/part-00000.parquet', smallParquet({ id: [3, 4] }));
    await put('customers/_SUCCESS', new Uint8Array());
  });
  after(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await proxy.close();
    await s3.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('reads 3 of 50 columns of a 100k-row object by ranges, then from the cache with a HEAD only', async () => {
    traffic.reset();
    const cold = await read('s3://features/wide/data.parquet', NEEDED, { dir: cacheDir });
    assertWideSample(cold);
    const fraction = traffic.bytes / wide.length;
    console.log(`      S3 cold: ${traffic.requests.length} requests (${traffic.gets()} GETs), ${traffic.bytes} of ${wide.length} bytes (${(fraction * 100).toFixed(1)}%)`);
    assert.ok(fraction < 0.1, `read ${(fraction * 100).toFixed(1)}% of the object`);
    assert.ok(traffic.requests.filter((r) => r.method === 'GET').every((r) => r.range), 'every GET is a range GET');

    traffic.reset();
    const warm = await read('s3://features/wide/data.parquet', NEEDED, { dir: cacheDir });
    assert.deepEqual(warm.values, cold.values);
    console.log(`      S3 cached: ${traffic.requests.length} requests (${traffic.gets()} GETs), ${traffic.bytes} bytes`);
    assert.deepEqual(traffic.requests.map((r) => r.method), ['HEAD']);
  });

  it('reads a prefix and a glob as a Hive-partitioned dataset', async () => {
    for (const url of ['s3://features/customers/', 's3://features/customers', 's3://features/customers/**/*.parquet']) {
      const t = await read(url, { sampleRows: 0, seed: 0 });
      assert.deepEqual(t.columns, [{ name: 'id', type: 'integer' }, { name: 'region', type: 'string' }], url);
      assert.deepEqual(column(t, 'id'), [0, 1, 2, 3, 4]);
      assert.deepEqual(column(t, 'region'), ['eu', 'eu', 'eu', 'us', 'us']);
    }
  });

  it('says in one line what to do on a missing key, a glob matching nothing, wrong and missing credentials', async () => {
    await assertUserError(read('s3://features/nothing/here.parquet', NEEDED), 's3://features/nothing/here.parquet: not found (S3 404): no object or prefix by that name; check the bucket and key');
    await assertUserError(read('s3://features/customers/*.csv', NEEDED), 'snapshots.s.path: "s3://features/customers/*.csv" matches no Parquet files');
    // s3rver checks the access key, not SigV4 signatures.
    process.env.AWS_ACCESS_KEY_ID = 'NOSUCHKEY';
    try {
      await assertUserError(read('s3://features/wide/data.parquet', NEEDED), 's3://features/wide/data.parquet: access denied (S3 403): check the credentials and that they may read it (s3:GetObject, s3:ListBucket)');
      await assertUserError(read('s3://features/customers/', NEEDED), 's3://features/customers/: access denied (S3 403 InvalidAccessKeyId): check the credentials and that they may read it (s3:GetObject, s3:ListBucket)');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    }
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      await assertUserError(read('s3://features/wide/data.parquet', NEEDED), 's3://features/wide/data.parquet: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or sign in (aws sso login)');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
      process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    }
  });
});
