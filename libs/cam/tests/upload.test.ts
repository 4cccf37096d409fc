import { describe, expect, it } from 'vitest';
import {
  MAX_SIZE,
  UploadedImageError,
  encodePng,
  greyDigitFromPng,
  pngSize,
  uploadedImageSizeProblem,
} from '../src/index.js';

function squarePng(side: number, value: (x: number, y: number) => number): Buffer {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) data.fill(value(x, y), (y * side + x) * 3, (y * side + x) * 3 + 3);
  return encodePng({ width: side, height: side, data });
}

/** A real PNG whose IHDR then claims another size (the CRC no longer matches: only the header is read). */
function withHeaderSize(png: Buffer, width: number, height: number): Buffer {
  const bytes = Buffer.from(png);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

describe('greyDigitFromPng', () => {
  it('keeps a 28x28 grey image as it is', () => {
    const grey = greyDigitFromPng(
      squarePng(28, (x, y) => (x + y) * 4),
      28,
      28,
    );
    expect(grey.length).toBe(784);
    expect(grey[0]).toBe(0);
    expect(grey[27 * 28 + 27]).toBe(216);
  });

  it('resizes a larger image down to 28x28', () => {
    // Left half white, right half black at 112x112.
    const grey = greyDigitFromPng(
      squarePng(112, (x) => (x < 56 ? 255 : 0)),
      28,
      28,
    );
    expect(grey[14 * 28 + 2]).toBe(255);
    expect(grey[14 * 28 + 25]).toBe(0);
  });

  it('refuses bytes that are not a PNG, and a corrupt PNG', () => {
    expect(() => greyDigitFromPng(Buffer.from('not a png at all, not at all'), 28, 28)).toThrow(
      UploadedImageError,
    );
    const truncated = squarePng(28, () => 9).subarray(0, 40);
    expect(() => greyDigitFromPng(truncated, 28, 28)).toThrow(/is not a decodable PNG/);
  });

  it.each([
    [0, 28],
    [28, 0],
    [MAX_SIZE + 1, 28],
    [1000, 1000],
    [100_000, 100_000],
  ])('refuses a %ix%i PNG from its header, before decoding', (width, height) => {
    const png = withHeaderSize(
      squarePng(28, () => 9),
      width,
      height,
    );
    expect(pngSize(png)).toEqual({ width, height });
    expect(uploadedImageSizeProblem(width, height)).toMatch(/must be an integer from 1 to 896/);
    expect(() => greyDigitFromPng(png, 28, 28)).toThrow(`is ${width}x${height}: input`);
  });
});

describe('pngSize', () => {
  it('reads the header only, and says null for what is not a PNG', () => {
    expect(pngSize(squarePng(30, () => 0))).toEqual({ width: 30, height: 30 });
    expect(pngSize(Buffer.from('GIF89a................................'))).toBeNull();
    expect(pngSize(squarePng(30, () => 0).subarray(0, 20))).toBeNull();
  });
});
