import {
  type Rgb,
  colourBar,
  embedSvg,
  svgDocument,
  svgImage,
  svgText,
  svgToPng,
  textWidth,
} from '@cam/plot';
import { colormapBytes } from './image/colormaps.js';
import { greyImage } from './image/overlay.js';
import { encodePng } from './image/png.js';
import type { CamBatch, CamInputItem } from './render.js';

const CAPTION_SIZE = 12;
const GAP = 10;
const BAR_WIDTH = 100;
const MIN_BAR_HEIGHT = 200;

/** "correct: 3  predicted: 3", plus the target class when it is not the predicted one. */
export function caption(item: { label?: number; predicted: number; target: number }): string[] {
  const first =
    item.label === undefined
      ? `predicted: ${item.predicted}`
      : `correct: ${item.label}  predicted: ${item.predicted}`;
  return item.target === item.predicted ? [first] : [first, `target: ${item.target}`];
}

/** What the shared colour bar spans: the fixed range, or the normalised 0..1 of per-image scaling (min-max or percentiles). */
function barRange(batch: CamBatch): { min: number; max: number; label: string } {
  const n = batch.options.normalisation;
  if (n.mode === 'fixed') return { min: n.range[0], max: n.range[1], label: `${batch.options.method} value` };
  const scope = n.mode === 'minmax' ? 'min-max' : `p${n.percentiles[0]}-p${n.percentiles[1]}`;
  return { min: 0, max: 1, label: `${batch.options.method}, ${scope}` };
}

/**
 * The seed's figure as a grid: each cell the overlay above the plain digit, with its caption below,
 * and one colour bar for the grid, drawn as SVG and rasterised by resvg (DejaVu Sans).
 */
export function montagePng(batch: CamBatch, inputs: CamInputItem[], rows: number, cols: number): Buffer {
  const { size, columns, colormap } = batch.options;
  const byIndex = new Map(inputs.map((item) => [item.index, item]));
  const lines = batch.items.map(caption);
  const cellW = Math.max(size, ...lines.flat().map((l) => Math.ceil(textWidth(l, CAPTION_SIZE)) + 4));
  const captionH = Math.max(...lines.map((l) => l.length)) * (CAPTION_SIZE + 4) + 4;
  const cellH = 2 * size + captionH;
  const gridCols = Math.min(columns, batch.items.length);
  const gridRows = Math.ceil(batch.items.length / gridCols);
  const width = GAP + gridCols * (cellW + GAP) + BAR_WIDTH;
  const gridHeight = GAP + gridRows * (cellH + GAP);
  const barHeight = Math.max(MIN_BAR_HEIGHT, Math.min(gridHeight - 2 * GAP, cellH));
  const height = Math.max(gridHeight, barHeight + 2 * GAP);
  const body: string[] = [];
  batch.items.forEach((item, i) => {
    const x = GAP + (i % gridCols) * (cellW + GAP);
    const y = GAP + Math.floor(i / gridCols) * (cellH + GAP);
    const imageX = x + (cellW - size) / 2;
    body.push(svgImage({ x: imageX, y, width: size, height: size, png: item.overlay, pixelated: false }));
    const input = byIndex.get(item.index);
    if (input) {
      const digit = encodePng(
        greyImage(
          Float32Array.from(input.image, (v) => v / 255),
          cols,
          rows,
        ),
      );
      body.push(svgImage({ x: imageX, y: y + size, width: size, height: size, png: digit }));
    }
    lines[i].forEach((text, l) => {
      body.push(
        svgText({
          x: x + cellW / 2,
          y: y + 2 * size + (l + 1) * (CAPTION_SIZE + 4),
          text,
          size: CAPTION_SIZE,
          anchor: 'middle',
        }),
      );
    });
  });
  const lut = colormapBytes(colormap);
  const colours = Array.from({ length: lut.length / 3 }, (_, i): Rgb => [
    lut[i * 3],
    lut[i * 3 + 1],
    lut[i * 3 + 2],
  ]);
  body.push(
    embedSvg(
      colourBar({ colours, ...barRange(batch), height: barHeight, width: BAR_WIDTH - GAP }),
      width - BAR_WIDTH,
      GAP,
    ),
  );
  return svgToPng(svgDocument({ width, height }, body));
}
