import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

/** Debian's fonts-dejavu-core: the fonts every text in this library is set in. */
export const DEJAVU_FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** A font file svgToPng needs is missing (resvg would otherwise draw all text blank, silently). */
export class FontNotFoundError extends Error {
  constructor(readonly file: string) {
    super(
      `font file ${file} is missing; install it with \`apt-get install fonts-dejavu-core\` or pass fontFiles`,
    );
    this.name = 'FontNotFoundError';
  }
}

export interface PngOptions {
  /** Output width in pixels; the height keeps the aspect ratio. @defaultValue the SVG's own width */
  width?: number;
  /** Font files to load (system fonts are not searched). @defaultValue DEJAVU_FONT_FILES */
  fontFiles?: string[];
}

/** Rasterises an SVG document to PNG bytes with resvg. */
export function svgToPng(svg: string, opts: PngOptions = {}): Buffer {
  const { width, fontFiles = DEJAVU_FONT_FILES } = opts;
  for (const file of fontFiles) if (!existsSync(file)) throw new FontNotFoundError(file);
  if (width !== undefined && !(Number.isInteger(width) && width > 0)) {
    throw new RangeError(`svgToPng: width must be a positive integer, got ${width}`);
  }
  let resvg: Resvg;
  try {
    resvg = new Resvg(svg, {
      fitTo: width === undefined ? { mode: 'original' } : { mode: 'width', value: width },
      font: {
        loadSystemFonts: false,
        fontFiles,
        defaultFontFamily: 'DejaVu Sans',
        sansSerifFamily: 'DejaVu Sans',
      },
    });
  } catch (err) {
    throw new Error(
      `svgToPng: resvg cannot read the SVG (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  return resvg.render().asPng();
}
