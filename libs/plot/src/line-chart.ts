import { embedSvg, escapeXml, fmt, svgDocument, svgSize, svgText, textWidth } from './svg.js';
import { formatTick, niceTicks, type Ticks } from './ticks.js';

/** Distinct line colours (the category10 palette), used in order unless a series names its own. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface Series {
  name: string;
  /** [x, y] pairs; points with a non-finite coordinate are left out and break the line there. */
  points: [number, number][];
  /** @defaultValue false */
  dashed?: boolean;
  /** Any CSS colour. @defaultValue PALETTE[index of the series, modulo its length] */
  colour?: string;
}

export interface LineChartOptions {
  title?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** @defaultValue 640 */
  width?: number;
  /** @defaultValue 400 */
  height?: number;
  /** Fixed y axis (e.g. [0, 1] for accuracy). @defaultValue the data's range widened to nice ticks */
  yRange?: [number, number];
  /** Fixed x axis. @defaultValue the data's range */
  xRange?: [number, number];
  /** Ticks on whole x values only (epochs). @defaultValue false */
  integerX?: boolean;
}

const TICK_SIZE = 11;
const LABEL_SIZE = 13;
const TITLE_SIZE = 15;
const LEGEND_ROW = 20;
const LEGEND_SAMPLE = 26;
/** Series with at most this many points get a dot on each point (so one-epoch runs still show). */
const MAX_MARKED_POINTS = 60;

interface Axis {
  ticks: Ticks;
  lo: number;
  hi: number;
}

/**
 * A fixed range is kept as given; otherwise the data range is used exactly (`exact`, the x axis: no empty
 * margin after the last epoch) or given a margin and widened to the enclosing nice ticks (the y axis).
 */
function axis(
  values: number[],
  fixed: [number, number] | undefined,
  integer: boolean,
  exact: boolean,
  name: string,
): Axis {
  if (fixed) {
    const [lo, hi] = fixed;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
      throw new RangeError(`${name} must be [min, max] with min < max, got [${fixed}]`);
    return { ticks: niceTicks(lo, hi, { integer, extend: false }), lo, hi };
  }
  const finite = values.filter(Number.isFinite);
  const [min, max] = finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
  if (exact && min < max) return { ticks: niceTicks(min, max, { integer, extend: false }), lo: min, hi: max };
  // A 5% margin keeps extreme points off the frame; non-negative data (loss) keeps a floor of 0.
  const margin = (max - min) * 0.05;
  const ticks = niceTicks(min >= 0 ? Math.max(0, min - margin) : min - margin, max + margin, { integer });
  return { ticks, lo: ticks.values[0], hi: ticks.values[ticks.values.length - 1] };
}

/** SVG path data for the finite runs of `points`, in plot-area pixels. */
function pathData(points: [number, number][], px: (x: number) => number, py: (y: number) => number): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${fmt(px(x))} ${fmt(py(y))}`;
    pen = true;
  }
  return d;
}

function strokeStyle(colour: string, dashed: boolean | undefined): string {
  return `stroke="${escapeXml(colour)}" stroke-width="2" fill="none" stroke-linejoin="round"${dashed ? ' stroke-dasharray="7 4"' : ''}`;
}

/**
 * A line chart as an SVG document: framed plot area with nice ticks and gridlines, axis labels, an
 * optional title, and a legend to the right of the plot (never over the data).
 */
export function lineChart(opts: LineChartOptions): string {
  const { title, xLabel, yLabel, series, width = 640, height = 400, integerX = false } = opts;
  if (series.length === 0) throw new RangeError('lineChart: series must not be empty');
  const colours = series.map((s, i) => s.colour ?? PALETTE[i % PALETTE.length]);
  const x = axis(
    series.flatMap((s) => s.points.map((p) => p[0])),
    opts.xRange,
    integerX,
    true,
    'xRange',
  );
  const y = axis(
    series.flatMap((s) => s.points.map((p) => p[1])),
    opts.yRange,
    false,
    false,
    'yRange',
  );
  const yTickLabels = y.ticks.values.map((v) => formatTick(v, y.ticks.decimals));

  const legendWidth = LEGEND_SAMPLE + 8 + Math.max(...series.map((s) => textWidth(s.name, TICK_SIZE)));
  const left = 8 + LABEL_SIZE + 10 + Math.max(...yTickLabels.map((t) => textWidth(t, TICK_SIZE))) + 8;
  const top = title ? 14 + TITLE_SIZE + 10 : 14;
  const right = 16 + legendWidth + 12;
  const bottom = 8 + TICK_SIZE + 10 + LABEL_SIZE + 10;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  if (plotW < 40 || plotH < 40)
    throw new RangeError(`lineChart: ${width}x${height} leaves no room for the plot area`);
  const px = (v: number) => ((v - x.lo) / (x.hi - x.lo)) * plotW;
  const py = (v: number) => plotH - ((v - y.lo) / (y.hi - y.lo)) * plotH;

  const out: string[] = [];
  if (title)
    out.push(
      svgText({
        x: left + plotW / 2,
        y: 14 + TITLE_SIZE,
        text: title,
        size: TITLE_SIZE,
        anchor: 'middle',
        weight: 'bold',
      }),
    );
  const grid: string[] = [];
  const tickMarks: string[] = [];
  x.ticks.values.forEach((v) => {
    const gx = left + px(v);
    grid.push(`M${fmt(gx)} ${fmt(top)}V${fmt(top + plotH)}`);
    tickMarks.push(`M${fmt(gx)} ${fmt(top + plotH)}v5`);
    out.push(
      svgText({
        x: gx,
        y: top + plotH + 8 + TICK_SIZE,
        text: formatTick(v, x.ticks.decimals),
        size: TICK_SIZE,
        anchor: 'middle',
      }),
    );
  });
  y.ticks.values.forEach((v, i) => {
    const gy = top + py(v);
    grid.push(`M${fmt(left)} ${fmt(gy)}H${fmt(left + plotW)}`);
    tickMarks.push(`M${fmt(left)} ${fmt(gy)}h-5`);
    out.push(
      svgText({
        x: left - 8,
        y: gy + TICK_SIZE * 0.35,
        text: yTickLabels[i],
        size: TICK_SIZE,
        anchor: 'end',
      }),
    );
  });
  out.unshift(`<path d="${grid.join('')}" stroke="#e3e3e3" stroke-width="1" fill="none"/>`);
  out.push(`<path d="${tickMarks.join('')}" stroke="#333" stroke-width="1"/>`);
  out.push(
    svgText({ x: left + plotW / 2, y: height - 10, text: xLabel, size: LABEL_SIZE, anchor: 'middle' }),
  );
  out.push(
    svgText({
      x: 8 + LABEL_SIZE,
      y: top + plotH / 2,
      text: yLabel,
      size: LABEL_SIZE,
      anchor: 'middle',
      rotate: -90,
    }),
  );

  // The nested <svg> clips lines to the plot area (plus a marker's radius, so edge dots stay whole)
  // when a fixed range cuts them.
  const lines = series.map((s, i) => {
    const dots =
      s.points.length <= MAX_MARKED_POINTS
        ? s.points
            .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
            .map(
              ([a, b]) =>
                `<circle cx="${fmt(px(a))}" cy="${fmt(py(b))}" r="3" fill="${escapeXml(colours[i])}"/>`,
            )
        : [];
    return [`<path d="${pathData(s.points, px, py)}" ${strokeStyle(colours[i], s.dashed)}/>`, ...dots].join(
      '',
    );
  });
  const pad = 4;
  out.push(
    `<svg x="${fmt(left - pad)}" y="${fmt(top - pad)}" width="${fmt(plotW + 2 * pad)}" height="${fmt(plotH + 2 * pad)}">` +
      `<g transform="translate(${pad} ${pad})">${lines.join('\n')}</g></svg>`,
  );
  out.push(
    `<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(plotW)}" height="${fmt(plotH)}" fill="none" stroke="#333" stroke-width="1"/>`,
  );

  const legendX = left + plotW + 16;
  series.forEach((s, i) => {
    const rowY = top + 10 + i * LEGEND_ROW;
    out.push(
      `<path d="M${fmt(legendX)} ${fmt(rowY)}h${LEGEND_SAMPLE}" ${strokeStyle(colours[i], s.dashed).replace('stroke-width="2"', 'stroke-width="3"')}/>`,
    );
    out.push(
      `<circle cx="${fmt(legendX + LEGEND_SAMPLE / 2)}" cy="${fmt(rowY)}" r="4" fill="${escapeXml(colours[i])}"/>`,
    );
    out.push(
      svgText({ x: legendX + LEGEND_SAMPLE + 8, y: rowY + TICK_SIZE * 0.35, text: s.name, size: TICK_SIZE }),
    );
  });
  return svgDocument({ width, height }, out);
}

export interface ChartGridOptions {
  /** SVG documents (lineChart, colourBar, or any svgDocument), placed left to right, top to bottom. */
  panels: string[];
  /** @defaultValue panels.length (one row) */
  columns?: number;
  title?: string;
}

/** Several SVG panels side by side (e.g. loss and accuracy curves) as one SVG document. */
export function chartGrid(opts: ChartGridOptions): string {
  const { panels, columns = panels.length, title } = opts;
  if (panels.length === 0) throw new RangeError('chartGrid: panels must not be empty');
  if (!Number.isInteger(columns) || columns < 1)
    throw new RangeError(`chartGrid: columns must be a positive integer, got ${columns}`);
  const sizes = panels.map(svgSize);
  const cellW = Math.max(...sizes.map((s) => s.width));
  const cellH = Math.max(...sizes.map((s) => s.height));
  const top = title ? TITLE_SIZE + 20 : 0;
  const rows = Math.ceil(panels.length / columns);
  const width = Math.min(columns, panels.length) * cellW;
  const body = panels.map((svg, i) =>
    embedSvg(svg, (i % columns) * cellW, top + Math.floor(i / columns) * cellH),
  );
  if (title)
    body.push(
      svgText({
        x: width / 2,
        y: TITLE_SIZE + 8,
        text: title,
        size: TITLE_SIZE + 1,
        anchor: 'middle',
        weight: 'bold',
      }),
    );
  return svgDocument({ width, height: top + rows * cellH }, body);
}
