/**
 * Test helpers: real git repositories in temp folders, files written from inline fixtures, and
 * the built CLI run as a separate process. Every engine test goes through these so fixtures stay
 * readable and tests do not depend on internals.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files to write: path → content, or null to delete. */
export type Files = Record<string, string | Buffer | null>;

/** The FeatureGuard checkout: the nearest folder above the bundled test with a package.json. */
export const REPO_ROOT = findUp(__dirname);
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

const made: string[] = [];

/** A fresh temp folder, removed after the run. */
export function tempDir(prefix = 'fg-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function writeFiles(root: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    if (content === null) rmSync(abs, { force: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }
}

export function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A git repository holding `files` in one commit (none when `files` is undefined). */
export function makeRepo(files?: Files): string {
  const root = tempDir('fg-repo-');
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'test@example.com');
  git(root, 'config', 'user.name', 'FeatureGuard Test');
  git(root, 'config', 'commit.gpgsign', 'false');
  if (files) commitAll(root, files, 'base');
  return root;
}

/**
 * A bundled example (`examples/<name>`) as a git repository with one commit: the code as deployed
 * with its snapshot, `story.patch` left out (kept with `keepStory`, for `git apply story.patch`).
 */
export function exampleRepo(name: string, keepStory = false): string {
  const root = tempDir(`fg-${name}-`);
  cpSync(join(REPO_ROOT, 'examples', name), root, { recursive: true, filter: (p) => keepStory || !p.endsWith('story.patch') });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'as deployed');
  return root;
}

export function commitAll(root: string, files: Files, message: string): void {
  writeFiles(root, files);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--no-verify', '-m', message);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd`. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI as a child process without blocking this one: for tests whose servers live in this process. */
export function runCliAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI with `--format json` and parses the report; fails on exit code 2. */
/** A check report without what differs between two runs of the same check: wall times and the results cache's hit counts. */
export function stableReport(report: any): any {
  const { durationMs, timings, cache, ...summary } = report.summary;
  return { ...report, summary };
}

export function runJson(cwd: string, args: string[], env: Record<string, string> = {}): { code: number; report: any; stderr: string } {
  const r = runCli(cwd, [...args, '--format', 'json'], env);
  if (r.code === 2) throw new Error(`featureguard ${args.join(' ')} could not run: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
}

/** A byte-level fingerprint of a folder (git dir included), to prove a command wrote nothing. */
export function treeFingerprint(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = abs.slice(root.length + 1);
      if (skip(rel)) continue;
      if (statSync(abs).isDirectory()) walk(abs);
      else out.set(rel, readFileSync(abs).toString('base64'));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function findUp(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  throw new Error(`no package.json above ${dir}`);
}

/** A seeded PRNG (mulberry32), so that generated fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle: the same order for the same seed (a file's rows in another order). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = prng(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Normal samples by Box–Muller from the seeded PRNG. */
export function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const rand = prng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rand();
    out[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}
