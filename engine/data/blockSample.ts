/**
 * Where `sampleBlocks` blocks are when the file's order can be trusted for them (SPEC §1): a Parquet
 * file that declares the `orderBy` order (checked on the rows read; a contradiction is noted and
 * answered with undefined), or whose row-group statistics keep its row groups apart in that order.
 * Blocks sit on whole slots of `rows` rows in `orderBy` order, chosen with the seed.
 */
import { UserError } from '../errors';
import { noteFallback } from '../nativeFallbacks';
import { orderComparator, sortedRows } from './rowOrder';
import { sampleIndices } from './sample';
import type { FileOrder } from './samplingSource';
import type { ReadOptions, Sampling, SnapshotTable } from './table';

type Read = (options: ReadOptions) => Promise<SnapshotTable>;

/**
 * The positions (in `orderBy` order) of the rows of the blocks, block by block. Blocks sit on whole
 * slots of `rows` rows: they never overlap and are all `rows` long, so a sample row's place in its
 * block is its index modulo `rows` (what the warm-up relies on).
 */
export function blockRows(s: Sampling, n: number, seed: number, display: string): number[] {
  const { blocks, rows } = s.sampleBlocks!;
  const slots = Math.floor(n / rows);
  if (blocks > slots) {
    throw new UserError(`${s.key}.sampleBlocks: ${blocks} blocks of ${rows} rows need ${blocks * rows} rows; ${display} has ${n}`);
  }
  const out: number[] = [];
  for (const slot of sampleIndices(slots, blocks, seed)) for (let i = slot * rows; i < slot * rows + rows; i++) out.push(i);
  return out;
}

/**
 * Blocks as runs of the file's own rows when the file declares the `orderBy` order and its
 * statistics agree, checked on the rows of the blocks; undefined (after a note when the file
 * contradicts its declaration) when they must be chosen from every row.
 */
export async function blocksInDeclaredOrder(read: Read, s: Sampling, seed: number, display: string, order: FileOrder): Promise<number[] | undefined> {
  if (!order.declared) return undefined;
  const fallback = (why: string) => {
    noteFallback(`${display} declares it is sorted by ${s.orderBy.join(', ')}, but ${why}: ${s.key}.sampleBlocks chosen without trusting that order (the key columns read and ordered), the slower fallback`);
    return undefined;
  };
  if (order.contradiction) return fallback(order.contradiction);
  const rows = blockRows(s, order.totalRows, seed, display);
  const keys = await read({ sampleRows: 0, seed, columns: [...new Set(s.orderBy)], rowIndices: rows });
  const compare = orderComparator(s.orderBy.map((name) => keys.values[keys.columns.findIndex((c) => c.name === name)]))!;
  const size = s.sampleBlocks!.rows;
  for (let i = 1; i < rows.length; i++) {
    if (i % size !== 0 && compare(i - 1, i) > 0) return fallback(`rows ${rows[i - 1]} and ${rows[i]} are not in that order`);
  }
  return rows;
}

/**
 * Blocks when the row groups are apart in `orderBy` order (`FileOrder.groupsApart`): a
 * position in that order is a place in one row group's own order, so only the row groups holding
 * the blocks have their key columns read and sorted (stably, as every row would be).
 */
export async function blocksInGroupsApart(read: Read, s: Sampling, seed: number, display: string, groupRows: number[]): Promise<number[]> {
  const starts: number[] = [];
  let n = 0;
  for (const rows of groupRows) starts.push(n), (n += rows);
  const positions = blockRows(s, n, seed, display);
  const groupOf = (p: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const needed = [...new Set(positions.map(groupOf))].sort((a, b) => a - b);
  const rows: number[] = [];
  for (const g of needed) for (let r = starts[g]; r < starts[g] + groupRows[g]; r++) rows.push(r);
  const keys = await read({ sampleRows: 0, seed, columns: [...new Set(s.orderBy)], rowIndices: rows });
  const compare = orderComparator(s.orderBy.map((name) => keys.values[keys.columns.findIndex((c) => c.name === name)]))!;
  // Each needed row group's rows (as positions in `rows`) in order.
  const sortedOf = new Map<number, number[]>();
  let at = 0;
  for (const g of needed) {
    sortedOf.set(g, sortedRows(Array.from({ length: groupRows[g] }, (_, i) => at + i), compare));
    at += groupRows[g];
  }
  return positions.map((p) => {
    const g = groupOf(p);
    return rows[sortedOf.get(g)![p - starts[g]]];
  });
}
