/**
 * `featureguard init`, step one: the snapshots of a repository. Files come from git (tracked, plus
 * untracked files git does not ignore) and, among the files git ignores, the data a repository
 * keeps beside its code (a feature-store sample is often git-ignored: Parquet, Arrow and CSV files
 * and the markers of dataset folders); folders no feature store lives in are skipped
 * (`node_modules`, virtual environments, `dist`, `build`).
 * Parquet, Arrow and CSV files are snapshots; a folder of Parquet parts (Spark, pandas
 * `partition_cols`, Hive `key=value/` folders) is one snapshot named by the folder; in a Feast
 * repository, the `FileSource(path=...)` of its feature views are snapshots too, read statically.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { SNAPSHOT_EXTENSIONS } from '../data/readSnapshot';
import { feastFileSources } from './feastSources';

export interface FoundSnapshot {
  name: string;
  /** Repository-relative, forward slashes; a folder ends with `/`. */
  path: string;
  /** Where it was found: a data file, a folder of parts, a Feast `FileSource`, or given (`init --snapshot`). */
  origin: 'file' | 'folder' | 'feast' | 'given';
}

/** Folder names never searched for snapshots. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', 'dist', 'build', '__pycache__']);

/** The repository's files as git sees them (tracked, untracked but not ignored), and the data among the ignored ones. */
export function repositoryFiles(root: string): string[] {
  const git = (...args: string[]) => execFileSync('git', ['ls-files', '-z', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).split('\0').filter(Boolean);
  const ignoredData = git('--others', '--ignored', '--exclude-standard').filter((p) => isDataFile(p));
  const out = [...git('--cached', '--others', '--exclude-standard'), ...ignoredData].join('\0');
  const venvs = new Map<string, boolean>();
  const isVenv = (dir: string): boolean => {
    let known = venvs.get(dir);
    if (known === undefined) venvs.set(dir, (known = existsSync(join(root, dir, 'pyvenv.cfg'))));
    return known;
  };
  return [...new Set(out.split('\0').filter(Boolean))].filter((p) => {
    const parts = p.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      if (SKIPPED_DIRS.has(parts[i]) || isVenv(parts.slice(0, i + 1).join('/'))) return false;
    }
    // A tracked file deleted from the working tree is no snapshot.
    return existsSync(join(root, p));
  });
}

/** A snapshot file, or a file of a dataset folder's layout (markers, a Delta log). */
function isDataFile(p: string): boolean {
  const name = posix.basename(p);
  return SNAPSHOT_EXTENSIONS.includes(posix.extname(p).toLowerCase()) || MARKERS.test(name) || p.includes('/_delta_log/');
}

/** Marker files of dataset folders (Spark, Hadoop, Delta) that are not data. */
const MARKERS = /^(_SUCCESS|_committed_.*|_started_.*|_common_metadata|_metadata|\..*\.crc|.*\.crc)$/;

/** A Parquet part's file name (`part-00000-….snappy.parquet`, `part.0.parquet`, `0.parquet`, a uuid). */
const PART_NAME = /^(part[-_.]|\d+[-_.]|[0-9a-f]{8}-[0-9a-f]{4}-)/i;

/** Every snapshot under the repository root, sorted by path. */
export async function findSnapshots(root: string, files: string[]): Promise<FoundSnapshot[]> {
  const dataFiles = files.filter((p) => SNAPSHOT_EXTENSIONS.includes(posix.extname(p).toLowerCase()));
  const folders = new Set<string>();
  const byDir = new Map<string, string[]>();
  for (const p of files) {
    const dir = posix.dirname(p);
    byDir.set(dir, [...(byDir.get(dir) ?? []), posix.basename(p)]);
  }
  for (const p of dataFiles) {
    if (!p.toLowerCase().endsWith('.parquet')) continue;
    const parts = p.split('/');
    // The dataset of a part under Hive folders is the folder above the first `key=value`.
    const hive = parts.findIndex((s, i) => i < parts.length - 1 && /^[^=]+=[^=]*$/.test(s));
    if (hive > 0) {
      folders.add(parts.slice(0, hive).join('/'));
      continue;
    }
    const dir = posix.dirname(p);
    if (dir === '.') continue;
    const names = byDir.get(dir) ?? [];
    const parquet = names.filter((n) => n.toLowerCase().endsWith('.parquet'));
    const others = names.filter((n) => !n.toLowerCase().endsWith('.parquet') && !MARKERS.test(n));
    const marked = names.some((n) => n === '_SUCCESS') || files.some((f) => f.startsWith(dir + '/_delta_log/'));
    if (others.length === 0 && (marked || (parquet.length >= 2 && parquet.every((n) => PART_NAME.test(n))))) folders.add(dir);
  }
  const inFolder = (p: string) => [...folders].some((f) => p.startsWith(f + '/'));
  const found: FoundSnapshot[] = [
    ...dataFiles.filter((p) => !inFolder(p)).map((p) => ({ name: nameOf(p), path: p, origin: 'file' as const })),
    ...[...folders].map((f) => ({ name: nameOf(f), path: f + '/', origin: 'folder' as const })),
  ];
  for (const path of await feastFileSources(root, files)) {
    const norm = path.replace(/\/+$/, '');
    const same = found.find((s) => s.path.replace(/\/+$/, '') === norm);
    if (same) {
      // Found on disk too (git-ignored data beside the code): the feature view says what it is.
      same.origin = 'feast';
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(join(root, norm)).isDirectory();
    } catch {
      continue; // a FileSource whose data is not here cannot be sampled
    }
    found.push({ name: nameOf(norm), path: isDir ? norm + '/' : norm, origin: 'feast' });
  }
  found.sort((a, b) => a.path.localeCompare(b.path));
  return uniqueNames(found);
}

/** `data/customers.parquet` → `customers`; `data/customers/` → `customers`; `s3://b/customers/*.parquet` → `customers`. */
export function nameOf(path: string): string {
  const base = basename(path.replace(/\/+$/, ''));
  const stem = base.replace(/\.(snappy\.|gz\.|zstd\.)?(parquet|arrow|feather|ipc|csv)$/i, '');
  return stem.replace(/[^\p{L}\p{N}_]+/gu, '_').replace(/^_+|_+$/g, '') || 'snapshot';
}

/** Two snapshots with one name get their folder's name in front (`eu_customers`), then a number. */
function uniqueNames(found: FoundSnapshot[]): FoundSnapshot[] {
  const count = new Map<string, number>();
  for (const s of found) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  const used = new Set<string>();
  for (const s of found) {
    if (count.get(s.name)! > 1) {
      const parent = basename(dirname(s.path.replace(/\/+$/, '')));
      if (parent && parent !== '.') s.name = `${nameOf(parent)}_${s.name}`;
    }
    let name = s.name;
    for (let i = 2; used.has(name); i++) name = `${s.name}_${i}`;
    s.name = name;
    used.add(name);
  }
  return found;
}

/** A path inside the repository, written relative to the config's folder (the root). */
export function repoRelative(root: string, abs: string): string | undefined {
  const rel = relative(root, resolve(abs)).split('\\').join('/');
  return rel.startsWith('..') || rel === '' ? undefined : rel;
}
