/**
 * Feature bundles cached by what they are built from: the entry, the content hash of every file of
 * the dependency closure, and the esbuild version. The base side (HEAD) rarely changes while a
 * user edits, so its bundle is built once and then read back; a repeated check of the same edit
 * (the pre-commit hook after a first `featureguard check`) bundles nothing. In memory, and for CLI
 * runs on disk under the git directory (`.git/featureguard/bundles/`), never in the working tree.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleInput } from '../exec/bundleFeature';
import type { IncrementalBundler } from '../exec/incrementalBundler';

/** Bundles kept in memory, and on disk: a few versions of a workspace's bundles. */
const MAX_ENTRIES = 32;

export class BundleCache {
  private readonly memory = new Map<string, string>();

  /**
   * `dir` undefined: memory only. `incremental`: esbuild contexts kept between builds (a session's;
   * see incrementalBundler.ts), for the bundles this cache does not have.
   */
  constructor(
    private readonly dir?: string,
    readonly incremental?: IncrementalBundler<BundleInput>,
  ) {}

  /** The key of a bundle built from `parts` (entry, closure files with their hashes, tool version). */
  static key(parts: unknown): string {
    return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
  }

  get(key: string): string | undefined {
    const hit = this.memory.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      this.memory.delete(key);
      this.memory.set(key, hit);
      return hit;
    }
    if (!this.dir) return undefined;
    try {
      const file = join(this.dir, `${key}.js`);
      const code = readFileSync(file, 'utf8');
      // Pruning goes by modification time: a bundle in use stays young.
      const now = new Date();
      utimesSync(file, now, now);
      this.remember(key, code);
      return code;
    } catch {
      return undefined;
    }
  }

  /** Keeps `code`; failure to write to disk is not an error (the cache only saves time). */
  set(key: string, code: string): void {
    this.remember(key, code);
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, `${key}.js`);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
      this.prune();
    } catch {
      // A read-only git directory: the memory cache still works.
    }
  }

  private remember(key: string, code: string): void {
    this.memory.delete(key);
    this.memory.set(key, code);
    if (this.memory.size > MAX_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
  }

  /** Deletes the least recently written bundles beyond MAX_ENTRIES. */
  private prune(): void {
    const files = readdirSync(this.dir!).filter((f) => f.endsWith('.js'));
    if (files.length <= MAX_ENTRIES) return;
    const byAge = files.map((f) => ({ f, t: statSync(join(this.dir!, f)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { f } of byAge.slice(0, files.length - MAX_ENTRIES)) unlinkSync(join(this.dir!, f));
  }
}
