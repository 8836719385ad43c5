/**
 * Loads a large CommonJS file with V8's code cache, so that a process that needs it skips most of
 * the parsing (the CLI bundle and the TypeScript parser: ~40 ms of an `impact` after an edit in a
 * small repository, 119 against 158 ms). Node 22 has `module.enableCompileCache()`; Node 20, which this project supports, has only
 * `vm.Script`'s `cachedData`, used here the way Node's own compile cache works:
 *
 * - one cache file per loaded file (named by a hash of its path) in the user's cache folder
 *   (`$XDG_CACHE_HOME` or `~/.cache`, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows;
 *   `FEATUREGUARD_CODE_CACHE` names another folder, or `off`), never in the repository;
 * - its first line says which file it was made from (path, size, mtime) and for which Node (version,
 *   architecture); a file that does not match, is unreadable or that V8 rejects (V8 checks its own
 *   version, flags and the source's length) is compiled from source and the cache made again;
 * - the cache is made at the end of the process that compiled from source, so it holds the
 *   functions the run actually compiled, and written atomically (tmp + rename); failing to write
 *   it is no error. Writing keeps the folder to the 32 most recently written caches (an updated
 *   install leaves its old ones behind).
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * `require(file)` through the code cache; falls back to `require` when the cache cannot be used.
 * `variant` keeps one cache per way of using the file (the CLI's commands compile different
 * functions of one bundle).
 */
export function requireWithCodeCache(file: string, variant = ''): unknown {
  // Indirect, so that esbuild leaves the loaded file out of the bundles.
  const load = require;
  const dir = cacheFolder();
  codeCacheUse.last = 'off';
  if (!dir) return load(file);
  let source: string;
  let stamp: string;
  try {
    const stat = statSync(file);
    stamp = JSON.stringify({ file, size: stat.size, mtimeMs: stat.mtimeMs, node: process.version, arch: process.arch, v8: process.versions.v8 });
    // An ASCII file (the TypeScript compiler is) read as Latin-1 skips UTF-8 decoding: 5 ms instead
    // of 30 for 9 MB.
    const bytes = readFileSync(file);
    source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch {
    return load(file);
  }
  const cacheFile = join(dir, `${basename(file)}-${variant ? variant + '-' : ''}${createHash('sha1').update(file).digest('hex').slice(0, 16)}.v8cache`);
  const cachedData = readCache(cacheFile, stamp);
  // The CommonJS wrapper Node itself uses, so the file sees the usual module variables.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  let script: Script;
  try {
    script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  } catch {
    return load(file);
  }
  codeCacheUse.last = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (codeCacheUse.last !== 'hit') {
    if (pending.length === 0) process.once('exit', flushCodeCaches);
    pending.push(() => writeCache(cacheFile, stamp, script));
  }
  const module = { exports: {} as unknown, id: file, filename: file, loaded: false };
  const fn = script.runInThisContext() as (e: unknown, r: NodeRequire, m: typeof module, f: string, d: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/** How the last `requireWithCodeCache` went (for tests): from the cache, compiled, or not cached at all. */
export const codeCacheUse: { last?: 'hit' | 'miss' | 'rejected' | 'off' } = {};

const pending: (() => void)[] = [];

/** Writes the caches of the files compiled from source so far (done at the process's exit). */
export function flushCodeCaches(): void {
  for (const write of pending.splice(0)) write();
}

function cacheFolder(): string | undefined {
  const setting = process.env.FEATUREGUARD_CODE_CACHE;
  if (setting === 'off' || setting === '0') return undefined;
  if (setting) return setting;
  const base =
    process.platform === 'win32' ? process.env.LOCALAPPDATA :
    process.platform === 'darwin' ? join(homedir(), 'Library', 'Caches') :
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return base ? join(base, 'featureguard', 'code-cache') : undefined;
}

/** The cached data when the file's first line is `stamp`; undefined otherwise. */
function readCache(cacheFile: string, stamp: string): Buffer | undefined {
  try {
    const buf = readFileSync(cacheFile);
    const nl = buf.indexOf(10);
    if (nl < 0 || buf.toString('utf8', 0, nl) !== stamp) return undefined;
    return buf.subarray(nl + 1);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, stamp: string, script: Script): void {
  try {
    const data = script.createCachedData();
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(stamp + '\n'), data]));
    renameSync(tmp, cacheFile);
    prune(dirname(cacheFile));
  } catch {
    // A read-only home or a full disk: the next run compiles from source again.
  }
}

/** Cache files kept: each install (path) of FeatureGuard has a few; older installs' go first. */
const MAX_CACHE_FILES = 32;

/** Deletes the least recently written cache files beyond `MAX_CACHE_FILES` (and stray temporaries). */
function prune(dir: string): void {
  const files = readdirSync(dir).flatMap((name) => {
    try {
      return [{ path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs, name }];
    } catch {
      return [];
    }
  });
  const hourAgo = Date.now() - 3_600_000;
  const stale = files.filter((f) => f.name.endsWith('.tmp') && f.mtimeMs < hourAgo);
  const caches = files.filter((f) => f.name.endsWith('.v8cache')).sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const f of [...stale, ...caches.slice(MAX_CACHE_FILES)]) rmSync(f.path, { force: true });
}
