/**
 * The last base commit's tree listing (path → blob id), in `.git/featureguard/tree.json`. A
 * commit's tree never changes, and the base is `HEAD` for every check between two commits: the
 * listing is read from here instead of asking `git ls-tree` again (one process fewer per run: of a
 * small repository's `impact` after an edit, most of whose time is fixed costs, and ~20 ms of
 * git's own time at 10,000 files). One commit only, the last one asked about; a missing, corrupt
 * or foreign file is asked of git again and written over (atomically: tmp + rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const FORMAT = 1;

/**
 * The listing of `commit`: from `file` when it holds that commit's, else from `list` (and kept in
 * `file`). `file` undefined (`--no-cache`): always `list`.
 */
export async function cachedTreeListing(file: string | undefined, commit: string, list: () => Promise<Map<string, string>>): Promise<Map<string, string>> {
  const kept = file ? readListing(file, commit) : undefined;
  if (kept) return kept;
  const listing = await list();
  if (file) writeListing(file, commit, listing);
  return listing;
}

function readListing(file: string, commit: string): Map<string, string> | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; commit?: unknown; paths?: unknown; blobs?: unknown };
    if (data.format !== FORMAT || data.commit !== commit || !Array.isArray(data.paths) || !Array.isArray(data.blobs) || data.paths.length !== data.blobs.length) return undefined;
    const out = new Map<string, string>();
    for (let i = 0; i < data.paths.length; i++) {
      const path = data.paths[i];
      const blob = data.blobs[i];
      if (typeof path !== 'string' || typeof blob !== 'string') return undefined;
      out.set(path, blob);
    }
    return out;
  } catch {
    return undefined;
  }
}

function writeListing(file: string, commit: string, listing: Map<string, string>): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, commit, paths: [...listing.keys()], blobs: [...listing.values()] }));
    renameSync(tmp, file);
  } catch {
    // A read-only git directory: git is asked each time, as before.
  }
}
