/**
 * `featureguard init --snapshot URL`: a feature store that is not in the repository (issue 13's
 * "done when": init, then check, on a remote snapshot without editing the config by hand). The
 * churn example without its config and without its data; the snapshot is served over HTTP with
 * range support by a server on 127.0.0.1 started here (nothing leaves the loopback).
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { REPO_ROOT, exampleRepo, git, removeTempDirs, runCliAsync } from '../helpers';

/** Serves `bytes` at every path, answering Range requests with 206. */
async function rangeServer(bytes: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const headers = { 'accept-ranges': 'bytes', etag: '"churn-v1"', 'content-type': 'application/octet-stream' };
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { ...headers, 'content-length': bytes.length });
      return res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), bytes.length - 1) : bytes.length - 1;
    res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${bytes.length}` });
    res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('featureguard init --snapshot (a remote feature store)', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('examples/churn without its config or data, its snapshot over HTTP: the same features as the shipped config; check runs on it', async () => {
    const server = await rangeServer(readFileSync(join(REPO_ROOT, 'examples/churn/data/customers.parquet')));
    try {
      const root = exampleRepo('churn', false);
      rmSync(join(root, 'featureguard.json'));
      rmSync(join(root, 'data'), { recursive: true });
      git(root, 'add', '-A');
      git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'no config, no data');
      const url = `${server.url}/store/customers.parquet?X-Signature=abc`;
      const r = await runCliAsync(root, ['init', '--snapshot', url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Snapshots\\n {2}customers {2}${url.replace(/[.?]/g, '\\$&')} {2}\\d+ columns, given with --snapshot\\n`));
      const written = parse(readFileSync(join(root, 'featureguard.json'), 'utf8'));
      assert.deepEqual(written.snapshots, { customers: { path: url, sampleRows: 5000, seed: 0 } });
      const shipped = parse(readFileSync(join(REPO_ROOT, 'examples/churn/featureguard.json'), 'utf8'));
      const sourceOf = (c: any) => Object.fromEntries(Object.entries(c.features).map(([name, f]: [string, any]) => [name, f.source.split('#')[1]]));
      assert.deepEqual(sourceOf(written), sourceOf(shipped));
      const check = await runCliAsync(root, ['check', '--format', 'json']);
      assert.equal(check.code, 0, check.stderr);
      assert.deepEqual(JSON.parse(check.stdout).features, []);
    } finally {
      await server.close();
    }
  });

  it('--snapshot outside the repository, and on another command, are refused in one line', async () => {
    const root = exampleRepo('churn', false);
    const outside = await runCliAsync(root, ['init', '--dry-run', '--snapshot', '../elsewhere/data.parquet']);
    assert.equal(outside.code, 2);
    assert.equal(outside.stderr, 'featureguard: --snapshot ../elsewhere/data.parquet: outside the repository\n');
    const other = await runCliAsync(root, ['check', '--snapshot', 'data/customers.parquet']);
    assert.equal(other.code, 2);
    assert.equal(other.stderr.split('\n')[0], 'featureguard: --snapshot is an option of "init" only');
  });
});
