/**
 * Which snapshot columns each module's code can name (`exec/columnsUsed.ts`,
 * `exec/python/pythonColumns.ts`), by the module's content hash and the snapshot's column names,
 * in memory and in `.git/featureguard/columns.json`. A check reads the columns of its features'
 * closures; without this, every run — every shard of a sharded CI check — read every closure
 * module's text (the base side through git) and scanned it again, though the modules were the
 * same as the last run's: ~200 ms of the 500-module benchmark workspace's check, whether it checks
 * 50 features or a shard of 13. At most `MAX_ENTRIES`, the least recently used dropped (not only
 * the last run's: the shards of one run use different closures); a missing, corrupt or foreign
 * file is an empty cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Changes whenever the scanners' rules change: entries of another version are not read. */
const FORMAT = 1;
/** Modules × snapshots kept: a large workspace's closures a few versions over. */
const MAX_ENTRIES = 10_000;

/** What a module's code can read: the columns it names, or null when it may read any. */
export type ScannedColumns = ReadonlySet<string> | null;

export class ColumnScanCache {
  /** Least recently used first. */
  private readonly entries = new Map<string, ScannedColumns>();
  private readonly columnSets = new WeakMap<readonly string[], string>();
  private loaded = false;
  private dirty = false;

  /** `file` undefined: memory only. */
  constructor(private readonly file?: string) {}

  /**
   * The key of a module with content `hash` scanned for `columns` (a snapshot's column names) by
   * the scanner of its language; undefined when the module has no content hash (nothing to key by).
   */
  key(path: string, hash: string | undefined, columns: readonly string[]): string | undefined {
    if (hash === undefined) return undefined;
    let set = this.columnSets.get(columns);
    if (set === undefined) {
      set = createHash('sha1').update(JSON.stringify(columns)).digest('hex').slice(0, 16);
      this.columnSets.set(columns, set);
    }
    return `${/\.pyi?$/.test(path) ? 'py' : 'ts'}:${hash}:${set}`;
  }

  has(key: string): boolean {
    this.load();
    return this.entries.has(key);
  }

  /** The columns scanned under `key`; undefined when it was never scanned. */
  get(key: string): ScannedColumns | undefined {
    this.load();
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: string, columns: ScannedColumns): void {
    this.load();
    this.entries.delete(key);
    this.entries.set(key, columns);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.dirty = true;
  }

  /** Writes the entries when some were added; failure to write is not an error. */
  save(): void {
    if (!this.file || !this.dirty) return;
    const out: Record<string, string[] | null> = {};
    for (const [k, v] of this.entries) out[k] = v && [...v];
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries: out }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // A read-only git directory: the next run scans again.
    }
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.file) return;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (data.format !== FORMAT || !data.entries || typeof data.entries !== 'object') return;
      for (const [k, v] of Object.entries(data.entries as Record<string, unknown>)) {
        if (v === null) this.entries.set(k, null);
        else if (Array.isArray(v) && v.every((c) => typeof c === 'string')) this.entries.set(k, new Set(v as string[]));
      }
    } catch {
      // No file yet, or one from an interrupted write: start empty.
    }
  }
}
