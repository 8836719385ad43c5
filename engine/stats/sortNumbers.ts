/**
 * Ascending sorts of a Float64Array: a copy, or the array itself. The drift statistics sort every numeric feature's
 * stored and target values (100k–1M numbers per feature); a least-significant-digit radix sort
 * on the doubles' bit patterns does that in about half the time of `Float64Array.prototype.sort`.
 * Small arrays use the built-in sort, which wins below a few thousand values.
 *
 * The order is the built-in sort's for all non-NaN values, -0 before +0 included. Callers pass no
 * NaN (they filter them out: a NaN has no place in an ordering).
 */

const RADIX_FROM = 4096;

export function sortedCopy(values: Float64Array): Float64Array {
  return sortInPlace(Float64Array.from(values));
}

/**
 * Sorts `values` itself, ascending, and returns it: for an array made only to be sorted (no
 * unsorted copy beside it, 8 MB at a million values).
 */
export function sortInPlace(values: Float64Array): Float64Array {
  if (values.length < RADIX_FROM) return values.sort();
  return radixSorted(values);
}

/**
 * Four passes of 16 bits over keys that order like the numbers: a positive double's bits with the
 * sign bit set, a negative double's bits inverted. Little-endian: word 0 of a value is its low half.
 */
function radixSorted(values: Float64Array): Float64Array {
  const n = values.length;
  const result = values;
  let from: Uint32Array = new Uint32Array(result.buffer, result.byteOffset, n * 2);
  let to: Uint32Array = scratchWords(n * 2);
  for (let i = 0; i < n; i++) {
    const hi = from[2 * i + 1];
    if (hi & 0x80000000) {
      from[2 * i + 1] = ~hi;
      from[2 * i] = ~from[2 * i];
    } else {
      from[2 * i + 1] = hi | 0x80000000;
    }
  }
  // The four digits' counts in one read; a pass whose digit is the same for every value (the sign
  // and exponent of values in one range often are) moves nothing and is skipped.
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const lo = from[2 * i];
    const hi = from[2 * i + 1];
    counts[lo & 0xffff]++;
    counts[65536 + (lo >>> 16)]++;
    counts[131072 + (hi & 0xffff)]++;
    counts[196608 + (hi >>> 16)]++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    const offsets = counts.subarray(pass * 65536, (pass + 1) * 65536);
    if (offsets[(from[word] >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = offsets[d];
      offsets[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = offsets[(from[2 * i + word] >>> shift) & 0xffff]++;
      to[2 * k] = from[2 * i];
      to[2 * k + 1] = from[2 * i + 1];
    }
    const t = from;
    from = to;
    to = t;
  }
  for (let i = 0; i < n; i++) {
    const hi = from[2 * i + 1];
    if (hi & 0x80000000) {
      from[2 * i + 1] = hi & 0x7fffffff;
    } else {
      from[2 * i + 1] = ~hi;
      from[2 * i] = ~from[2 * i];
    }
  }
  // An odd number of passes ran: the sorted words are in the scratch buffer.
  if (from.buffer !== result.buffer) new Uint32Array(result.buffer, result.byteOffset, n * 2).set(from.subarray(0, n * 2));
  return result;
}

/**
 * The digit counts and the second buffer of the sort, kept between calls: the drift statistics
 * sort two arrays per feature, and fresh megabytes each time are what the garbage collector then
 * spends its time on.
 */
const counts = new Uint32Array(4 * 65536);
let scratch = new Uint32Array(0);

/** Lets the second buffer go (8 bytes per value of the largest array sorted): a run's end. */
export function releaseSortScratch(): void {
  scratch = new Uint32Array(0);
}

function scratchWords(length: number): Uint32Array {
  if (scratch.length < length) scratch = new Uint32Array(length);
  return scratch.subarray(0, length);
}
