// Draws the two Teams app icons into appPackage/ with Node built-ins only.
// Sizes and colours follow "Icons for your app package" (learn.microsoft.com):
// color.png is 192x192 full colour, outline.png is 32x32 white on transparent.
// Usage: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'appPackage');

// Keep in step with accentColor in appPackage/manifest.json.
const ACCENT = [0x1f, 0x5f, 0x8b];
const WHITE = [0xff, 0xff, 0xff];

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes 8-bit RGBA pixels (row-major, 4 bytes each) as a PNG, filter 0 on every row. */
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Fraction (0..1) of the pixel covered by a round-capped polyline, by 4x4 supersampling. */
function coverage(x, y, points, halfWidth) {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      for (let i = 1; i < points.length; i++) {
        if (distToSegment(px, py, points[i - 1], points[i]) <= halfWidth) {
          hits++;
          break;
        }
      }
    }
  }
  return hits / 16;
}

/** A tick scaled to the icon; points are in a 32-unit design grid. */
function tick(size) {
  const s = size / 32;
  return [[7.5 * s, 16.5 * s], [13 * s, 22 * s], [24.5 * s, 10 * s]];
}

function drawColor(size) {
  const px = Buffer.alloc(size * size * 4);
  // The symbol sits well inside the frame: Teams crops and rounds the colour icon.
  const centre = size / 2;
  const pts = tick(size * 0.72).map(([x, y]) => [x + centre - size * 0.36, y + centre - size * 0.36]);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = coverage(x, y, pts, size * 0.055);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(ACCENT[c] * (1 - a) + WHITE[c] * a);
      px[i + 3] = 0xff;
    }
  }
  return encodePng(size, size, px);
}

function drawOutline(size) {
  const px = Buffer.alloc(size * size * 4);
  const pts = tick(size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      px[i] = px[i + 1] = px[i + 2] = 0xff; // white everywhere; only alpha varies
      px[i + 3] = Math.round(coverage(x, y, pts, 1.9) * 255);
    }
  }
  return encodePng(size, size, px);
}

writeFileSync(join(outDir, 'color.png'), drawColor(192));
writeFileSync(join(outDir, 'outline.png'), drawOutline(32));
console.log(`icons written to ${outDir}`);
