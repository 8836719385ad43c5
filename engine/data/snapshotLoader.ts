/**
 * Reads each snapshot at most once while its file is unchanged: once per CLI run, and across runs
 * in the language server, where a snapshot is re-read only when its size or modification time
 * changes. Also converts it once to the columnar form workers receive.
 */
import { statSync } from 'node:fs';
import type { Config } from '../config/configTypes';
import { UserError } from '../errors';
import type { SampleInput } from '../exec/featureRunner';
import { readSnapshot } from './readSnapshot';
import type { SnapshotTable } from './table';
import { wireColumns } from './wireColumns';

export interface LoadedSnapshot {
  table: SnapshotTable;
  sample: SampleInput;
  /** Changes whenever the file or its sampling settings change: part of result cache keys. */
  identity: string;
}

export class SnapshotLoader {
  private readonly loaded = new Map<string, { identity: string; promise: Promise<LoadedSnapshot> }>();
  private readonly used = new Set<string>();

  /** The snapshot named `name` in `config`; a read failure is a `UserError` naming the file. */
  load(config: Config, name: string): Promise<LoadedSnapshot> {
    const s = config.snapshots.get(name);
    if (!s) throw new UserError(`unknown snapshot "${name}"`);
    const display = `${config.configDirInRepo ? config.configDirInRepo + '/' : ''}${s.path}`;
    let identity: string;
    try {
      const st = statSync(s.absPath);
      identity = `${s.absPath}|${st.size}|${st.mtimeMs}|${s.sampleRows}|${s.seed}`;
    } catch {
      throw new UserError(`snapshot file not found: ${display}`);
    }
    this.used.add(identity);
    const cached = this.loaded.get(name);
    if (cached && cached.identity === identity) return cached.promise;
    const promise = readSnapshot(s.absPath, { sampleRows: s.sampleRows, seed: s.seed }, display).then((table) => ({
      table,
      sample: { rowCount: table.rows.length, columns: wireColumns(table) },
      identity,
    }));
    // A failed read is not cached: the user may fix the file and try again.
    promise.catch(() => this.loaded.delete(name));
    this.loaded.set(name, { identity, promise });
    return promise;
  }

  /** Forgets which snapshots were used, at the start of a run. */
  startRun(): void {
    this.used.clear();
  }

  /** Rows sampled across the snapshots used since `startRun`. */
  async rowsSampled(): Promise<number> {
    let n = 0;
    for (const { identity, promise } of this.loaded.values()) if (this.used.has(identity)) n += (await promise.catch(() => undefined))?.table.rows.length ?? 0;
    return n;
  }
}
