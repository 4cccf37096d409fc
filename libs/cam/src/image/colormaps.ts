import { INFERNO_DATA, TURBO_DATA, VIRIDIS_DATA } from './colormap-data.js';

/** The colour maps a heat map can be drawn with (matplotlib's definitions). */
export const COLORMAPS = ['jet', 'turbo', 'viridis', 'inferno', 'gray'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

/** Entries in every lookup table, as matplotlib's default `N`. */
export const LUT_SIZE = 256;

/** Anchor points (x, y) of one channel of a piecewise linear colour map (matplotlib's segment data, y0 = y1). */
type Segments = readonly (readonly [number, number])[];

/** matplotlib's `_jet_data` (`matplotlib/_cm.py`): each channel piecewise linear between these anchors. */
const JET_SEGMENTS: readonly [Segments, Segments, Segments] = [
  [
    [0, 0],
    [0.35, 0],
    [0.66, 1],
    [0.89, 1],
    [1, 0.5],
  ],
  [
    [0, 0],
    [0.125, 0],
    [0.375, 1],
    [0.64, 1],
    [0.91, 0],
    [1, 0],
  ],
  [
    [0, 0.5],
    [0.11, 1],
    [0.34, 1],
    [0.65, 0],
    [1, 0],
  ],
];
const GRAY_SEGMENTS: readonly [Segments, Segments, Segments] = [
  [
    [0, 0],
    [1, 1],
  ],
  [
    [0, 0],
    [1, 1],
  ],
  [
    [0, 0],
    [1, 1],
  ],
];

/** Samples a channel at x = i / (N - 1), i = 0..N-1, as matplotlib's `_create_lookup_table` does. */
function sampleSegments(segments: Segments, out: Float64Array, channel: number): void {
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = i / (LUT_SIZE - 1);
    let s = 1;
    while (s < segments.length - 1 && segments[s][0] < x) s++;
    const [xa, ya] = segments[s - 1];
    const [xb, yb] = segments[s];
    out[i * 3 + channel] = ya + ((x - xa) / (xb - xa)) * (yb - ya);
  }
}

function segmentedTable(channels: readonly [Segments, Segments, Segments]): Float64Array {
  const table = new Float64Array(LUT_SIZE * 3);
  channels.forEach((segments, c) => sampleSegments(segments, table, c));
  return table;
}

/**
 * The colour map's 256 RGB entries in [0, 1], row-major: jet and gray sampled from their segment data,
 * turbo, viridis and inferno as their published tables.
 */
export function colormapTable(name: ColormapName): Float64Array {
  switch (name) {
    case 'jet':
      return segmentedTable(JET_SEGMENTS);
    case 'gray':
      return segmentedTable(GRAY_SEGMENTS);
    case 'turbo':
      return Float64Array.from(TURBO_DATA);
    case 'viridis':
      return Float64Array.from(VIRIDIS_DATA);
    case 'inferno':
      return Float64Array.from(INFERNO_DATA);
  }
}

const byteTables = new Map<ColormapName, Uint8Array>();

/** The table as bytes, like matplotlib's `cmap(x, bytes=True)` (value * 255, truncated). Cached, do not modify. */
export function colormapBytes(name: ColormapName): Uint8Array {
  let bytes = byteTables.get(name);
  if (!bytes) {
    const table = colormapTable(name);
    bytes = Uint8Array.from(table, (v) => Math.floor(v * 255));
    byteTables.set(name, bytes);
  }
  return bytes;
}

/** Whether `name` is one of {@link COLORMAPS}. */
export function isColormapName(name: string): name is ColormapName {
  return (COLORMAPS as readonly string[]).includes(name);
}

/** Table index of a value in [0, 1], as matplotlib's `Colormap.__call__` (x * N, truncated, 1 -> N - 1). */
export function lutIndex(value: number): number {
  const i = Math.floor(value * LUT_SIZE);
  return i < 0 ? 0 : i >= LUT_SIZE ? LUT_SIZE - 1 : i;
}

/** The RGB bytes of `value` in [0, 1] under the colour map; throws on values outside [0, 1] or NaN. */
export function colourOf(name: ColormapName, value: number): [number, number, number] {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`colour map value must be in [0, 1], got ${value}`);
  const bytes = colormapBytes(name);
  const i = lutIndex(value) * 3;
  return [bytes[i], bytes[i + 1], bytes[i + 2]];
}
