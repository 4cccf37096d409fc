import { type Box, type ImageSet, imageAt } from './image-set.js';
import { checkSeed, mulberry32, randomInt } from './prng.js';

export interface TranslateOptions {
  /**
   * Side of the square blank canvas each image is pasted on; at least the images' rows and cols.
   * @defaultValue 64
   */
  canvas?: number;
  /** Fixes every image's position. */
  seed: number;
}

export interface TranslatedSet {
  /** The canvases, same labels and order as the source. */
  set: ImageSet;
  /**
   * Each image's true box on its canvas: the tight box of its nonzero pixels, x1/y1 exclusive. A blank
   * source image gets an empty box (x0 = x1, y0 = y1) at its paste position.
   */
  boxes: Box[];
}

/** Tight box of the nonzero pixels of one rows x cols image, or undefined when it has none. */
function nonzeroBox(pixels: Uint8Array, rows: number, cols: number): Box | undefined {
  let x0 = cols;
  let y0 = rows;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (pixels[y * cols + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 === 0 ? undefined : { x0, y0, x1, y1 };
}

/**
 * Pastes every image at a seeded random position on a larger blank canvas (the "translated MNIST" used
 * to check weakly supervised localization) and returns the digits' true boxes.
 */
export function translatedSet(source: ImageSet, opts: TranslateOptions): TranslatedSet {
  const canvas = opts.canvas ?? 64;
  checkSeed(opts.seed);
  if (!Number.isInteger(canvas) || canvas < source.rows || canvas < source.cols) {
    throw new RangeError(
      `canvas must be an integer of at least ${Math.max(source.rows, source.cols)}, got ${canvas}`,
    );
  }
  const { rows, cols, count } = source;
  const images = new Uint8Array(count * canvas * canvas);
  const boxes: Box[] = [];
  const rng = mulberry32(opts.seed);
  for (let i = 0; i < count; i++) {
    const left = randomInt(rng, canvas - cols + 1);
    const top = randomInt(rng, canvas - rows + 1);
    const pixels = imageAt(source, i);
    const base = i * canvas * canvas;
    for (let y = 0; y < rows; y++) {
      images.set(pixels.subarray(y * cols, (y + 1) * cols), base + (top + y) * canvas + left);
    }
    const box = nonzeroBox(pixels, rows, cols) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };
    boxes.push({ x0: box.x0 + left, y0: box.y0 + top, x1: box.x1 + left, y1: box.y1 + top });
  }
  return { set: { images, labels: source.labels.slice(), count, rows: canvas, cols: canvas }, boxes };
}
