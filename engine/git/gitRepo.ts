/**
 * Read-only access to a git repository: revisions, trees, the index, the working tree's changes
 * and blobs. Nothing here writes to the working tree, the index or refs — FeatureGuard only reads
 * the user's repository. Blobs are read in bulk through one `git cat-file --batch` process, which
 * is about 30× faster than a `git show` per file.
 */
import { spawn } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../errors';

/** An opened repository. Paths it returns are relative to `root`, with forward slashes. */
export interface GitRepo {
  root: string;
  /** The common git directory (shared by worktrees), where FeatureGuard keeps its cache. */
  commonDir: string;
  git: SimpleGit;
}

/** Opens the repository that contains `cwd`, or fails with a one-line `UserError`. */
export async function openRepo(cwd: string): Promise<GitRepo> {
  const git = simpleGit({ baseDir: cwd, trimmed: false });
  let out: string;
  try {
    out = await git.raw(['rev-parse', '--show-toplevel', '--git-common-dir']);
  } catch {
    throw new UserError(`${cwd} is not inside a git repository (FeatureGuard compares against git history)`);
  }
  const [root, commonDirRaw] = out.split('\n');
  const path = await import('node:path');
  const commonDir = path.resolve(cwd, commonDirRaw);
  return { root, commonDir, git: simpleGit({ baseDir: root, trimmed: false }) };
}

/**
 * Resolves a revision to a commit id. `HEAD` in a repository with no commits yet gives `null`
 * (an empty base: every feature is new); any other unknown revision is a `UserError`.
 */
export async function resolveCommit(repo: GitRepo, rev: string): Promise<string | null> {
  // `--quiet` makes git fail with empty stderr, which simple-git does not treat as an error:
  // an empty answer is the failure.
  const out = await repo.git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '');
  if (out.trim()) return out.trim();
  if (rev === 'HEAD') return null;
  throw new UserError(`unknown revision "${rev}" (--base expects a commit, branch or tag)`);
}

/** Every blob in a commit's tree: path → blob id. */
export async function listTree(repo: GitRepo, commit: string): Promise<Map<string, string>> {
  const out = await repo.git.raw(['ls-tree', '-r', '-z', '--full-tree', commit]);
  const files = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    // "<mode> <type> <oid>\t<path>"
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (type === 'blob') files.set(entry.slice(tab + 1), oid);
  }
  return files;
}

/**
 * Every path in the index: path → blob id. During a merge conflict a path has stages 1–3 and no
 * stage 0; "ours" (stage 2) stands for it, because that is what the user is building on.
 */
export async function listIndex(repo: GitRepo): Promise<Map<string, string>> {
  const out = await repo.git.raw(['ls-files', '-s', '-z']);
  const files = new Map<string, string>();
  const conflicted = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    // "<mode> <oid> <stage>\t<path>"
    const tab = entry.indexOf('\t');
    const [mode, oid, stage] = entry.slice(0, tab).split(' ');
    if (mode === '160000') continue; // a submodule: not a file of this repository
    const path = entry.slice(tab + 1);
    if (stage === '0') files.set(path, oid);
    else if (stage === '2') conflicted.set(path, oid);
  }
  for (const [path, oid] of conflicted) if (!files.has(path)) files.set(path, oid);
  return files;
}

/** How a working-tree path differs from a revision. */
export interface WorktreeChange {
  path: string;
  status: 'modified' | 'added' | 'deleted';
}

/**
 * Paths of the working tree that may differ from `commit` (or from nothing when it is null):
 * tracked changes from `git diff-index`, plus untracked files that are not ignored. `pathspecs`
 * limits git to the files that matter.
 *
 * The plumbing `diff-index`, not `git diff`: when a tracked file's timestamp changed but its
 * content did not (a `touch`, a checkout, a build tool), `git diff` re-reads it to compare and then
 * rewrites `.git/index` with the new timestamps — a write FeatureGuard must never make, and on a
 * large data file gigabytes of reading (72 s for a 1.6 GB snapshot). `diff-index` lists such a
 * file as modified without reading it; callers compare content hashes, so it drops out there.
 */
export async function worktreeChanges(repo: GitRepo, commit: string | null, pathspecs: readonly string[] = []): Promise<WorktreeChange[]> {
  const changes: WorktreeChange[] = [];
  if (commit) {
    const out = await repo.git.raw(['diff-index', '--no-renames', '--name-status', '-z', commit, '--', ...pathspecs]);
    const parts = out.split('\0');
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status = parts[i];
      const path = parts[i + 1];
      if (!status || !path) continue;
      changes.push({ path, status: status[0] === 'D' ? 'deleted' : status[0] === 'A' ? 'added' : 'modified' });
    }
  } else {
    const out = await repo.git.raw(['ls-files', '-z', '--cached', '--', ...pathspecs]);
    for (const path of out.split('\0')) if (path) changes.push({ path, status: 'added' });
  }
  const untracked = await repo.git.raw(['ls-files', '-z', '--others', '--exclude-standard', '--', ...pathspecs]);
  for (const path of untracked.split('\0')) if (path) changes.push({ path, status: 'added' });
  return changes;
}

/**
 * Reads many blobs through one `git cat-file --batch` process. Returns oid → content (UTF-8).
 * Missing objects are absent from the result.
 */
export function readBlobs(repo: GitRepo, oids: Iterable<string>): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(oids)];
  const result = new Map<string, Buffer>();
  if (wanted.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: repo.root, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      let pos = 0;
      for (const oid of wanted) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        const header = buf.toString('utf8', pos, nl);
        pos = nl + 1;
        if (header.endsWith(' missing')) continue;
        const size = Number(header.split(' ')[2]);
        result.set(oid, buf.subarray(pos, pos + size));
        pos += size + 1; // content is followed by a newline
      }
      resolve(result);
    });
    child.stdin.end(wanted.join('\n') + '\n');
  });
}
