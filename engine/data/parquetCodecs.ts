/**
 * The decompressors hyparquet is given, each loaded when a page first needs it. Snappy, what
 * nearly every Parquet writer uses by default, is `hysnappy` (WebAssembly, twice as fast as
 * hyparquet's JavaScript decoder on the benchmark's columns); the rarer codecs come from
 * `hyparquet-compressors`, whose module start-up (Brotli's dictionary, gzip's and zstd's tables)
 * every check paid before (~5–7 ms), although the files it reads are Snappy or uncompressed.
 */
import type { Compressors } from 'hyparquet';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

/** The codecs `hyparquet-compressors` decodes (its `compressors` table), Snappy apart. */
const OTHER_CODECS = ['GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW'] as const;

let snappy: Decompress | undefined;
let others: Compressors | undefined;

function snappyDecoder(): Decompress {
  return (snappy ??= (require('hysnappy') as typeof import('hysnappy')).snappyUncompressor());
}

function otherDecoder(codec: (typeof OTHER_CODECS)[number]): Decompress {
  others ??= (require('hyparquet-compressors') as typeof import('hyparquet-compressors')).compressors;
  const decode = others[codec];
  if (!decode) throw new Error(`no ${codec} decompressor`);
  return decode as Decompress;
}

export const compressors: Compressors = Object.freeze({
  SNAPPY: (input: Uint8Array, length: number) => snappyDecoder()(input, length),
  ...Object.fromEntries(OTHER_CODECS.map((codec) => [codec, (input: Uint8Array, length: number) => otherDecoder(codec)(input, length)])),
});
