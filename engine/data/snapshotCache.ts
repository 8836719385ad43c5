/**
 * The byte ranges read from remote snapshot files, kept under the git directory
 * (`.git/featureguard/snapshots/`), one folder per URL holding the object's version (ETag or
 * Last-Modified, with its size) and one file per range (`<start>-<end>`). While the object is
 * unchanged a run reads the footer and column chunks it needs from here and sends no GET; when its
 * version changes the folder is emptied. `refresh` (`check --refresh`) empties it first. An
 * object without a validator is never cached. Cache failures (a read-only disk) only cost speed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { RangeSource } from './rangeSource';

export interface SnapshotCacheOptions {
  /** `.git/featureguard/snapshots`; no cache when undefined. */
  dir?: string;
  /** Ignore and replace what is cached. */
  refresh?: boolean;
  /** Folders already emptied by this `refresh`: each object is re-read once, not at every open. */
  refreshed?: Set<string>;
}

interface CachedRange {
  start: number;
  end: number;
  file: string;
}

/** `source` read through the cache (or `source` itself when there is no cache or no validator). */
export function cachedSource(source: RangeSource, options: SnapshotCacheOptions): RangeSource {
  if (!options.dir || !source.remote || !source.version) return source;
  const dir = join(options.dir, createHash('sha256').update(source.display).digest('hex').slice(0, 32));
  let ranges: CachedRange[] | undefined;
  const index = (): CachedRange[] => {
    if (ranges) return ranges;
    ranges = [];
    try {
      const fresh = options.refresh && !options.refreshed?.has(dir);
      if (fresh) options.refreshed?.add(dir);
      let version: string | undefined;
      try {
        version = readFileSync(join(dir, 'version'), 'utf8');
      } catch {
        version = undefined;
      }
      if (fresh || version !== source.version) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'url'), source.display);
        writeFileSync(join(dir, 'version'), source.version);
        return ranges;
      }
      for (const name of readdirSync(dir)) {
        const m = /^(\d+)-(\d+)$/.exec(name);
        if (m) ranges.push({ start: Number(m[1]), end: Number(m[2]), file: join(dir, name) });
      }
    } catch {
      // No cache this time.
    }
    return ranges;
  };
  return {
    display: source.display,
    size: source.size,
    version: source.version,
    remote: true,
    async read(start, end) {
      const hit = index().find((r) => r.start <= start && end <= r.end);
      if (hit) {
        const bytes = await readRange(hit.file, start - hit.start, end - start).catch(() => undefined);
        if (bytes) return bytes;
      }
      const bytes = await source.read(start, end);
      try {
        const file = join(dir, `${start}-${end}`);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, file);
        index().push({ start, end, file });
      } catch {
        // Not cached; read again next time.
      }
      return bytes;
    },
    close: () => source.close(),
  };
}

async function readRange(file: string, position: number, length: number): Promise<Uint8Array | undefined> {
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, position);
    return bytesRead === length ? bytes : undefined;
  } finally {
    await handle.close();
  }
}
