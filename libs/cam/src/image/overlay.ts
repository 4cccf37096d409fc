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
  checkUnitValues('heat', heat);
  checkUnitValues('grey', grey);
  const lut = colormapBytes(colormap);
  const heatPart = Float32Array.from(lut, (c) => alpha * c + 0.5); // + 0.5: the byte store truncates
  const data = new Uint8Array(width * height * 3);
  const greyWeight = (1 - alpha) * 255;
  for (let i = 0, o = 0; i < heat.length; i++, o += 3) {
    const k = lutOffset(heat[i]);
    const g = grey[i] * greyWeight;
    data[o] = heatPart[k] + g;
    data[o + 1] = heatPart[k + 1] + g;
    data[o + 2] = heatPart[k + 2] + g;
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
