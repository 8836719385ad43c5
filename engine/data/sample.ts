/**
 * Deterministic row sampling for snapshot readers. The same (total rows, sample size, seed) always
 * gives the same rows, on every machine and in every run, so that a finding can be reproduced and
 * the base and target code are compared on identical inputs.
 *
 * Sampling draws k distinct indices with Floyd's algorithm (O(k) draws, no O(n) array), driven by
 * a small seeded PRNG, and then sorts them so readers can walk a file front to back.
 */

/** A source of uniform doubles in [0, 1). */
type Random = () => number;

const TWO_POW_32 = 4294967296;
const TWO_POW_21 = 2097152;
const TWO_POW_53 = 9007199254740992;

/**
 * Returns `sampleRows` distinct row indices in [0, totalRows), ascending, chosen uniformly at
 * random from `seed`. A `sampleRows` of 0 (or less), or one that reaches `totalRows`, selects
 * every row.
 */
export function sampleIndices(totalRows: number, sampleRows: number, seed: number): number[] {
  const n = Math.max(0, Math.floor(totalRows));
  const k = Math.floor(sampleRows);
  if (!(k > 0) || k >= n) return allIndices(n);

  const random = mulberry32(seedToState(seed));
  // Floyd's algorithm: for j = n-k .. n-1, draw t in [0, j]; take t unless already taken, in which
  // case take j (which cannot have been taken yet). Every k-subset is equally likely. Both ways of
  // remembering the taken rows below make the same draws, so they give the same sample.
  if (n <= BITMAP_MAX_ROWS || n <= 16 * k) return floydWithBitmap(random, n, k);
  return floydWithSet(random, n, k);
}

/** Below this many rows a byte per row is cheaper than a Set and a sort. */
const BITMAP_MAX_ROWS = 1 << 24;

/** Floyd's algorithm with one byte per row, read back in order: no hashing and no sort. */
function floydWithBitmap(random: Random, n: number, k: number): number[] {
  const taken = new Uint8Array(n);
  for (let j = n - k; j < n; j++) {
    const t = randomInt(random, j + 1);
    taken[taken[t] === 0 ? t : j] = 1;
  }
  const out = new Array<number>(k);
  let count = 0;
  for (let i = 0; i < n; i++) if (taken[i] !== 0) out[count++] = i;
  return out;
}

/** Floyd's algorithm with a Set, for files too large for a byte per row; memory is O(k). */
function floydWithSet(random: Random, n: number, k: number): number[] {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomInt(random, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  // A typed-array sort is numeric and much faster than Array.prototype.sort with a comparator.
  return Array.from(Float64Array.from(chosen).sort());
}

function allIndices(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Folds any finite number into a 32-bit PRNG state. The high part of large seeds is mixed in so
 * that seeds differing only above 2^32 still give different samples; non-finite seeds act as 0.
 */
function seedToState(seed: number): number {
  const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  const lo = s >>> 0;
  const hi = Math.floor(s / TWO_POW_32) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
}

/**
 * mulberry32: a tiny, well-distributed 32-bit generator. Its output for a given state is fixed by
 * this code alone, which is what makes samples reproducible across Node versions.
 */
function mulberry32(state: number): Random {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}

/**
 * A uniform integer in [0, bound). Bounds up to 2^32 use one draw; larger ones combine two draws
 * into 53 bits so that files with billions of rows are still sampled without visible bias.
 */
function randomInt(random: Random, bound: number): number {
  if (bound <= TWO_POW_32) return Math.floor(random() * bound);
  const high = Math.floor(random() * TWO_POW_21);
  const low = Math.floor(random() * TWO_POW_32);
  return Math.floor(((high * TWO_POW_32 + low) / TWO_POW_53) * bound);
}
