/**
 * One side of a comparison: the set of files and their contents at HEAD, at a revision, in the
 * index, in the working tree or in the editor's buffers. Each file has a content hash (git's blob
 * id, computed the same way for files that are not in git) so analysis results can be cached by
 * content and files that did not change are recognized without reading them.
 */
import { createHash } from 'node:crypto';

export interface SourceTree {
  /** What this side is called in reports: `HEAD`, a revision, `staged`, `worktree`. */
  readonly label: string;
  /** Every file path, relative to the repository root, with forward slashes. */
  paths(): Iterable<string>;
  has(path: string): boolean;
  /** The content hash of a file, or undefined when the file does not exist on this side. */
  hash(path: string): string | undefined;
  /** Reads files' contents in bulk (one git process for all blobs): path → text. */
  readMany(paths: Iterable<string>): Promise<Map<string, string>>;
}

/** Git's blob id of a content, so untracked and edited files share one keyspace with git objects. */
export function blobHash(content: Buffer | string): string {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/**
 * A source file's text from its bytes: UTF-8, or UTF-16 when a byte order mark says so (Windows
 * tools such as PowerShell's `>` write UTF-16; TypeScript reads it). Decoding UTF-16 as UTF-8
 * would make every other byte a NUL and the file "binary".
 */
export function decodeSource(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return swapped.swap16().toString('utf16le');
  }
  return bytes.toString('utf8');
}

/** A tree whose contents are known by blob id and read through a bulk blob reader. */
export class BlobTree implements SourceTree {
  private readonly texts = new Map<string, string>();

  constructor(
    readonly label: string,
    private readonly files: Map<string, string>,
    private readonly readBlobs: (oids: string[]) => Promise<Map<string, Buffer>>,
  ) {}

  paths(): Iterable<string> {
    return this.files.keys();
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  hash(path: string): string | undefined {
    return this.files.get(path);
  }

  async readMany(paths: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const p of paths) {
      const cached = this.texts.get(p);
      if (cached !== undefined) out.set(p, cached);
      else if (this.files.has(p)) missing.push(p);
    }
    if (missing.length > 0) {
      const blobs = await this.readBlobs(missing.map((p) => this.files.get(p)!));
      for (const p of missing) {
        const blob = blobs.get(this.files.get(p)!);
        if (!blob) continue;
        const text = decodeSource(blob);
        this.texts.set(p, text);
        out.set(p, text);
      }
    }
    return out;
  }
}

/** A file's content on an overlay: its text, or `null` when the overlay deletes it. */
export type OverlayEntry = { text: string; hash: string } | null;

/**
 * A tree made of another tree with some files replaced, added or deleted: the working tree over
 * HEAD, or editor buffers over the working tree.
 */
export class OverlayTree implements SourceTree {
  constructor(
    readonly label: string,
    /** The tree laid over; `overrides` are never changed after construction. */
    readonly under: SourceTree,
    readonly overrides: ReadonlyMap<string, OverlayEntry>,
  ) {}

  *paths(): Iterable<string> {
    for (const p of this.under.paths()) if (!this.overrides.has(p)) yield p;
    for (const [p, entry] of this.overrides) if (entry) yield p;
  }

  has(path: string): boolean {
    const o = this.overrides.get(path);
    return o === undefined ? this.under.has(path) : o !== null;
  }

  hash(path: string): string | undefined {
    const o = this.overrides.get(path);
    if (o === undefined) return this.under.hash(path);
    return o ? o.hash : undefined;
  }

  async readMany(paths: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const rest: string[] = [];
    for (const p of paths) {
      const o = this.overrides.get(p);
      if (o === undefined) rest.push(p);
      else if (o) out.set(p, o.text);
    }
    for (const [p, t] of await this.under.readMany(rest)) out.set(p, t);
    return out;
  }
}

/** An empty tree: the base of a repository with no commits yet. */
export function emptyTree(label: string): SourceTree {
  return new BlobTree(label, new Map(), async () => new Map());
}
