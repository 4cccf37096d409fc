export {
  type ChartGridOptions,
  type LineChartOptions,
  PALETTE,
  type Series,
  chartGrid,
  lineChart,
} from './line-chart.js';
export { type ColourBarOptions, type Rgb, colourBar } from './colour-bar.js';
export { DEJAVU_FONT_FILES, FontNotFoundError, type PngOptions, svgToPng } from './render.js';
export {
  type DocumentOptions,
  FONT_FAMILY,
  type ImageOptions,
  type TextOptions,
  embedSvg,
  escapeXml,
  svgDocument,
  svgImage,
  svgSize,
  svgText,
  textWidth,
} from './svg.js';
export { type TickOptions, type Ticks, formatTick, niceTicks } from './ticks.js';
