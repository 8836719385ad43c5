/**
 * What a snapshot path names, found before anything is read: one local file (any format), a local
 * folder or glob of Parquet parts (a Delta table when it holds `_delta_log/`), an `s3://` object,
 * prefix or glob, or an `https://`/`http://` URL. The result has the snapshot's identity (size and
 * mtime of local files, ETags or Last-Modified dates of remote ones: what the `SnapshotLoader`
 * keys its column store and the result cache on) and reads samples of it.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SnapshotConfig } from '../config/configTypes';
import { UserError } from '../errors';
import { datasetParts, isGlob, localStore, splitGlob, type Dataset, type DatasetStore } from './datasetFiles';
import { openHttp } from './httpSource';
import { readDataset } from './readDataset';
import { Limiter, type RangeSource } from './rangeSource';
import { fileSystemError, reasonText } from './readErrors';
import { readSnapshot, samplingSourceOf } from './readSnapshot';
import { withSampling } from './keyedSample';
import type { SamplingSource } from './samplingSource';
import { headS3, parseS3Url, s3ObjectSource, s3Store } from './s3Source';
import { cachedSource, type SnapshotCacheOptions } from './snapshotCache';
import type { ReadOptions, SnapshotTable } from './table';

export interface ResolvedSnapshot {
  identity: string;
  read(options: ReadOptions): Promise<SnapshotTable>;
}

/** A resolved location, with the faster ways into it that keyed sampling can use (one local Parquet file). */
interface Location extends ResolvedSnapshot {
  samplingSource?: SamplingSource;
}

/** True for the snapshot paths that are URLs (`s3://`, `https://`, `http://`). */
export function isRemotePath(path: string): boolean {
  return /^(s3|https?):\/\//i.test(path);
}

/**
 * Resolves snapshot `s` (paths relative to `configDir`); `display` is its path as messages show
 * it. Throws one-line `UserError`s naming `snapshots.NAME.path` or the file.
 */
export async function resolveSnapshot(s: SnapshotConfig, configDir: string, display: string, cache: SnapshotCacheOptions): Promise<ResolvedSnapshot> {
  const { identity, read, samplingSource } = await resolveLocation(s, configDir, display, cache);
  // Whole entities, runs of rows and an order (`options.sampling`) are drawn the same way for every format.
  return { identity, read: withSampling(read, display, samplingSource) };
}

async function resolveLocation(s: SnapshotConfig, configDir: string, display: string, cache: SnapshotCacheOptions): Promise<Location> {
  const keyPath = `snapshots.${s.name}.path`;
  if (/^https?:\/\//i.test(s.path)) {
    const source = await openHttp(s.path);
    const entry = { rel: '', size: source.size, version: source.version };
    const dataset: Dataset = { parts: [{ entry, display: s.path, partition: {} }], partitionColumns: [], identity: `${s.path}|${source.version}` };
    return datasetReader(dataset, s.path, () => cachedSource(source, cache), true);
  }
  if (/^s3:\/\//i.test(s.path)) return resolveS3(s.path, keyPath, cache);

  if (isGlob(s.path)) {
    const { root, pattern } = splitGlob(s.path);
    const absRoot = resolve(configDir, root || '.');
    const rootDisplay = display.slice(0, display.length - s.path.length) + root;
    const st = await stat(absRoot).catch(() => undefined);
    if (!st?.isDirectory()) throw new UserError(`${keyPath}: "${display}" matches no Parquet files (${rootDisplay || '.'} is not a folder)`);
    const store = localStore(absRoot, rootDisplay);
    return datasetReader(await datasetParts(store, pattern, keyPath, display), display, (part) => store.source(part.entry), false);
  }
  let st;
  try {
    st = await stat(s.absPath);
  } catch (err) {
    throw fileSystemError(display, err) ?? new UserError(`cannot read ${display}: ${reasonText(err)}`, err);
  }
  if (st.isDirectory()) {
    const store = localStore(s.absPath, display);
    return datasetReader(await datasetParts(store, undefined, keyPath, display), display, (part) => store.source(part.entry), false);
  }
  return {
    identity: `${s.absPath}|${st.size}|${st.mtimeMs}|${await edgeHash(s.absPath, st.size)}`,
    read: (options) => readSnapshot(s.absPath, options, display),
    samplingSource: samplingSourceOf(s.absPath, display),
  };
}

/** An `s3://` URL: one object (found by HEAD), else a prefix (a folder of parts), or a glob. */
async function resolveS3(url: string, keyPath: string, cache: SnapshotCacheOptions): Promise<ResolvedSnapshot> {
  const location = parseS3Url(url);
  if (!location) throw new UserError(`${keyPath}: "${url}" is not an s3://bucket/key URL`);
  let store: DatasetStore;
  let pattern: string | undefined;
  if (isGlob(location.key)) {
    const split = splitGlob(location.key);
    const prefix = split.root ? `${split.root}/` : '';
    store = s3Store(location.bucket, prefix);
    pattern = split.pattern;
  } else {
    if (location.key && !location.key.endsWith('/')) {
      const head = await headS3(location);
      if (head) {
        const source = s3ObjectSource(location, head.size, head.etag, url);
        const entry = { rel: '', size: head.size, version: source.version };
        const dataset: Dataset = { parts: [{ entry, display: url, partition: {} }], partitionColumns: [], identity: `${url}|${source.version}` };
        return datasetReader(dataset, url, () => cachedSource(source, cache), true);
      }
    }
    store = s3Store(location.bucket, location.key && !location.key.endsWith('/') ? `${location.key}/` : location.key);
  }
  const dataset = await datasetParts(store, pattern, keyPath, url).catch((err: unknown) => {
    // A key that is neither an object nor a prefix: say "not found" rather than "no Parquet files".
    if (!pattern && err instanceof UserError && / holds no Parquet files$/.test(err.message)) throw new UserError(`${url}: not found (S3 404): no object or prefix by that name; check the bucket and key`);
    throw err;
  });
  return datasetReader(dataset, url, (part) => cachedSource(store.source(part.entry), cache), true);
}

function datasetReader(dataset: Dataset, display: string, open: (part: Dataset['parts'][number]) => RangeSource, remote: boolean): ResolvedSnapshot {
  // Remote requests of one snapshot go four at a time, whatever the number of files.
  const limiter = new Limiter(remote ? 4 : 16);
  return {
    identity: dataset.identity,
    read: (options) => readDataset(dataset, options, { display, open, limiter }),
  };
}

/** Bytes hashed at each end of a local file for its identity. */
const EDGE_BYTES = 64 * 1024;

/**
 * A hash of a local file's first and last 64 KB: with size and mtime, the file's identity. A file
 * rewritten in place with the same size (and a restored mtime) still changes it — Parquet and Arrow
 * keep their schema and statistics in the footer, CSV is mostly read whole when small. Unreadable:
 * empty (reading it will fail with the right message).
 */
async function edgeHash(path: string, size: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const h = createHash('sha1');
    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    h.update(head);
    if (size > EDGE_BYTES) {
      const tail = Buffer.alloc(Math.min(EDGE_BYTES, size - EDGE_BYTES));
      await handle.read(tail, 0, tail.length, size - tail.length);
      h.update(tail);
    }
    return h.digest('hex').slice(0, 16);
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}
