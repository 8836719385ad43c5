import { strict as assert } from 'node:assert';
import * as zlib from 'node:zlib';
import { compressors as packageCodecs } from 'hyparquet-compressors';
import { snappyCompress } from 'hysnappy';
import { compressors } from '../../engine/data/parquetCodecs';

describe('parquetCodecs', () => {
  const text = new TextEncoder().encode('feature values, feature values, 0.125 0.25 0.5 — '.repeat(400));

  it('decodes every codec hyparquet-compressors decodes (a codec it adds is not silently missing)', () => {
    assert.deepEqual(Object.keys(compressors).sort(), Object.keys(packageCodecs).sort());
  });

  it('decodes Snappy, gzip and Brotli pages to the original bytes', () => {
    const pages: [keyof typeof compressors, Uint8Array][] = [
      ['SNAPPY', snappyCompress(text)],
      ['GZIP', zlib.gzipSync(text)],
      ['BROTLI', zlib.brotliCompressSync(text)],
    ];
    for (const [codec, page] of pages) {
      assert.ok(page.length < text.length / 4, `${codec} compressed`);
      assert.deepEqual(Buffer.from(compressors[codec]!(page, text.length)), Buffer.from(text), codec);
    }
  });
});
