/**
 * Decompression for Arrow IPC record batches. apache-arrow ships no codecs, yet Feather v2 files
 * written by pyarrow/pandas are LZ4-frame compressed by default, so without these most `.feather`
 * snapshots would not open. ZSTD reuses hyparquet-compressors' decoder; LZ4 frames are decoded
 * here because that package only handles the raw and Hadoop block variants Parquet uses.
 */
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompressZstd } from 'hyparquet-compressors';

/**
 * Registers the LZ4-frame and ZSTD decoders in apache-arrow's codec registry unless a decoder is
 * already there (one the host registered wins). Idempotent; any existing encoder is kept.
 */
export function ensureArrowCodecs(): void {
  register(CompressionType.LZ4_FRAME, decodeLz4Frame);
  register(CompressionType.ZSTD, (data) => decompressZstd(data));
}

function register(type: CompressionType, decode: (data: Uint8Array) => Uint8Array): void {
  const existing = compressionRegistry.get(type);
  if (existing?.decode) return;
  const encode = existing?.encode?.bind(existing);
  compressionRegistry.set(type, encode ? { encode, decode } : { decode });
}

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 };

/**
 * Decodes one or more concatenated LZ4 frames (the format of `lz4` the command and of Arrow's
 * LZ4_FRAME codec). Checksums are skipped rather than verified: Arrow buffers carry their own
 * length and a corrupt block fails the bounds checks below instead.
 */
export function decodeLz4Frame(input: Uint8Array): Uint8Array {
  const out = new GrowableBytes(input.length * 3);
  let i = 0;
  while (i < input.length) {
    const magic = readU32(input, i);
    i += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      i += 4 + readU32(input, i);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Error('LZ4 frame has a bad magic number');
    const flags = byteAt(input, i++);
    const descriptor = byteAt(input, i++);
    if (flags >> 6 !== 1) throw new Error('LZ4 frame has an unsupported version');
    const blockChecksums = (flags & 0x10) !== 0;
    const hasContentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const hasDictId = (flags & 0x01) !== 0;
    const blockMax = BLOCK_MAX_SIZES[(descriptor >> 4) & 7];
    if (blockMax === undefined) throw new Error('LZ4 frame has an invalid block size');
    if (hasContentSize) {
      const size = readU32(input, i) + readU32(input, i + 4) * 4294967296;
      out.reserve(size);
      i += 8;
    }
    if (hasDictId) throw new Error('LZ4 frames with a dictionary are not supported');
    i += 1; // The header checksum.
    for (;;) {
      const word = readU32(input, i);
      i += 4;
      if (word === 0) break;
      const length = word & 0x7fffffff;
      if (length > blockMax || i + length > input.length) throw new Error('LZ4 block runs past the end of its data');
      if (word & 0x80000000) out.append(input, i, length);
      else decodeLz4Block(input, i, i + length, out);
      i += length;
      if (blockChecksums) i += 4;
    }
    if (contentChecksum) i += 4;
  }
  return out.result();
}

/**
 * Decodes one LZ4 block (a run of literal/match sequences) from input[start, end) onto `out`.
 * Matches may reach back into earlier blocks of the same frame, which is why all blocks share one
 * output buffer.
 */
function decodeLz4Block(input: Uint8Array, start: number, end: number, out: GrowableBytes): void {
  let i = start;
  while (i < end) {
    const token = input[i++];
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        b = byteAt(input, i++);
        literals += b;
      } while (b === 255);
    }
    if (i + literals > end) throw new Error('LZ4 literals run past the end of the block');
    out.append(input, i, literals);
    i += literals;
    if (i >= end) break; // The last sequence of a block is literals only.
    const offset = byteAt(input, i) | (byteAt(input, i + 1) << 8);
    i += 2;
    let matchLength = token & 15;
    if (matchLength === 15) {
      let b: number;
      do {
        b = byteAt(input, i++);
        matchLength += b;
      } while (b === 255);
    }
    out.copyWithin(offset, matchLength + 4);
  }
}

function byteAt(bytes: Uint8Array, i: number): number {
  if (i >= bytes.length) throw new Error('LZ4 data ends unexpectedly');
  return bytes[i];
}

function readU32(bytes: Uint8Array, i: number): number {
  if (i + 4 > bytes.length) throw new Error('LZ4 data ends unexpectedly');
  return (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
}

/** An output byte buffer that doubles when full, so decoding needs no size up front. */
class GrowableBytes {
  private bytes: Uint8Array;
  private length = 0;

  constructor(initialCapacity: number) {
    this.bytes = new Uint8Array(Math.max(64, initialCapacity));
  }

  reserve(total: number): void {
    if (total <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(total, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  append(source: Uint8Array, start: number, count: number): void {
    this.reserve(this.length + count);
    this.bytes.set(source.subarray(start, start + count), this.length);
    this.length += count;
  }

  /** Appends `count` bytes copied from `offset` bytes back; the ranges may overlap (RLE). */
  copyWithin(offset: number, count: number): void {
    if (offset === 0 || offset > this.length) throw new Error('LZ4 match offset is out of range');
    this.reserve(this.length + count);
    const bytes = this.bytes;
    let from = this.length - offset;
    let to = this.length;
    const stop = to + count;
    if (offset >= count) {
      bytes.copyWithin(to, from, from + count);
    } else {
      while (to < stop) bytes[to++] = bytes[from++];
    }
    this.length = stop;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
