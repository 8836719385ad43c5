/**
 * Read-only access to a git repository: revisions, trees, the index, the working tree's changes
 * and blobs. Nothing here writes to the working tree, the index or refs — FeatureGuard only reads
 * the user's repository. Blobs are read in bulk through one `git cat-file --batch` process, which
 * is about 30× faster than a `git show` per file. Git is spawned directly (no wrapper library), one
 * process per question, and questions that do not depend on each other are asked at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve as resolvePath } from 'node:path';
import { UserError } from '../errors';

/** An opened repository. Paths it returns are relative to `root`, with forward slashes. */
export interface GitRepo {
  root: string;
  /** The common git directory (shared by worktrees), where FeatureGuard keeps its cache. */
  commonDir: string;
  git: GitRunner;
  /** Revisions resolved while opening (`openRepo`'s `rev`): rev → commit id, or null when unknown. */
  resolved: Map<string, string | null>;
}

/** Runs git in the repository's root; `raw` resolves with stdout, or rejects when git exits non-zero. */
export interface GitRunner {
  raw(args: string[]): Promise<string>;
}

interface GitOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runGit(cwd: string, args: string[]): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function gitRunner(cwd: string): GitRunner {
  return {
    async raw(args) {
      const r = await runGit(cwd, args);
      if (r.code !== 0) throw new Error(`git ${args[0]} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    },
  };
}

/**
 * Opens the repository that contains `cwd`, or fails with a one-line `UserError`. `rev`, when
 * given, is resolved by the same git process, so `resolveCommit` need not ask again.
 */
export async function openRepo(cwd: string, rev?: string): Promise<GitRepo> {
  // With `--verify --quiet`, an unknown revision makes git exit 1 after printing both directories.
  const args = ['rev-parse', '--show-toplevel', '--git-common-dir', ...(rev ? ['--verify', '--quiet', `${rev}^{commit}`] : [])];
  const out = await runGit(cwd, args).catch(() => undefined);
  const lines = out?.stdout.split('\n') ?? [];
  if (!out || (out.code !== 0 && !(rev && out.code === 1)) || lines.length < 3 || !lines[0] || !lines[1]) {
    throw new UserError(`${cwd} is not inside a git repository (FeatureGuard compares against git history)`);
  }
  const resolved = new Map<string, string | null>();
  if (rev) resolved.set(rev, out.code === 0 && lines[2] ? lines[2].trim() : null);
  return { root: lines[0], commonDir: resolvePath(cwd, lines[1]), git: gitRunner(lines[0]), resolved };
}

/**
 * Resolves a revision to a commit id. `HEAD` in a repository with no commits yet gives `null`
 * (an empty base: every feature is new); any other unknown revision is a `UserError`.
 */
export async function resolveCommit(repo: GitRepo, rev: string): Promise<string | null> {
  // `--quiet` makes git fail with empty stderr: no answer is the failure.
  const known = repo.resolved.get(rev);
  const out = known !== undefined ? known ?? '' : await repo.git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '');
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
  // Both questions at once: two processes side by side instead of one after the other.
  const untrackedOut = repo.git.raw(['ls-files', '-z', '--others', '--exclude-standard', '--', ...pathspecs]);
  untrackedOut.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
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
  const untracked = await untrackedOut;
  for (const path of untracked.split('\0')) if (path) changes.push({ path, status: 'added' });
  return changes;
}

/**
 * Reads many blobs through one `git cat-file --batch` process. Returns oid → content (UTF-8).
 * Missing objects are absent from the result.
 *
 * Git writes into an unlinked temporary file rather than a pipe: the caller reads blobs while its
 * main thread loads a parser (~50 ms), and a pipe's 64 KB buffer would stop git until that load
 * ends — the blobs of 700 modules then took ~45 ms more, with the process idle. Where no temporary
 * file can be made, a pipe it is.
 */
export function readBlobs(repo: GitRepo, oids: Iterable<string>): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(oids)];
  const result = new Map<string, Buffer>();
  if (wanted.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const file = spillFile();
    let child: ChildProcess;
    try {
      child = spawn('git', ['cat-file', '--batch'], { cwd: repo.root, stdio: ['pipe', file ? file.fd : 'pipe', 'pipe'] });
    } catch (err) {
      file?.release();
      throw err;
    }
    file?.detach();
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => {
      file?.release();
      reject(err);
    });
    child.on('close', (code) => {
      let buf: Buffer;
      try {
        buf = file ? file.read() : Buffer.concat(chunks);
      } catch (err) {
        return reject(err);
      } finally {
        file?.release();
      }
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
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
    child.stdin!.end(wanted.join('\n') + '\n');
  });
}

let spills = 0;

/**
 * A temporary file for a child's output, in the system's temporary folder: `detach` removes its
 * name once the child holds it (POSIX; Windows keeps the name until `release`), `read` returns
 * what was written, `release` closes it. Undefined when the folder is not writable.
 */
function spillFile(): { fd: number; read(): Buffer; detach(): void; release(): void } | undefined {
  const path = joinPath(tmpdir(), `featureguard-blobs-${process.pid}-${++spills}`);
  let fd: number;
  try {
    fd = openSync(path, 'wx+', 0o600);
  } catch {
    return undefined;
  }
  let named = true;
  let open = true;
  const unlink = () => {
    if (!named) return;
    try {
      unlinkSync(path);
      named = false;
    } catch {
      // Windows: still open in the child; removed at release.
    }
  };
  return {
    fd,
    read() {
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(size);
      let at = 0;
      while (at < size) {
        const n = readSync(fd, buf, at, size - at, at);
        if (n === 0) break;
        at += n;
      }
      return at === size ? buf : buf.subarray(0, at);
    },
    detach: () => {
      if (process.platform !== 'win32') unlink();
    },
    release() {
      if (open) closeSync(fd);
      open = false;
      unlink();
    },
  };
}
