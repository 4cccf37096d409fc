import { describe, expect, it } from 'vitest';
import {
  FontNotFoundError,
  PALETTE,
  chartGrid,
  colourBar,
  embedSvg,
  lineChart,
  svgDocument,
  svgImage,
  svgText,
  svgToPng,
} from '../src/index.js';
import { decode, hexRgb, isDark, near } from './png.js';
import { PNG } from 'pngjs';

const epochs = [1, 2, 3, 4, 5];
const curves = lineChart({
  title: 'Loss',
  xLabel: 'epoch',
  yLabel: 'loss',
  integerX: true,
  series: [
    { name: 'train', points: epochs.map((e) => [e, 1 / e]) },
    { name: 'validation', points: epochs.map((e) => [e, 1.2 / e]), dashed: true },
  ],
});

describe('svgToPng', () => {
  it('renders at the SVG size, or scaled to a width', () => {
    const png = decode(svgToPng(curves));
    expect([png.width, png.height]).toEqual([640, 400]);
    const half = decode(svgToPng(curves, { width: 320 }));
    expect([half.width, half.height]).toEqual([320, 200]);
  });

  it('really draws text, and nothing for empty text', () => {
    const caption = (text: string) =>
      decode(svgToPng(svgDocument({ width: 200, height: 30 }, svgText({ x: 10, y: 20, text, size: 14 }))));
    expect(caption('correct: 3  predicted: 3').count(isDark)).toBeGreaterThan(80);
    expect(caption('').count(isDark)).toBe(0);
  });

  it('escapes markup in text instead of breaking the document', () => {
    const png = decode(
      svgToPng(svgDocument({ width: 120, height: 30 }, svgText({ x: 5, y: 20, text: '<b> & "q"' }))),
    );
    expect(png.count(isDark)).toBeGreaterThan(20);
  });

  it('fails clearly when the font file is missing or the SVG is broken', () => {
    expect(() => svgToPng(curves, { fontFiles: ['/nonexistent/DejaVuSans.ttf'] })).toThrow(FontNotFoundError);
    expect(() => svgToPng(curves, { fontFiles: ['/nonexistent/DejaVuSans.ttf'] })).toThrow(
      /apt-get install fonts-dejavu-core/,
    );
    expect(() => svgToPng('<svg')).toThrow(/resvg cannot read the SVG/);
  });

  it('draws embedded PNG images (nearest neighbour when enlarged)', () => {
    const tile = new PNG({ width: 2, height: 1 });
    tile.data.set([255, 0, 0, 255, 0, 0, 255, 255]);
    const svg = svgDocument(
      { width: 40, height: 20 },
      svgImage({ x: 0, y: 0, width: 40, height: 20, png: PNG.sync.write(tile) }),
    );
    const png = decode(svgToPng(svg));
    expect(png.at(5, 10)).toEqual([255, 0, 0, 255]);
    expect(png.at(35, 10)).toEqual([0, 0, 255, 255]);
  });
});

describe('lineChart', () => {
  it('draws the legend colours, axes and tick labels', () => {
    const png = decode(svgToPng(curves));
    for (const colour of PALETTE.slice(0, 2)) expect(png.count(near(hexRgb(colour)))).toBeGreaterThan(40);
    expect(png.count(near(hexRgb(PALETTE[2])))).toBe(0);
    // tick labels under the x axis and left of the y axis
    expect(png.count(isDark, { x0: 0, y0: 340, x1: 640, y1: 400 })).toBeGreaterThan(100);
    expect(png.count(isDark, { x0: 0, y0: 40, x1: 50, y1: 340 })).toBeGreaterThan(100);
  });

  it('takes a fixed y range, single-point series and gaps', () => {
    const svg = lineChart({
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yRange: [0, 1],
      series: [
        { name: 'train', points: [[1, 0.93]] },
        {
          name: 'val',
          points: [
            [1, 0.5],
            [2, Number.NaN],
            [3, 0.7],
          ],
        },
      ],
    });
    expect(svg).toContain('>1.0</text>');
    expect(svg).not.toContain('NaN');
    expect(decode(svgToPng(svg)).count(near(hexRgb(PALETTE[0])))).toBeGreaterThan(20);
    expect(() => lineChart({ xLabel: 'x', yLabel: 'y', series: [] })).toThrow(/series must not be empty/);
    expect(() =>
      lineChart({ xLabel: 'x', yLabel: 'y', yRange: [1, 0], series: [{ name: 'a', points: [[0, 0]] }] }),
    ).toThrow(/yRange must be \[min, max\] with min < max/);
  });

  it('keeps extreme points off the frame with a margin, flooring non-negative data at 0', () => {
    const twoPoints = lineChart({
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          points: [
            [1, 0.41],
            [1, 0.35],
          ],
        },
      ],
    });
    expect(twoPoints).toContain('>0.34</text>');
    expect(twoPoints).toContain('>0.42</text>');
    const loss = lineChart({
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          points: [
            [1, 0.1],
            [2, 2.4],
          ],
        },
      ],
    });
    expect(loss).toContain('>0.0</text>');
    expect(loss).not.toContain('>-0.5</text>');
  });

  it('composes panels side by side with chartGrid', () => {
    const grid = chartGrid({ panels: [curves, curves], title: 'two panels' });
    const png = decode(svgToPng(grid));
    expect([png.width, png.height]).toEqual([1280, 435]);
    expect(png.count(isDark, { x0: 500, y0: 0, x1: 780, y1: 30 })).toBeGreaterThan(50); // the title
    expect(png.count(near(hexRgb(PALETTE[0])), { x0: 640, y0: 0, x1: 1280, y1: 435 })).toBeGreaterThan(40);
  });
});

describe('colourBar', () => {
  const ramp = Array.from({ length: 256 }, (_, i) => [i, 0, 255 - i] as [number, number, number]);

  it('runs from the first colour at the bottom to the last at the top, with tick labels', () => {
    const bar = colourBar({ colours: ramp, min: -250, max: 250, height: 200, label: 'CAM' });
    const png = decode(svgToPng(svgDocument({ width: 90, height: 200 }, embedSvg(bar, 0, 0))));
    expect(near([0, 0, 255], 8)(png.at(10, 187))).toBe(true);
    expect(near([255, 0, 0], 8)(png.at(10, 13))).toBe(true);
    expect(png.count(isDark, { x0: 22, y0: 0, x1: 60, y1: 200 })).toBeGreaterThan(100); // -200 ... 200
    expect(bar).toContain('>-200</text>');
    expect(bar).toContain('>200</text>');
  });

  it('validates its input', () => {
    expect(() => colourBar({ colours: ramp, min: 1, max: 1, height: 100 })).toThrow(/need finite min < max/);
    expect(() =>
      colourBar({
        colours: [
          [0, 0, 0],
          [300, 0, 0],
        ],
        min: 0,
        max: 1,
        height: 100,
      }),
    ).toThrow(/colours\[1\] must be 3 integers/);
  });
});
