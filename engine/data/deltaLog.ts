/**
 * The files of a Delta Lake table's latest version, from its transaction log (`_delta_log/`): the
 * newest complete checkpoint (`N.checkpoint.parquet`, or its parts), then every JSON commit after
 * it, applying `add` and `remove` actions in order. `partitionValues` become columns, typed by the
 * table schema in the log's `metaData`. Deletion vectors and column mapping (physical column names
 * that differ from the schema's) are refused with one line: reading the files without them would
 * give rows the table no longer has, or no columns at all.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from './parquetCodecs';
import { UserError } from '../errors';
import type { DatasetStore, StoreEntry } from './datasetFiles';
import { Limiter, RangeBuffer } from './rangeSource';
import type { CellValue, ColumnInfo, ColumnType } from './table';

export interface DeltaFile {
  rel: string;
  partition: Record<string, CellValue>;
}

interface AddAction {
  path: string;
  partitionValues?: unknown;
  deletionVector?: unknown;
}

interface MetaData {
  schemaString?: string;
  partitionColumns?: string[];
  configuration?: unknown;
}

const COMMIT = /^_delta_log\/(\d{20})\.json$/;
const CHECKPOINT = /^_delta_log\/(\d{20})\.checkpoint(?:\.(\d+)\.(\d+))?\.parquet$/;

export async function deltaFiles(store: DatasetStore, entries: StoreEntry[], keyPath: string, display: string): Promise<{ files: DeltaFile[]; partitionColumns: ColumnInfo[]; version: number }> {
  const commits = new Map<number, StoreEntry>();
  const checkpoints = new Map<number, { parts: number; found: StoreEntry[] }>();
  for (const e of entries) {
    const c = COMMIT.exec(e.rel);
    if (c) commits.set(Number(c[1]), e);
    const k = CHECKPOINT.exec(e.rel);
    if (k) {
      const v = Number(k[1]);
      const entry = checkpoints.get(v) ?? { parts: k[3] ? Number(k[3]) : 1, found: [] };
      entry.found.push(e);
      checkpoints.set(v, entry);
    }
  }
  const complete = [...checkpoints].filter(([, c]) => c.found.length === c.parts).map(([v]) => v);
  const checkpoint = complete.length ? Math.max(...complete) : -1;
  const latest = Math.max(checkpoint, ...commits.keys());
  if (latest < 0) throw new UserError(`${keyPath}: "${display}" has a _delta_log/ without commits or checkpoints`);

  const active = new Map<string, AddAction>();
  let meta: MetaData | undefined;
  const apply = (action: Record<string, unknown>) => {
    const add = action.add as AddAction | undefined;
    const remove = action.remove as { path: string } | undefined;
    if (add?.path) active.set(add.path, add);
    if (remove?.path) active.delete(remove.path);
    if (action.metaData) meta = action.metaData as MetaData;
  };
  try {
    if (checkpoint >= 0) {
      for (const part of checkpoints.get(checkpoint)!.found.sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
        const file = new RangeBuffer(store.source(part), new Limiter(4));
        try {
          const metadata = await parquetMetadataAsync(file);
          const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
          const columns = ['add', 'remove', 'metaData'].filter((c) => present.has(c));
          const rows = await parquetReadObjects({ file, metadata, columns, compressors });
          for (const row of rows) apply(row);
        } finally {
          await file.source.close();
        }
      }
    }
    for (let v = checkpoint + 1; v <= latest; v++) {
      const commit = commits.get(v);
      if (!commit) throw new Error(`commit ${v} is missing from the log`);
      for (const line of (await store.readText(commit.rel)).split('\n')) {
        if (line.trim()) apply(JSON.parse(line) as Record<string, unknown>);
      }
    }
  } catch (err) {
    throw new UserError(`${keyPath}: cannot read the Delta log of "${display}": ${(err as Error)?.message ?? String(err)}`.replace(/\s+/g, ' '), err);
  }

  const mode = configurationValue(meta?.configuration, 'delta.columnMapping.mode');
  if (mode && mode !== 'none') {
    throw new UserError(`${keyPath}: the Delta table "${display}" uses column mapping (mode "${mode}"), which FeatureGuard does not read: point the snapshot at a table without it`);
  }
  const types = schemaTypes(meta?.schemaString);
  const partitionNames = meta?.partitionColumns ?? [];
  const files: DeltaFile[] = [];
  for (const add of active.values()) {
    if (add.deletionVector) {
      throw new UserError(`${keyPath}: the Delta table "${display}" has deletion vectors (version ${latest}), which FeatureGuard does not read: purge them (REORG TABLE … APPLY (PURGE)) or point the snapshot at a table without them`);
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(add.path)) {
      throw new UserError(`${keyPath}: the Delta table "${display}" lists a file outside its folder (${add.path}), which FeatureGuard does not read`);
    }
    const values = mapEntries(add.partitionValues);
    const partition: Record<string, CellValue> = {};
    for (const name of partitionNames) partition[name] = typed(values.get(name) ?? null, types.get(name) ?? 'string');
    files.push({ rel: safeDecode(add.path), partition });
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const partitionColumns = partitionNames.map((name) => ({ name, type: types.get(name) ?? 'string' }));
  return { files, partitionColumns, version: latest };
}

/** A map as JSON (an object) or as a Parquet MAP read by hyparquet (an object or key/value pairs). */
function mapEntries(value: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(value)) {
    for (const kv of value as { key?: unknown; value?: unknown }[]) if (kv && typeof kv.key === 'string') out.set(kv.key, kv.value == null ? null : String(kv.value));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.set(k, v == null ? null : String(v));
  }
  return out;
}

function configurationValue(configuration: unknown, key: string): string | undefined {
  return mapEntries(configuration).get(key) ?? undefined;
}

/** The column types of a Delta schema string (Spark's JSON struct type). */
function schemaTypes(schemaString: string | undefined): Map<string, ColumnType> {
  const out = new Map<string, ColumnType>();
  if (!schemaString) return out;
  try {
    const schema = JSON.parse(schemaString) as { fields?: { name: string; type: unknown }[] };
    for (const f of schema.fields ?? []) out.set(f.name, sparkType(f.type));
  } catch {
    // A schema we cannot parse leaves partition values as strings.
  }
  return out;
}

function sparkType(type: unknown): ColumnType {
  if (typeof type !== 'string') return 'unknown';
  if (['byte', 'short', 'integer', 'long'].includes(type)) return 'integer';
  if (type === 'float' || type === 'double' || type.startsWith('decimal')) return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'date' || type.startsWith('timestamp')) return 'date';
  return 'string';
}

/** A partition value (always a string in the log) as a cell of its column's type. */
function typed(value: string | null, type: ColumnType): CellValue {
  if (value === null) return null;
  switch (type) {
    case 'integer':
    case 'number': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : null;
    case 'date': {
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'));
      return Number.isNaN(d.getTime()) ? null : d;
    }
    default:
      return value;
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
