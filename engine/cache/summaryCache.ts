/**
 * Module summaries cached by content hash, in memory and optionally on disk, so a second run
 * parses only what changed and a run whose every file is cached never loads the compiler. The
 * disk file lives in the git directory (`.git/featureguard/`), never in the working tree.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ModuleSummary } from '../lang/frontEnd';

export class SummaryCache {
  private readonly entries = new Map<string, ModuleSummary>();
  private readonly used = new Set<string>();
  private dirty = false;

  /** Opens the cache at `file` (undefined: memory only). A missing or corrupt file is an empty cache. */
  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version: number; entries: Record<string, ModuleSummary> };
      if (data.version === 1) for (const [k, v] of Object.entries(data.entries)) this.entries.set(k, v);
    } catch {
      // No cache yet, or one from an interrupted write: start empty.
    }
  }

  get(key: string): ModuleSummary | undefined {
    const s = this.entries.get(key);
    if (s) this.used.add(key);
    return s;
  }

  /** Marks entries used (summaries a caller kept from an earlier run and uses again). */
  touch(keys: Iterable<string>): void {
    for (const k of keys) this.used.add(k);
  }

  set(key: string, summary: ModuleSummary): void {
    this.entries.set(key, summary);
    this.used.add(key);
    this.dirty = true;
  }

  /**
   * Forgets the entries not used since the last call, so that a long-lived cache (the language
   * server's, open for days) holds what the current sides need and not every keystroke's version.
   */
  retainUsed(): void {
    for (const k of this.entries.keys()) if (!this.used.has(k)) this.entries.delete(k);
    this.used.clear();
  }

  /**
   * Writes the entries used since the cache was opened (dropping the rest keeps the file the size
   * of the workspace). Failure to write is not an error: the cache only saves time.
   */
  save(): void {
    if (!this.file || (!this.dirty && this.used.size === this.entries.size)) return;
    const entries: Record<string, ModuleSummary> = {};
    for (const k of this.used) entries[k] = this.entries.get(k)!;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, entries }));
      renameSync(tmp, this.file);
    } catch {
      // A read-only git directory: run without a disk cache.
    }
  }
}
