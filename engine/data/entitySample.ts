/**
 * Which rows `sampleBy` takes (SPEC §1): whole entities in the order of a seeded hash of their
 * value (`entityHash.ts`; ties by the value), taken while their rows fit in `sampleRows` — the
 * first entity whatever its size. 0 takes every row.
 *
 * The key column is hashed row by row as it is decoded (a row equal to the row before it, as in a
 * file sorted by entity, reuses that row's hash), keeping one 32-bit hash per row and nothing per
 * entity. The cut in hash order is then found without sorting the entities: rows are counted per
 * bucket of the hash's top 16 bits, the bucket where the running count passes `sampleRows` is
 * found, and only that bucket's few hashes are sorted. Entities that share the hash at the cut are
 * told apart by their values, read for those rows only.
 */
import { entityName, hashKey, hashNumber, hashSeed } from './entityHash';

type NumberChunk = Int32Array | Float64Array | Float32Array;

/** Reads the key values (cells or decoded values) at some rows, given ascending. */
export type KeyValuesOf = (rows: number[]) => Promise<readonly unknown[]>;

export class EntityHashes {
  private hashes: Uint32Array;
  private count = 0;
  private readonly start: number;
  private previous: unknown = undefined;
  private previousHash = 0;
  /** Rows per bucket of the hash's top 16 bits. */
  private readonly perBucket = new Float64Array(65536);

  /** The typed arrays of numbers passed to `add`, kept when asked (undefined once another kind came). */
  private kept: NumberChunk[] | undefined;

  constructor(seed: number, expectedRows = 0, keep = false) {
    this.start = hashSeed(seed);
    this.hashes = new Uint32Array(Math.max(1024, expectedRows));
    this.kept = keep ? [] : undefined;
  }

  /** The key values of the next rows, in file order; `totalRows`, when known, saves growing the hashes. */
  add(values: ArrayLike<unknown>, totalRows = 0): void {
    const n = values.length;
    if (this.count + n > this.hashes.length) {
      const grown = new Uint32Array(Math.max(this.count + n, this.hashes.length * 2, totalRows));
      grown.set(this.hashes.subarray(0, this.count));
      this.hashes = grown;
    }
    if (values instanceof Int32Array || values instanceof Float64Array || values instanceof Float32Array) {
      this.kept?.push(values);
      this.addNumbers(values);
    } else {
      this.kept = undefined;
      this.addValues(values);
    }
  }

  /** A decoded column of plain numbers: one loop over the typed array. */
  private addNumbers(values: Int32Array | Float64Array | Float32Array): void {
    const { hashes, start, perBucket } = this;
    // A number (NaN when the previous row was not one: never equal), so the loop compares doubles.
    let previous = typeof this.previous === 'number' && this.count > 0 ? this.previous : NaN;
    let h = this.previousHash;
    let at = this.count;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== previous) {
        h = hashNumber(v, start);
        previous = v;
      }
      hashes[at++] = h;
      perBucket[h >>> 16]++;
    }
    this.count = at;
    this.previous = previous;
    this.previousHash = h;
  }

  private addValues(values: ArrayLike<unknown>): void {
    const { hashes, start, perBucket } = this;
    let previous = this.previous;
    let h = this.previousHash;
    let at = this.count;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // Numbers, strings and bigints equal to the previous row's are the same entity.
      if (v !== previous || at === 0 || typeof v === 'object') {
        h = hashKey(v, start);
        previous = v;
      }
      hashes[at++] = h;
      perBucket[h >>> 16]++;
    }
    this.count = at;
    this.previous = previous;
    this.previousHash = h;
  }

  /** The kept numbers at `rows` (ascending), as cells; undefined when not every chunk was kept. */
  keptAt(rows: readonly number[]): number[] | undefined {
    const kept = this.kept;
    if (!kept) return undefined;
    const out = new Array<number>(rows.length);
    let chunk = 0;
    let offset = 0;
    for (let i = 0; i < rows.length; i++) {
      while (rows[i] >= offset + kept[chunk].length) offset += kept[chunk++].length;
      out[i] = kept[chunk][rows[i] - offset];
    }
    return out;
  }

  get rows(): number {
    return this.count;
  }

  /** The sampled rows, ascending; `valuesOf` reads key values when entities share the hash at the cut. */
  async choose(sampleRows: number, valuesOf: KeyValuesOf): Promise<number[]> {
    const n = this.count;
    const hashes = this.hashes;
    if (!(sampleRows > 0)) return allRows(n);
    const perBucket = this.perBucket;
    let total = 0;
    let bucket = 0;
    while (bucket < 65536 && total + perBucket[bucket] <= sampleRows) total += perBucket[bucket++];
    if (bucket === 65536) return allRows(n);

    // One pass: the rows of the buckets before the cut bucket and of it (a few more than
    // `sampleRows`), then the cut bucket's hashes in order.
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) if (hashes[i] >>> 16 <= bucket) candidates.push(i);
    const rowsByHash = new Map<number, number[]>();
    for (const i of candidates) {
      if (hashes[i] >>> 16 !== bucket) continue;
      const list = rowsByHash.get(hashes[i]);
      if (list) list.push(i);
      else rowsByHash.set(hashes[i], [i]);
    }
    let cut = 0;
    let atCut: Set<number> | undefined;
    for (const hash of [...rowsByHash.keys()].sort((a, b) => a - b)) {
      const rows = rowsByHash.get(hash)!;
      if (total + rows.length <= sampleRows) {
        // Every entity of this hash fits, in whatever order they come.
        total += rows.length;
        continue;
      }
      cut = hash;
      atCut = await takenAtCut(rows, total, sampleRows, valuesOf);
      break;
    }
    return candidates.filter((i) => hashes[i] < cut || (hashes[i] === cut && atCut!.has(i)));
  }
}

/**
 * The rows taken of the entities with the hash at the cut (`rows`, ascending): in the order of
 * their values, while they fit after the `total` rows taken before them.
 */
async function takenAtCut(rows: number[], total: number, sampleRows: number, valuesOf: KeyValuesOf): Promise<Set<number>> {
  const values = await valuesOf(rows);
  const byEntity = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const name = entityName(values[i]);
    const list = byEntity.get(name);
    if (list) list.push(row);
    else byEntity.set(name, [row]);
  });
  const taken = new Set<number>();
  for (const name of [...byEntity.keys()].sort()) {
    const entity = byEntity.get(name)!;
    if (total > 0 && total + entity.length > sampleRows) break;
    for (const row of entity) taken.add(row);
    total += entity.length;
  }
  return taken;
}

function allRows(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
