/**
 * The V8 code cache loader, in fresh Node processes as the CLI uses it (within one process V8
 * reuses what it compiled and never reads the cache): a file loads with the module variables
 * `require` gives; the cache is written at the process's exit and used by the next process; it is
 * never used for other content — V8 itself checks only the source's length, so a same-length edit
 * must be caught by the cache's own stamp — nor when damaged; one cache per variant;
 * `FEATUREGUARD_CODE_CACHE=off` is a plain `require`.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { REPO_ROOT, removeTempDirs, tempDir } from '../helpers';

interface Run {
  last: string;
  version: number;
  answer: number;
  dir: string;
  file: string;
  self: boolean;
}

const source = (version: number) =>
  `const path = require('node:path');\nmodule.exports = { version: ${version}, answer: () => 40 + ${version}, dir: __dirname, file: __filename, self: this === module.exports, join: path.join };\n`;

describe('code cache (requireWithCodeCache)', function () {
  this.timeout(60_000);
  let loader: string;
  let cacheDir: string;
  let file: string;

  before(() => {
    loader = join(tempDir('fg-code-loader-'), 'codeCache.js');
    esbuild.buildSync({ entryPoints: [join(REPO_ROOT, 'engine/codeCache.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: loader, logLevel: 'silent' });
  });
  beforeEach(() => {
    cacheDir = tempDir('fg-code-cache-');
    file = join(tempDir('fg-code-src-'), 'lib.js');
    writeFileSync(file, source(1));
  });
  after(removeTempDirs);

  /** Loads `file` in a new process and reports how. */
  function load(variant = '', setting = cacheDir): Run {
    const script = `const c = require(${JSON.stringify(loader)}); const m = c.requireWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(variant)});
      process.stdout.write(JSON.stringify({ last: c.codeCacheUse.last, version: m.version, answer: m.answer(), dir: m.dir, file: m.file, self: m.self && typeof m.join === 'function' }));`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, FEATUREGUARD_CODE_CACHE: setting }, encoding: 'utf8' })) as Run;
  }

  it('gives the module variables require gives, writes the cache at exit and loads from it next time', () => {
    const first = load();
    assert.deepEqual(first, { last: 'miss', version: 1, answer: 41, dir: join(file, '..'), file, self: true });
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1);
    assert.ok(readFileSync(join(cacheDir, files[0]), 'utf8').split('\n')[0].includes(JSON.stringify(file).slice(1, -1)), 'the stamp names the file');
    assert.deepEqual(load(), { ...first, last: 'hit' });
  });

  it('never uses a cache made for other content, even of the same length', () => {
    load();
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, source(2));
    assert.equal(readFileSync(file, 'utf8').length, before.length);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const changed = load();
    assert.equal(changed.last, 'miss');
    assert.equal(changed.version, 2);
    assert.equal(changed.answer, 42);
    assert.equal(readdirSync(cacheDir).length, 1, 'the cache of the old content is replaced, not kept beside it');
    assert.deepEqual([load().last, load().answer], ['hit', 42]);
  });

  it('compiles from source when the cache file is damaged, and makes it again', () => {
    load();
    const [name] = readdirSync(cacheDir);
    const text = readFileSync(join(cacheDir, name));
    const nl = text.indexOf(10);
    writeFileSync(join(cacheDir, name), Buffer.concat([text.subarray(0, nl + 1), Buffer.alloc(text.length - nl - 1, 7)]));
    const damaged = load();
    assert.equal(damaged.last, 'rejected');
    assert.equal(damaged.answer, 41);
    assert.equal(load().last, 'hit');
  });

  it('keeps one cache per variant', () => {
    load('impact');
    assert.equal(load('check').last, 'miss');
    assert.equal(readdirSync(cacheDir).length, 2);
    assert.equal(load('check').last, 'hit');
    assert.equal(load('impact').last, 'hit');
  });

  it('keeps the 32 most recently written caches when it writes one', () => {
    for (let i = 0; i < 40; i++) {
      const old = join(cacheDir, `other-${i}.v8cache`);
      writeFileSync(old, 'x');
      const when = new Date(Date.now() - (i + 1) * 60_000);
      utimesSync(old, when, when);
    }
    writeFileSync(join(cacheDir, 'left-over.v8cache.123.tmp'), 'x');
    utimesSync(join(cacheDir, 'left-over.v8cache.123.tmp'), new Date(0), new Date(0));
    assert.equal(load().last, 'miss');
    const left = readdirSync(cacheDir).sort();
    assert.equal(left.length, 32);
    assert.ok(left.some((n) => n.startsWith('lib.js-')), 'the cache just written stays');
    assert.ok(left.includes('other-0.v8cache') && !left.includes('other-31.v8cache') && !left.includes('left-over.v8cache.123.tmp'));
    assert.equal(load().last, 'hit');
  });

  it('is a plain require when turned off', () => {
    const run = load('', 'off');
    assert.equal(run.last, 'off');
    assert.equal(run.answer, 41);
    assert.equal(readdirSync(cacheDir).length, 0);
  });
});
