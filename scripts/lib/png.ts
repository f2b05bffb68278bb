/**
 * Just enough PNG reading to check Teams app icons: the header (size, bit depth, colour type) and, for
 * 8-bit RGBA images, the pixels. PNG layout per the W3C PNG specification (signature, IHDR first,
 * IDAT chunks holding one zlib stream, per-row filters 0-4).
 */
import { inflateSync } from 'node:zlib';

export interface PngImage {
  width: number;
  height: number;
  bitDepth: number;
  /** 6 is truecolour with alpha (RGBA). */
  colourType: number;
  /** The concatenated IDAT data: one zlib stream. */
  idat: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Parses the chunk layout; throws, naming `label`, when the bytes are not a PNG. */
export function readPng(buf: Buffer, label = 'image'): PngImage {
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error(`${label} is not a PNG file`);
  if (buf.toString('ascii', 12, 16) !== 'IHDR') throw new Error(`${label}: the first PNG chunk is not IHDR`);
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(at);
    if (buf.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colourType: buf[25], idat: Buffer.concat(idat) };
}

/** Undoes the per-row filters of an 8-bit RGBA image: 4 bytes per pixel, row after row. */
export function rgbaPixels(png: PngImage): Buffer {
  if (png.bitDepth !== 8 || png.colourType !== 6) throw new Error('only 8-bit RGBA PNGs are decoded');
  const bpp = 4;
  const stride = png.width * bpp;
  const data = inflateSync(png.idat);
  const out = Buffer.alloc(stride * png.height);
  for (let y = 0; y < png.height; y++) {
    const filter = data[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const cur = data[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter];
      out[y * stride + x] = (cur + pred) & 0xff;
    }
  }
  return out;
}

/**
 * What is wrong with a Teams app icon, or [] if nothing. Teams asks for a 192x192 full-colour icon and a
 * 32x32 outline icon that is white on a transparent background ("Icons for your app package",
 * learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package).
 */
export function iconProblems(kind: 'color' | 'outline', file: string, buf: Buffer): string[] {
  let png: PngImage;
  try {
    png = readPng(buf, file);
  } catch (e) {
    return [(e as Error).message];
  }
  const want = kind === 'color' ? 192 : 32;
  const problems: string[] = [];
  if (png.width !== want || png.height !== want) problems.push(`${file} is ${png.width}x${png.height}; Teams needs ${want}x${want}`);
  if (kind === 'outline') {
    if (png.bitDepth !== 8 || png.colourType !== 6) return [...problems, `${file} must be an 8-bit RGBA PNG (white on transparent)`];
    const px = rgbaPixels(png);
    let drawn = 0;
    let coloured = 0;
    let transparent = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 0) transparent++;
      else if (px[i] === 255 && px[i + 1] === 255 && px[i + 2] === 255) drawn++;
      else coloured++;
    }
    if (coloured) problems.push(`${file} has ${coloured} pixels that are neither white nor fully transparent`);
    if (!drawn) problems.push(`${file} draws nothing: it needs white pixels`);
    if (!transparent) problems.push(`${file} has no transparent background`);
  }
  return problems;
}
