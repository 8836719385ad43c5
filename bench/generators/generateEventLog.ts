/**
 * The event log of the sampling family (bench/families/sampling.ts): one Parquet file of `rows`
 * rows for `entities` customers, sorted by customer then time, columns `customer_id` (INT32),
 * `ts` (INT64, epoch milliseconds, no timestamp annotation) and `spend` (DOUBLE), written with
 * hyparquet-writer (SNAPPY) one row group of `rowGroupSize` rows at a time from typed arrays, so
 * memory stays near one row group whatever the row count. Every row group declares the order
 * (`sorting_columns`: customer_id, ts, ascending, nulls last), as writers that sort declare it:
 * hyparquet-writer has no option for it, but serializes the field of the row groups it keeps
 * (`ParquetWriter.row_groups`, part of its typed interface), which are set before the footer is written.
 *
 * Rows per customer are seeded: 1–19 (mean 10), then nudged one at a time until they add up to
 * `rows` exactly. The file sits in `data/` of a one-commit git repository that ignores it (a
 * private clone of the workspace stays small); the meta's `dir` locates it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../core/paths';
import type { GenerateOptions, WorkspaceMeta, WorkspaceParams } from '../core/types';
import { gitIn, prepareGeneratedDir } from './generatedDir';
import { makeRng } from './generateWorkspace';

/** Where the file is, inside the generated folder (ignored by its git repository). */
export const EVENT_LOG = 'data/events.parquet';
/** 2025-01-01T00:00:00Z: the first event of every customer is within 30 days of it. */
const T0 = 1_735_689_600_000;
const DAY = 86_400_000;

/** What the generator records about the file beside the workspace meta. */
export interface EventLogMeta extends WorkspaceMeta {
  /** `generatedMs`: the whole generation (counts, rows, writing, git), not a figure. */
  eventLog: { path: string; bytes: number; rowGroups: number; entities: number; generatedMs: number };
}

/** A hash of this file: a log written by another version of the generator is stale. */
export function eventLogVersion(): string {
  return createHash('sha1').update(readFileSync(join(ROOT, 'bench/generators/generateEventLog.ts'))).digest('hex').slice(0, 12);
}

/** Rows per customer: seeded, 1–19 each, adding up to `rows` exactly. */
export function entityCounts(rows: number, entities: number, seed: number): Uint8Array {
  if (!(entities >= 1) || !(rows >= entities) || rows > entities * 200) throw new Error(`cannot spread ${rows} rows over ${entities} entities`);
  const rng = makeRng(seed);
  const counts = new Uint8Array(entities);
  let total = 0;
  for (let e = 0; e < entities; e++) total += counts[e] = 1 + rng.int(19);
  while (total > rows) {
    const e = rng.int(entities);
    if (counts[e] > 1) counts[e]--, total--;
  }
  while (total < rows) {
    const e = rng.int(entities);
    if (counts[e] < 200) counts[e]++, total++;
  }
  return counts;
}

export async function generateEventLog(dir: string, params: WorkspaceParams, { onProgress }: GenerateOptions = {}): Promise<EventLogMeta> {
  const started = performance.now();
  const { rows, seed } = params;
  const entities = Number(params.entities), rowGroupSize = Number(params.rowGroupSize);
  if (!(rowGroupSize >= 1)) throw new Error('rowGroupSize must be ≥ 1');
  dir = resolve(dir);
  prepareGeneratedDir(dir, (entries) => entries.includes('.gitignore') && entries.includes('README.md') && entries.includes('data'), 'a generated event log');
  const counts = entityCounts(rows, entities, seed);
  const rng = makeRng(seed * 7919 + 1);
  const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
  const path = join(dir, EVENT_LOG);
  mkdirSync(join(dir, 'data'), { recursive: true });

  let writer: InstanceType<typeof ParquetWriter> | undefined;
  let customer = new Int32Array(rowGroupSize), ts = new BigInt64Array(rowGroupSize), spend = new Float64Array(rowGroupSize);
  let n = 0, written = 0, groups = 0;
  const flush = () => {
    if (n === 0) return;
    const columnData = [
      { name: 'customer_id', data: n === rowGroupSize ? customer : customer.subarray(0, n), type: 'INT32' as const, nullable: false },
      { name: 'ts', data: n === rowGroupSize ? ts : ts.subarray(0, n), type: 'INT64' as const, nullable: false },
      { name: 'spend', data: n === rowGroupSize ? spend : spend.subarray(0, n), type: 'DOUBLE' as const, nullable: false },
    ];
    writer ??= new ParquetWriter({ writer: fileWriter(path), schema: schemaFromColumnData({ columnData }), createdBy: 'featureguard-bench sampling' });
    // The schema carries the types; the writer wants them in one place only.
    writer.write({ columnData: columnData.map(({ name, data }) => ({ name, data })), rowGroupSize: n });
    written += n;
    groups++;
    n = 0;
    customer = new Int32Array(rowGroupSize), ts = new BigInt64Array(rowGroupSize), spend = new Float64Array(rowGroupSize);
    if (groups % 10 === 0) onProgress?.(`data: ${written} of ${rows} rows`);
  };
  for (let e = 0; e < entities; e++) {
    // Customer ids are sparse (not 1..N), as real keys are; one customer's events a few hours to days apart.
    const id = 100_000 + e * 3;
    let t = T0 + Math.floor(rng.next() * 30 * DAY);
    const scale = 5 + rng.next() * 95;
    for (let k = 0; k < counts[e]; k++) {
      customer[n] = id;
      ts[n] = BigInt(t);
      spend[n] = Math.round(scale * Math.exp(rng.normal() * 0.5) * 100) / 100;
      t += 3_600_000 + Math.floor(rng.next() * 3 * DAY);
      if (++n === rowGroupSize) flush();
    }
  }
  flush();
  if (!writer) throw new Error('rows must be > 0');
  // Columns by their index among the leaves: customer_id 0, ts 1.
  for (const rg of writer.row_groups) rg.sorting_columns = [0, 1].map((column_idx) => ({ column_idx, descending: false, nulls_first: false }));
  await writer.finish();
  const bytes = statSync(path).size;

  writeFileSync(join(dir, '.gitignore'), 'data/\n');
  writeFileSync(join(dir, 'README.md'), [
    `Generated by bench/generators/generateEventLog.ts: ${EVENT_LOG} (ignored here) holds ${rows} rows of ${entities} customers,`,
    `sorted by customer_id then ts (declared in every row group's sorting_columns), in row groups of ${rowGroupSize} rows; seed ${seed}.`,
    '',
  ].join('\n'));
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', `bench event log: ${rows} rows, ${entities} entities, seed ${seed}`]);
  return {
    generator: eventLogVersion(),
    args: params,
    dir,
    commit: gitIn(dir, ['rev-parse', 'HEAD']).trim(),
    modules: 0,
    files: 2,
    lines: 3,
    layers: 0,
    features: [],
    constants: [],
    graph: {},
    eventLog: { path, bytes, rowGroups: groups, entities, generatedMs: performance.now() - started },
  };
}
