import { PNG } from 'pngjs';

export interface Raster {
  width: number;
  height: number;
  /** RGBA at (x, y). */
  at(x: number, y: number): [number, number, number, number];
  /** Pixels inside [x0, x1) x [y0, y1) for which `test` holds. */
  count(
    test: (rgba: [number, number, number, number]) => boolean,
    region?: { x0: number; y0: number; x1: number; y1: number },
  ): number;
}

export function decode(png: Buffer): Raster {
  const { width, height, data } = PNG.sync.read(png);
  const at = (x: number, y: number): [number, number, number, number] => {
    const i = 4 * (y * width + x);
    return [data[i], data[i + 1], data[i + 2], data[i + 3]];
  };
  return {
    width,
    height,
    at,
    count(test, region = { x0: 0, y0: 0, x1: width, y1: height }) {
      let n = 0;
      for (let y = region.y0; y < region.y1; y++)
        for (let x = region.x0; x < region.x1; x++) if (test(at(x, y))) n++;
      return n;
    },
  };
}

/** Opaque and dark: drawn text or axis ink on a white background. */
export const isDark = ([r, g, b, a]: number[]) => a > 200 && r < 100 && g < 100 && b < 100;

export const near =
  (rgb: number[], tolerance = 6) =>
  (p: number[]) =>
    p[3] > 250 && rgb.every((c, k) => Math.abs(c - p[k]) <= tolerance);

export function hexRgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
