#!/usr/bin/env node
/**
 * Draws media/icon.png (128×128 RGBA): a shield holding a rising bar chart with a check mark — the
 * extension's Marketplace icon. Deterministic; run it again after changing the drawing.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const S = 4; // samples per axis, for smooth edges
const px = new Float64Array(N * N * 4);

/** The shield: flat top with rounded corners, straight sides, a pointed bottom. */
function inShield(x, y) {
  if (y < 10 || y > 120 || x < 16 || x > 112) return false;
  const r = 12;
  if (y < 10 + r) {
    const cx = x < 16 + r ? 16 + r : x > 112 - r ? 112 - r : x;
    if ((x - cx) ** 2 + (y - (10 + r)) ** 2 > r * r) return false;
  }
  if (y > 68) {
    // Sides curve in to the point at (64, 120).
    const t = (y - 68) / 52;
    const half = 48 * Math.sqrt(Math.max(0, 1 - t * t));
    if (Math.abs(x - 64) > half) return false;
  }
  return true;
}
const inBorder = (x, y) => inShield(x, y) && !inShieldInset(x, y);
function inShieldInset(x, y) {
  const k = 6;
  return inShield(64 + (x - 64) * (1 + k / 48), 10 + (y - 10) * (1 + k / 110) - 1);
}
function inBars(x, y) {
  const bars = [[34, 50, 76], [54, 40, 76], [74, 30, 76]];
  return bars.some(([x0, top, bottom]) => x >= x0 && x < x0 + 14 && y >= top && y <= bottom);
}
/** The check mark: two thick strokes. */
function inCheck(x, y) {
  const seg = (ax, ay, bx, by, w) => {
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= w * w;
  };
  return seg(40, 90, 56, 104, 6) || seg(56, 104, 90, 72, 6);
}

const NAVY = [22, 38, 74], TEAL = [38, 166, 154], WHITE = [245, 248, 250], GOLD = [255, 193, 7];
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < S; sy++) {
      for (let sx = 0; sx < S; sx++) {
        const fx = x + (sx + 0.5) / S, fy = y + (sy + 0.5) / S;
        let c;
        if (inCheck(fx, fy)) c = GOLD;
        else if (inBars(fx, fy)) c = WHITE;
        else if (inBorder(fx, fy)) c = TEAL;
        else if (inShield(fx, fy)) c = NAVY;
        if (c) {
          acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255;
        }
      }
    }
    const n = S * S, a = acc[3] / n;
    const i = (y * N + x) * 4;
    px[i] = a ? acc[0] / (acc[3] / 255) : 0;
    px[i + 1] = a ? acc[1] / (acc[3] / 255) : 0;
    px[i + 2] = a ? acc[2] / (acc[3] / 255) : 0;
    px[i + 3] = a;
  }
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N * 4; x++) raw[y * (N * 4 + 1) + 1 + x] = Math.round(px[y * N * 4 + x]);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
console.log(`media/icon.png: ${N}×${N}, ${png.length} bytes`);
