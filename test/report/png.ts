/**
 * A minimal PNG reader for the report tests: the header fields and, for 8-bit RGBA images (what
 * resvg writes), the unfiltered pixels.
 */
import { inflateSync } from 'node:zlib';

/** The 8-byte signature that starts every PNG file. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** A decoded 8-bit RGBA image. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** Row-major RGBA bytes, 4 per pixel. */
  readonly pixels: Uint8Array;
}

/** Decodes an 8-bit RGBA PNG; throws for other colour types or bit depths. */
export function decodePng(png: Uint8Array): RgbaImage {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = PNG_SIGNATURE.length;
  let width = 0;
  let height = 0;
  const data: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const [bitDepth, colorType] = [body[8], body[9]];
      if (bitDepth !== 8 || colorType !== 6) throw new Error(`decodePng: only 8-bit RGBA is supported, got depth ${bitDepth}, colour type ${colorType}`);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }

  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= 4 ? pixels[y * stride + x - 4] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4] : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      pixels[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Counts the pixels whose red, green and blue are all below `threshold` (dark ink on white). */
export function countDarkPixels(image: RgbaImage, threshold = 128): number {
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (image.pixels[i] < threshold && image.pixels[i + 1] < threshold && image.pixels[i + 2] < threshold) count++;
  }
  return count;
}

/**
 * Counts the pixels within `tolerance` (per channel) of `color` drawn at `opacity` over white,
 * the colour of a translucent area mark where nothing else overlaps it.
 */
export function countTintPixels(image: RgbaImage, color: readonly [number, number, number], opacity: number, tolerance = 3): number {
  const tint = color.map((c) => Math.round(255 + opacity * (c - 255)));
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (tint.every((c, j) => Math.abs(image.pixels[i + j] - c) <= tolerance)) count++;
  }
  return count;
}
