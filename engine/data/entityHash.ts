/**
 * The seeded hash that orders entities for `sampleBy` (SPEC §1), computed on a key value as a
 * reader decoded it or as a cell: both give the hash of the cell the value becomes (64-bit
 * integers as numbers, binary as hex, …; `toCellValue`), so every reading path draws the same
 * entities. Types are kept apart (1 and "1" are two entities); numbers are hashed by the bits of
 * their double (0 and -0 one entity, every NaN one entity), with no text built per value.
 */
import { toCellValue } from './cellValue';

const TAG_NULL = 1;
const TAG_NUMBER = 2;
const TAG_STRING = 3;
const TAG_BOOLEAN = 4;
const TAG_DATE = 5;

const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);

/** The hash state a seed starts from. */
export function hashSeed(seed: number): number {
  return (0x811c9dc5 ^ Math.imul(Math.trunc(seed) | 0, 0x9e3779b1)) >>> 0;
}

/** The hash of one value (decoded or a cell), from `hashSeed(seed)`; an unsigned 32-bit integer. */
export function hashKey(v: unknown, start: number): number {
  switch (typeof v) {
    case 'number':
      return hashNumber(v, start, TAG_NUMBER);
    case 'string': {
      let h = mix(start, TAG_STRING);
      for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
      return finish(mix(h, v.length));
    }
    case 'bigint':
      return hashNumber(Number(v), start, TAG_NUMBER);
    case 'boolean':
      return finish(mix(mix(start, TAG_BOOLEAN), v ? 1 : 0));
    case 'undefined':
      return finish(mix(start, TAG_NULL));
    default:
      if (v === null) return finish(mix(start, TAG_NULL));
      if (v instanceof Date) return hashNumber(v.getTime(), start, TAG_DATE);
      // Binary, nested values: the text their cell is.
      return hashKey(toCellValue(v), start);
  }
}

/** `hashKey` of a number. */
export function hashNumber(v: number, start: number, tag = TAG_NUMBER): number {
  float[0] = v === 0 ? 0 : Number.isNaN(v) ? NaN : v;
  return finish(mix(mix(mix(start, tag), words[0]), words[1]));
}

/** One 32-bit word into the state (murmur3's block step). */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The final avalanche (murmur3's fmix32). */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An entity's value as a key, for telling apart entities whose hashes are equal: types kept apart. */
export function entityName(v: unknown): string {
  const c = toCellValue(v);
  if (c === null) return 'null';
  if (c instanceof Date) return `d${c.getTime()}`;
  if (typeof c === 'number') return `n${c === 0 ? 0 : c}`;
  return `${typeof c === 'string' ? 's' : 'b'}${String(c)}`;
}
