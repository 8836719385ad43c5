/**
 * Reads snapshots column by column, at most once while the file is unchanged: once per CLI run,
 * and across runs in the language server, where a file is re-read only when its size or
 * modification time changes. A feature check asks for the columns its code can read plus its
 * stored column; a wide feature store (inputs beside dozens of stored features) is then never read
 * whole. The same seed samples the same rows, so columns read at different times line up.
 *
 * What a load returns is a view over the column store: no row objects are built in this process
 * (the checks read columns, see `SampleRows`), and the columnar form workers receive is built
 * when a worker needs it, once per column set.
 */
import type { ResultsCache } from '../cache/resultsCache';
import { readSampled } from '../cache/sampleCache';
import type { Config, SnapshotConfig } from '../config/configTypes';
import { UserError } from '../errors';
import type { SampleInput } from '../exec/featureRunner';
import { isRemotePath, resolveSnapshot, type ResolvedSnapshot } from './resolveSnapshot';
import type { SnapshotCacheOptions } from './snapshotCache';
import { rowsFromColumns, type SampleRows } from './sampleRows';
import { isKeyed } from './keyedSample';
import type { CellValue, ColumnInfo, Sampling, SnapshotTable } from './table';
import { wireColumns } from './wireColumns';

export interface LoadedSnapshot {
  /** The requested columns of the sampled rows. */
  rows: SampleRows;
  /** Any column already read (by this or another request). */
  column(name: string): { values: CellValue[]; type: ColumnInfo['type'] } | undefined;
  /** The requested columns as a worker receives them (built on first use). */
  readonly sample: SampleInput;
  /** Changes whenever the file or its sampling settings change: part of result cache keys. */
  identity: string;
}

/** What has been read of one snapshot file. */
interface ColumnStore {
  identity: string;
  path: string;
  totalRows: number;
  /** Rows in the sample (which rows they are is the reader's business: a million indices are 8 MB). */
  rowCount: number;
  fileColumns: string[];
  types: Map<string, ColumnInfo['type']>;
  values: Map<string, CellValue[]>;
  /** The run (see `startRun`) that last asked for each column. */
  lastRun: Map<string, number>;
}

/**
 * Cells kept between runs across the stores (a million-row column is one million). Each check
 * reads its feature's stored column; without a bound, a language server that checked every feature
 * of a 200-feature store would end up holding all of it. Beyond the bound, the columns asked for
 * least recently are dropped when the next run starts (and read again if asked again).
 */
const MAX_KEPT_CELLS = 6_000_000;

/** Worker inputs remembered (weakly, see `built`): features are checked one after another and neighbours share inputs. */
const MAX_BUILT_SAMPLES = 2;

export class SnapshotLoader {
  private readonly stores = new Map<string, Promise<ColumnStore>>();
  /** The stores read so far, by snapshot name (what `stores` resolved to). */
  private readonly settled = new Map<string, ColumnStore>();
  private readonly used = new Map<string, number>();
  /** Rows sampled by snapshot name since `startRun` (what a shard report records, see `Report.shard`). */
  private readonly usedByName = new Map<string, number>();
  /**
   * Worker inputs already built, by snapshot identity and column list: features with the same
   * inputs share them (base and target of a feature, a batch's features) while some batch holds
   * them. Held weakly: typed copies of the columns, 9 MB per million-row numeric column, they
   * were kept through a check's statistics and until the next run.
   */
  private readonly built = new Map<string, WeakRef<SampleInput>>();
  /** Datasets and remote snapshots resolved in this run (a listing, a HEAD): done once per run. */
  private readonly resolved = new Map<string, Promise<ResolvedSnapshot>>();
  private cache: SnapshotCacheOptions = {};
  /** Where sampled columns are kept between runs (`cache/sampleCache.ts`); none when undefined. */
  private samples?: ResultsCache;
  private run = 0;

  /** `maxKeptCells`: the bound on cells kept between runs (tests make it small). */
  constructor(private readonly maxKeptCells = MAX_KEPT_CELLS) {}

  /** The columns kept between runs, by snapshot name (for tests). */
  keptColumns(): Map<string, string[]> {
    return new Map([...this.settled].map(([name, store]) => [name, [...store.values.keys()]]));
  }
  /** Loads between their start and the moment their view holds its columns: no column is dropped meanwhile. */
  private loading = 0;
  private dropWaiting = false;

  /**
   * Where remote snapshots' byte ranges are cached (`.git/featureguard/snapshots`; none when
   * undefined) and whether `--refresh` ignores what is there.
   */
  setRemoteCache(dir: string | undefined, refresh = false): void {
    if (this.cache.dir !== dir || !!this.cache.refresh !== refresh) this.cache = { dir, refresh, refreshed: new Set() };
  }

  /** Keeps sampled columns in (and reads them from) the results cache's files; undefined: never. */
  setSampleCache(cache: ResultsCache | undefined): void {
    this.samples = cache;
  }

  /** The snapshot's identity: it changes whenever the file or its sampling settings change. */
  async identityOf(config: Config, name: string): Promise<string> {
    return (await this.store(config, name, [])).identity;
  }

  /** Every column name of the snapshot (reads the schema and the sample's row indices only). */
  async fileColumns(config: Config, name: string): Promise<string[]> {
    return (await this.store(config, name, [])).fileColumns;
  }

  /**
   * The snapshot with `columns` (all when undefined); unknown names are ignored. A read failure is
   * a `UserError` naming the file.
   */
  async load(config: Config, name: string, columns?: string[]): Promise<LoadedSnapshot> {
    this.loading++;
    try {
      return this.view(await this.store(config, name, columns), name, columns);
    } finally {
      if (--this.loading === 0 && this.dropWaiting) this.dropLeastRecent();
    }
  }

  private view(store: ColumnStore, name: string, columns: string[] | undefined): LoadedSnapshot {
    // In file order, so that the same set of columns asked in any order shares one table.
    const asked = new Set(columns ?? store.fileColumns);
    const wanted = store.fileColumns.filter((c) => asked.has(c) && store.values.has(c));
    const key = `${store.identity}\0${wanted.join('\0')}`;
    this.used.set(store.identity, store.rowCount);
    this.usedByName.set(name, store.rowCount);
    const infos: ColumnInfo[] = wanted.map((c) => ({ name: c, type: store.types.get(c)! }));
    const length = store.rowCount;
    // The view holds its columns: a later run may drop them from the store (see MAX_KEPT_CELLS).
    const held = new Map(wanted.map((c) => [c, store.values.get(c)!]));
    for (const c of wanted) store.lastRun.set(c, this.run);
    const rows = rowsFromColumns(length, infos, (c) => held.get(c));
    const column = (c: string) => {
      const values = held.get(c) ?? store.values.get(c);
      return values ? { values, type: store.types.get(c)! } : undefined;
    };
    const built = this.built;
    return {
      rows,
      column,
      identity: store.identity,
      get sample() {
        let sample = built.get(key)?.deref();
        if (!sample) {
          sample = { rowCount: length, columns: wireColumns(infos, (c) => held.get(c)!) };
          built.delete(key);
          if (built.size >= MAX_BUILT_SAMPLES) built.delete(built.keys().next().value!);
          built.set(key, new WeakRef(sample));
        }
        return sample;
      },
    };
  }

  /**
   * One column of the sample, without keeping it: a column already read is returned from memory,
   * any other is read from the file and not stored. Undefined when the file has no such column.
   */
  async readColumn(config: Config, name: string, column: string): Promise<{ values: CellValue[]; type: ColumnInfo['type'] } | undefined> {
    const store = await this.store(config, name, []);
    if (store.values.has(column)) return { values: store.values.get(column)!, type: store.types.get(column)! };
    if (!store.fileColumns.includes(column)) return undefined;
    const s = config.snapshots.get(name)!;
    const resolved = await this.resolve(config, s);
    const sampling = samplingOf(s);
    const t = await readSampled(resolved, { sampleRows: s.sampleRows, seed: s.seed, columns: [column], ...(sampling ? { sampling } : {}) }, displayOf(config, s), this.samples);
    const info = t.columns[0];
    return info && { values: t.values[0], type: info.type };
  }

  /** Forgets which snapshots were used, at the start of a run; drops the columns beyond `MAX_KEPT_CELLS`. */
  startRun(): void {
    this.used.clear();
    this.usedByName.clear();
    this.resolved.clear();
    this.run++;
    // Worker inputs are shared by the features of one run.
    this.built.clear();
    this.dropLeastRecent();
  }

  /** Drops the least recently asked columns beyond `MAX_KEPT_CELLS` (once no load is under way). */
  private dropLeastRecent(): void {
    this.dropWaiting = this.loading > 0;
    if (this.dropWaiting) return;
    const columns: { store: ColumnStore; name: string; run: number }[] = [];
    let cells = 0;
    for (const store of this.settled.values()) {
      for (const name of store.values.keys()) {
        columns.push({ store, name, run: store.lastRun.get(name) ?? 0 });
        cells += store.rowCount;
      }
    }
    if (cells <= this.maxKeptCells) return;
    columns.sort((a, b) => a.run - b.run);
    for (const c of columns) {
      if (cells <= this.maxKeptCells || c.run >= this.run) break;
      c.store.values.delete(c.name);
      c.store.lastRun.delete(c.name);
      cells -= c.store.rowCount;
    }
  }

  /** Rows sampled across the snapshots used since `startRun`. */
  rowsSampled(): number {
    let n = 0;
    for (const rows of this.used.values()) n += rows;
    return n;
  }

  /** Rows sampled by snapshot name since `startRun`, names sorted. */
  rowsBySnapshot(): Record<string, number> {
    return Object.fromEntries([...this.usedByName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * What the snapshot's path names, with its identity: once per run (`startRun` forgets it), for a
   * single local file too — a file stat'ed and edge-hashed for every feature of a 50-feature check
   * was ~200 ms of its run; an edit to the file shows at the next run.
   */
  private resolve(config: Config, s: SnapshotConfig): Promise<ResolvedSnapshot> {
    const display = displayOf(config, s);
    const key = `${s.absPath}\0${s.name}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const pending = resolveSnapshot(s, config.configDir, display, this.cache);
    pending.catch(() => this.resolved.delete(key));
    this.resolved.set(key, pending);
    return pending;
  }

  /** The store of a snapshot with at least `columns` read (all when undefined). */
  private async store(config: Config, name: string, columns: string[] | undefined): Promise<ColumnStore> {
    const s = config.snapshots.get(name);
    if (!s) throw new UserError(`unknown snapshot "${name}"`);
    const display = displayOf(config, s);
    const resolved = await this.resolve(config, s);
    const sampling = samplingOf(s);
    // The sampling keys change which rows (and in what order) every feature sees: part of each cache key.
    const identity = `${resolved.identity}|${s.sampleRows}|${s.seed}${sampling ? `|${JSON.stringify(sampling)}` : ''}`;
    const read = (cols: string[] | undefined) => readSampled(resolved, { sampleRows: s.sampleRows, seed: s.seed, columns: cols, ...(sampling ? { sampling } : {}) }, display, this.samples);
    let pending = this.stores.get(name);
    if (!pending || (await pending.catch(() => undefined))?.identity !== identity) {
      pending = read(columns).then((t) => {
        const store = addColumns({ identity, path: display, totalRows: t.totalRows, rowCount: t.rowIndices.length, fileColumns: t.fileColumns, types: new Map(), values: new Map(), lastRun: new Map() }, t);
        this.settled.set(name, store);
        return store;
      });
      // A failed read is not kept: the user may fix the file and try again.
      pending.catch(() => {
        this.stores.delete(name);
        this.settled.delete(name);
      });
      this.stores.set(name, pending);
      return pending;
    }
    const store = await pending;
    const missing = (columns ?? store.fileColumns).filter((c) => !store.values.has(c) && store.fileColumns.includes(c));
    if (missing.length === 0) return store;
    const next = read(missing).then((t) => addColumns(store, t));
    this.stores.set(name, next);
    return next;
  }
}

/** The snapshot's sampling keys (SPEC §1), undefined when it has none: rows are then drawn one by one. */
export function samplingOf(s: SnapshotConfig): Sampling | undefined {
  const sampling: Sampling = { key: `snapshots.${s.name}`, orderBy: s.orderBy ?? [] };
  if (s.sampleBy !== undefined) sampling.sampleBy = s.sampleBy;
  if (s.sampleBlocks) sampling.sampleBlocks = s.sampleBlocks;
  return isKeyed(sampling) ? sampling : undefined;
}

/** The snapshot path as messages show it: relative to the repository root, or the URL. */
function displayOf(config: Config, s: SnapshotConfig): string {
  return isRemotePath(s.path) ? s.path : `${config.configDirInRepo ? config.configDirInRepo + '/' : ''}${s.path}`;
}

function addColumns(store: ColumnStore, t: SnapshotTable): ColumnStore {
  t.columns.forEach((c, k) => {
    store.types.set(c.name, c.type);
    store.values.set(c.name, t.values[k]);
  });
  return store;
}
