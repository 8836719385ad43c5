/**
 * Byte ranges of one snapshot file, wherever it lives: a local file, an S3 object, an HTTP(S) URL.
 * The Parquet readers see a `RangeBuffer` (hyparquet's `AsyncBuffer`) over a `RangeSource`: it
 * serves the slices hyparquet asks for from ranges fetched ahead (the footer, then the column
 * chunks of the row groups that hold sampled rows), and fetches anything else on demand.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';

export interface RangeSource {
  /** How messages name the file: the path or URL as the user wrote it (plus the part, for a dataset). */
  readonly display: string;
  readonly size: number;
  /** Changes whenever the content does: size and mtime, an ETag, a Last-Modified date. */
  readonly version: string;
  /** True for S3 and HTTP: reads are requests, worth fetching ahead in parallel. */
  readonly remote: boolean;
  /** The bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A local file, read with positioned reads through one handle opened on first use. */
export function localFileSource(absPath: string, display: string, size: number, mtimeMs: number): RangeSource {
  let handle: Promise<FileHandle> | undefined;
  return {
    display,
    size,
    version: `${size}|${mtimeMs}`,
    remote: false,
    async read(start, end) {
      handle ??= open(absPath, 'r');
      const h = await handle;
      const bytes = new Uint8Array(end - start);
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesRead } = await h.read(bytes, offset, bytes.length - offset, start + offset);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + offset}`);
        offset += bytesRead;
      }
      return bytes;
    },
    async close() {
      const h = handle;
      handle = undefined;
      if (h) await (await h).close().catch(() => undefined);
    },
  };
}

/** At most `limit` tasks at a time; shared by every read of one snapshot. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Runs `task` over `items` with at most `limit` running at once; results in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface Held {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/** Ranges closer than this are fetched as one request. */
const COALESCE_GAP = 8 * 1024;

/**
 * hyparquet's `AsyncBuffer` over a `RangeSource`: slices inside a range fetched ahead are served
 * from memory, others are read from the source. `prefetch` fetches ranges in parallel through
 * the limiter (a small concurrency for remote sources).
 */
export class RangeBuffer implements AsyncBuffer {
  private held: Held[] = [];

  constructor(
    readonly source: RangeSource,
    private readonly limiter: Limiter,
  ) {}

  get byteLength(): number {
    return this.source.size;
  }

  async slice(start: number, end: number = this.source.size): Promise<ArrayBuffer> {
    const from = Math.max(0, Math.min(start, this.source.size));
    const to = Math.max(from, Math.min(end, this.source.size));
    const held = this.held.find((h) => h.start <= from && to <= h.end);
    if (held) return new Uint8Array(held.bytes.buffer, held.bytes.byteOffset + from - held.start, to - from).slice().buffer;
    const bytes = await this.limiter.run(() => this.source.read(from, to));
    return copyOf(bytes);
  }

  /** Fetches `ranges` ([start, end) pairs) ahead, nearby ones as one request, and keeps them. */
  async prefetch(ranges: readonly [number, number][]): Promise<void> {
    const sorted = ranges.filter(([s, e]) => e > s && !this.held.some((h) => h.start <= s && e <= h.end)).sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [s, e] of sorted) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1] + COALESCE_GAP) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    const fetched = await Promise.all(merged.map(([s, e]) => this.limiter.run(() => this.source.read(s, Math.min(e, this.source.size)))));
    merged.forEach(([s], i) => this.held.push({ start: s, end: s + fetched[i].length, bytes: fetched[i] }));
  }

  /** Drops what was fetched ahead. */
  release(): void {
    this.held = [];
  }
}

function copyOf(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  // A plain view, so that a Node Buffer's `slice` (a view, not a copy) is never what runs.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice().buffer;
}
