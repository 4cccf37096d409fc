import { fmt, svgDocument, svgText } from './svg.js';
import { formatTick, niceTicks } from './ticks.js';

export type Rgb = [number, number, number];

export interface ColourBarOptions {
  /** The colour map, lowest value first (usually 256 entries); each channel an integer 0..255. */
  colours: Rgb[];
  min: number;
  max: number;
  /** Height of the whole SVG (the bar leaves room for the end tick labels). */
  height: number;
  /** @defaultValue 90 */
  width?: number;
  /** Written vertically to the right of the tick labels. */
  label?: string;
  /** @defaultValue 16 */
  barWidth?: number;
}

const TICK_SIZE = 11;

function hexColour([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** FNV-1a of the colours: the gradient id, equal for equal maps so that two bars in one document never clash. */
function gradientId(hexes: string[]): string {
  let h = 0x811c9dc5;
  for (const ch of hexes.join('')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return `colour-bar-${(h >>> 0).toString(16)}`;
}

/** A vertical colour bar (min at the bottom) with nice tick labels, as an SVG document. */
export function colourBar(opts: ColourBarOptions): string {
  const { colours, min, max, height, width = 90, label, barWidth = 16 } = opts;
  if (colours.length < 2)
    throw new RangeError(`colourBar: colours needs at least 2 entries, got ${colours.length}`);
  colours.forEach((c, i) => {
    if (c.length !== 3 || c.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
      throw new RangeError(`colourBar: colours[${i}] must be 3 integers in 0..255, got [${c}]`);
    }
  });
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new RangeError(`colourBar: need finite min < max, got min=${min}, max=${max}`);
  }
  const top = TICK_SIZE;
  const barH = height - 2 * TICK_SIZE;
  if (barH < 10) throw new RangeError(`colourBar: height ${height} is too small`);
  const x0 = 2;
  const hexes = colours.map(hexColour);
  const id = gradientId(hexes);
  const stops = hexes
    .map((hex, i) => `<stop offset="${fmt(i / (hexes.length - 1))}" stop-color="${hex}"/>`)
    .join('');
  const out = [
    `<defs><linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>`,
    `<rect x="${x0}" y="${fmt(top)}" width="${fmt(barWidth)}" height="${fmt(barH)}" fill="url(#${id})" stroke="#333" stroke-width="1"/>`,
  ];
  const ticks = niceTicks(min, max, { extend: false });
  for (const v of ticks.values) {
    const ty = top + barH - ((v - min) / (max - min)) * barH;
    out.push(`<path d="M${fmt(x0 + barWidth)} ${fmt(ty)}h4" stroke="#333" stroke-width="1"/>`);
    out.push(
      svgText({
        x: x0 + barWidth + 7,
        y: ty + TICK_SIZE * 0.35,
        text: formatTick(v, ticks.decimals),
        size: TICK_SIZE,
      }),
    );
  }
  if (label) {
    out.push(
      svgText({
        x: width - 4,
        y: top + barH / 2,
        text: label,
        size: TICK_SIZE + 1,
        anchor: 'middle',
        rotate: -90,
      }),
    );
  }
  return svgDocument({ width, height, background: 'none' }, out);
}
