/**
 * Builds the two sides of a comparison from git (SPEC §2): the base (`HEAD` or `--base REV`) and
 * the target (the working tree, including untracked non-ignored files, or the index with
 * `--staged`). Only reads; the index is never refreshed or written.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listIndex, listTree, readBlobs, resolveCommit, worktreeChanges, type GitRepo, type WorktreeChange } from '../git/gitRepo';
import { cachedTreeListing } from '../cache/treeListingCache';
import { BlobTree, blobHash, decodeSource, emptyTree, OverlayTree, type OverlayEntry, type SourceTree } from './sourceTree';

/** Which target to compare with the base. */
export type TargetKind = 'worktree' | 'staged';

export interface Sides {
  base: SourceTree;
  target: SourceTree;
  /** Paths whose content differs between base and target (added, deleted or modified). */
  changedPaths: string[];
  /** The commit the base stands for, or null in a repository without commits. */
  baseCommit: string | null;
}

/**
 * Reads the base tree of `rev` and the chosen target. `accept` filters the paths worth reading.
 * `treeCache`: the file that keeps the last base commit's listing (`cache/treeListingCache.ts`).
 */
export async function gitSides(
  repo: GitRepo,
  rev: string,
  targetKind: TargetKind,
  accept: (path: string) => boolean,
  pathspecs: readonly string[] = [],
  treeCache?: string,
): Promise<Sides> {
  const baseCommit = await resolveCommit(repo, rev);
  const reader = (oids: string[]) => readBlobs(repo, oids);
  // The base's tree and the target's listing are independent questions: asked at once (git's
  // processes for the target first, then the base's listing, read from the cache when kept).
  const targetListing = targetKind === 'staged' ? listIndex(repo) : worktreeChanges(repo, baseCommit, pathspecs);
  targetListing.catch(() => undefined);
  const baseFiles = baseCommit ? cachedTreeListing(treeCache, baseCommit, () => listTree(repo, baseCommit)) : undefined;
  baseFiles?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const base = baseFiles ? new BlobTree(rev, await baseFiles, reader) : emptyTree(rev);

  if (targetKind === 'staged') {
    const index = (await targetListing) as Map<string, string>;
    const target = new BlobTree('staged', index, reader);
    const changed = new Set<string>();
    for (const [p, oid] of index) if (base.hash(p) !== oid) changed.add(p);
    for (const p of base.paths()) if (!index.has(p)) changed.add(p);
    return { base, target, baseCommit, changedPaths: [...changed].filter(accept) };
  }

  const changes = ((await targetListing) as WorktreeChange[]).filter((c) => accept(c.path));
  // Read at once, kept in git's order (not the reads' finishing order): the report lists what
  // these files hold in the order they come, and must be the same on every run.
  const entries = await Promise.all(
    changes.map(async (c): Promise<OverlayEntry> => {
      if (c.status === 'deleted') return null;
      try {
        const buf = await readFile(join(repo.root, c.path));
        return { text: decodeSource(buf), hash: blobHash(buf) };
      } catch {
        return null; // deleted from disk but still in the index
      }
    }),
  );
  const overrides = new Map<string, OverlayEntry>(changes.map((c, i) => [c.path, entries[i]]));
  const target = new OverlayTree('worktree', base, overrides);
  const changedPaths = [...overrides.keys()].filter((p) => base.hash(p) !== target.hash(p));
  return { base, target, baseCommit, changedPaths };
}
