import { type ColormapName, LUT_SIZE, colormapBytes } from './colormaps.js';

/** An RGB image: `data` holds width * height * 3 bytes, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Byte offset in a colour table of a value in [0, 1] (matplotlib's lookup: x * N truncated, 1 -> N - 1). */
function lutOffset(value: number): number {
  const i = (value * LUT_SIZE) | 0;
  return (i < LUT_SIZE ? i : LUT_SIZE - 1) * 3;
}

function checkUnitValues(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name}[${i}] must be in [0, 1], got ${v}`);
  }
}

function checkSameSize(
  heat: ArrayLike<number>,
  grey: ArrayLike<number>,
  width: number,
  height: number,
): void {
  if (heat.length !== width * height || grey.length !== width * height) {
    throw new RangeError(
      `overlay expects ${width}x${height} = ${width * height} values, got heat ${heat.length}, grey ${grey.length}`,
    );
  }
}

/**
 * The heat map alone: each value in [0, 1] (a normalised map) coloured by the colour map.
 * Throws a RangeError naming the first value outside [0, 1].
 */
export function heatmapImage(
  heat: ArrayLike<number>,
  width: number,
  height: number,
  colormap: ColormapName,
): RgbImage {
  checkUnitValues('heat', heat);
  if (heat.length !== width * height)
    throw new RangeError(`heat has ${heat.length} values, expected ${width}x${height}`);
  const lut = colormapBytes(colormap);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < heat.length; i++, o += 3) {
    const k = lutOffset(heat[i]);
    data[o] = lut[k];
    data[o + 1] = lut[k + 1];
    data[o + 2] = lut[k + 2];
  }
  return { width, height, data };
}

/** alpha * colour + 0.5 per byte of a colour table (+ 0.5: the byte store truncates), kept for the last few (colormap, alpha). */
const heatParts = new Map<string, Float32Array>();
function heatPart(colormap: ColormapName, alpha: number): Float32Array {
  const key = `${colormap}/${alpha}`;
  let part = heatParts.get(key);
  if (part === undefined) {
    if (heatParts.size >= 16) heatParts.clear();
    part = Float32Array.from(colormapBytes(colormap), (c) => alpha * c + 0.5);
    heatParts.set(key, part);
  }
  return part;
}

/**
 * The grey image with the heat map on top: pixel = alpha * colour(heat) + (1 - alpha) * grey, as the seed
 * (matplotlib `imshow(cam, alpha=0.8)` over the digit) and pytorch-grad-cam's `show_cam_on_image` blend.
 * `heat` and `grey` are width * height values in [0, 1]; `alpha` in [0, 1] (seed: 0.8).
 */
export function overlayImage(
  heat: ArrayLike<number>,
  grey: ArrayLike<number>,
  width: number,
  height: number,
  colormap: ColormapName,
  alpha: number,
): RgbImage {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  checkSameSize(heat, grey, width, height);
  const colour = heatPart(colormap, alpha);
  const data = new Uint8Array(width * height * 3);
  const greyWeight = (1 - alpha) * 255;
  for (let i = 0, o = 0; i < heat.length; i++, o += 3) {
    const h = heat[i];
    const g = grey[i];
    // Checked here rather than in a pass of their own: this loop is most of the overlay's cost.
    if (!(h >= 0 && h <= 1)) checkUnitValues('heat', heat);
    if (!(g >= 0 && g <= 1)) checkUnitValues('grey', grey);
    const k = lutOffset(h);
    const gw = g * greyWeight;
    data[o] = colour[k] + gw;
    data[o + 1] = colour[k + 1] + gw;
    data[o + 2] = colour[k + 2] + gw;
  }
  return { width, height, data };
}

/** A grey image (values in [0, 1]) as RGB. */
export function greyImage(grey: ArrayLike<number>, width: number, height: number): RgbImage {
  checkUnitValues('grey', grey);
  if (grey.length !== width * height)
    throw new RangeError(`grey has ${grey.length} values, expected ${width}x${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < grey.length; i++, o += 3) {
    const g = grey[i] * 255 + 0.5;
    data[o] = g;
    data[o + 1] = g;
    data[o + 2] = g;
  }
  return { width, height, data };
}
