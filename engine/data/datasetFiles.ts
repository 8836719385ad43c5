/**
 * The files of a partitioned dataset: a folder or a glob, local or in S3, of Parquet parts. What
 * Spark, pandas and dbt write beside the data is left out (`_SUCCESS`, `.crc` checksums,
 * `_common_metadata`/`_metadata`, `_temporary/`, any file or folder whose name starts with `.` or
 * `_`), files are ordered by path so a seed samples the same rows whatever order the listing
 * came in, and Hive partition folders become columns (`hivePartitions.ts`). A folder holding a
 * `_delta_log/` is a Delta table and its log decides the files (`deltaLog.ts`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors';
import { deltaFiles } from './deltaLog';
import { hivePartitions } from './hivePartitions';
import { localFileSource, type RangeSource } from './rangeSource';
import type { CellValue, ColumnInfo } from './table';
import { isGlob, splitGlob } from './snapshotPaths';

export { isGlob, splitGlob };

/** One file of a dataset store, by its path relative to the store's root. */
export interface StoreEntry {
  rel: string;
  size: number;
  version: string;
}

/** Where a dataset's files are: a local folder or an S3 prefix. */
export interface DatasetStore {
  /** The file as messages name it. */
  describe(rel: string): string;
  /** Every file under the root, paths relative to it with `/`. */
  list(): Promise<StoreEntry[]>;
  source(entry: StoreEntry): RangeSource;
  readText(rel: string): Promise<string>;
}

/** One Parquet file of a dataset, with the partition values its rows carry. */
export interface DatasetPart {
  entry: StoreEntry;
  display: string;
  partition: Record<string, CellValue>;
}

export interface Dataset {
  parts: DatasetPart[];
  partitionColumns: ColumnInfo[];
  /** Changes whenever a file is added, removed or rewritten. */
  identity: string;
}

/** A glob as a regular expression over `/`-separated relative paths. */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = pattern.indexOf('}', i + 1);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${pattern.slice(i + 1, close).split(',').map(escapeRegExp).join('|')})`;
        i = close;
      }
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A file or folder name that writers use for bookkeeping, never data. */
function isHidden(rel: string): boolean {
  return rel.split('/').some((s) => s.startsWith('.') || s.startsWith('_'));
}

/**
 * The Parquet files of the dataset at `store` (those matching `pattern`, when the path was a
 * glob), or of the Delta table there. `keyPath` (`snapshots.NAME.path`) and `display` (the path
 * as written) name it in the one-line errors.
 */
export async function datasetParts(store: DatasetStore, pattern: string | undefined, keyPath: string, display: string): Promise<Dataset> {
  const entries = await store.list();
  if (!pattern && entries.some((e) => e.rel.startsWith('_delta_log/'))) {
    const delta = await deltaFiles(store, entries, keyPath, display);
    if (delta.files.length === 0) throw new UserError(`${keyPath}: the Delta table "${display}" has no data files in its latest version`);
    const byRel = new Map(entries.map((e) => [e.rel, e]));
    const parts = delta.files.map((f) => {
      const entry = byRel.get(f.rel);
      if (!entry) throw new UserError(`${keyPath}: the Delta table "${display}" lists ${f.rel}, which is missing`);
      return { entry, display: store.describe(f.rel), partition: f.partition };
    });
    return { parts, partitionColumns: delta.partitionColumns, identity: identityOf(`delta:${delta.version}`, parts) };
  }
  const matcher = pattern ? globRegExp(pattern) : undefined;
  const data = entries
    .filter((e) => !isHidden(e.rel) && (matcher ? matcher.test(e.rel) : true))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const parquet = data.filter((e) => /\.parquet$/i.test(e.rel));
  if (parquet.length === 0) {
    const what = pattern ? `matches no Parquet files` : `holds no Parquet files`;
    const other = data.length ? ` (only ${data[0].rel}${data.length > 1 ? ` and ${data.length - 1} more` : ''}: a folder or glob is read as a Parquet dataset)` : '';
    throw new UserError(`${keyPath}: "${display}" ${what}${other}`);
  }
  const { columns, values } = hivePartitions(parquet.map((e) => e.rel));
  const parts = parquet.map((entry, i) => ({ entry, display: store.describe(entry.rel), partition: values[i] }));
  return { parts, partitionColumns: columns, identity: identityOf('files', parts) };
}

function identityOf(kind: string, parts: DatasetPart[]): string {
  return `${kind}:${parts.length}:${parts.map((p) => `${p.entry.rel}|${p.entry.version}`).join('\n')}`;
}

/** A local folder as a dataset store; `displayRoot` is the folder as the user wrote it. */
export function localStore(absRoot: string, displayRoot: string): DatasetStore {
  const prefix = displayRoot === '' || displayRoot.endsWith('/') ? displayRoot : `${displayRoot}/`;
  return {
    describe: (rel) => `${prefix}${rel}`,
    async list() {
      const out: StoreEntry[] = [];
      await walk(absRoot, '', out);
      return out;
    },
    source: (entry) => {
      const [size, mtime] = entry.version.split('|');
      return localFileSource(join(absRoot, entry.rel), `${prefix}${entry.rel}`, Number(size), Number(mtime));
    },
    readText: (rel) => readFile(join(absRoot, rel), 'utf8'),
  };
}

/** Every file under `dir`; hidden folders are not entered, except `_delta_log` at the root. */
async function walk(dir: string, rel: string, out: StoreEntry[]): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true });
  for (const child of children) {
    const childRel = rel ? `${rel}/${child.name}` : child.name;
    const abs = join(dir, child.name);
    if (child.isDirectory()) {
      if ((child.name.startsWith('.') || child.name.startsWith('_')) && !(rel === '' && child.name === '_delta_log')) continue;
      await walk(abs, childRel, out);
    } else if (child.isFile() || child.isSymbolicLink()) {
      const st = await stat(abs).catch(() => undefined);
      if (st?.isFile()) out.push({ rel: childRel, size: st.size, version: `${st.size}|${st.mtimeMs}` });
    }
  }
}
