/** Small builders for SVG markup. Every piece of user text goes through escapeXml. */

export const FONT_FAMILY = 'DejaVu Sans';

/** Text made safe for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** Rounds coordinates so the markup stays short and stable. */
export function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export interface TextOptions {
  x: number;
  /** Baseline. */
  y: number;
  text: string;
  /** @defaultValue 12 */
  size?: number;
  /** @defaultValue 'start' */
  anchor?: 'start' | 'middle' | 'end';
  /** @defaultValue 'normal' */
  weight?: 'normal' | 'bold';
  /** @defaultValue '#222' */
  fill?: string;
  /** Degrees, about (x, y). @defaultValue 0 */
  rotate?: number;
}

/** A `<text>` element in the DejaVu Sans font that svgToPng loads; spaces are kept as written. */
export function svgText(opts: TextOptions): string {
  const { x, y, text, size = 12, anchor = 'start', weight = 'normal', fill = '#222', rotate = 0 } = opts;
  const transform = rotate ? ` transform="rotate(${fmt(rotate)} ${fmt(x)} ${fmt(y)})"` : '';
  return (
    `<text x="${fmt(x)}" y="${fmt(y)}" font-family="${FONT_FAMILY}" font-size="${fmt(size)}" ` +
    `font-weight="${weight}" fill="${escapeXml(fill)}" text-anchor="${anchor}" xml:space="preserve"${transform}>${escapeXml(text)}</text>`
  );
}

/** Rough width of a line of DejaVu Sans text (its glyphs average about 0.6 em), for layout. */
export function textWidth(text: string, size = 12): number {
  return text.length * size * 0.6;
}

export interface ImageOptions {
  x: number;
  y: number;
  width: number;
  height: number;
  /** PNG bytes, embedded as a data: URI. */
  png: Uint8Array;
  /**
   * Nearest-neighbour scaling, so that enlarged small images (28x28 digits) keep sharp pixels.
   * @defaultValue true
   */
  pixelated?: boolean;
}

/** An `<image>` element embedding a PNG. */
export function svgImage(opts: ImageOptions): string {
  const { x, y, width, height, png, pixelated = true } = opts;
  const rendering = pixelated ? ' image-rendering="optimizeSpeed"' : '';
  const data = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64');
  return (
    `<image x="${fmt(x)}" y="${fmt(y)}" width="${fmt(width)}" height="${fmt(height)}" preserveAspectRatio="none"` +
    `${rendering} href="data:image/png;base64,${data}"/>`
  );
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** A CSS colour, or 'none' for a transparent background. @defaultValue 'white' */
  background?: string;
}

/** A complete SVG document of the given size around `body` (elements, already escaped). */
export function svgDocument(opts: DocumentOptions, body: string | string[]): string {
  const { width, height, background = 'white' } = opts;
  if (!(width > 0 && height > 0)) throw new RangeError(`SVG size must be positive, got ${width}x${height}`);
  const fill =
    background === 'none' ? '' : `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`;
  const content = Array.isArray(body) ? body.join('\n') : body;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" ` +
    `viewBox="0 0 ${fmt(width)} ${fmt(height)}">\n${fill}\n${content}\n</svg>\n`
  );
}

const ROOT_SIZE = /^\s*<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/;

/** The width and height attributes of an SVG document made by this library. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = ROOT_SIZE.exec(svg);
  if (!match) throw new Error('svgSize: the SVG root element has no numeric width and height attributes');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** An SVG document as an element placed at (x, y) inside another SVG (a nested <svg>). */
export function embedSvg(svg: string, x: number, y: number): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('embedSvg: no <svg> root element');
  return svg
    .slice(start)
    .replace('<svg', `<svg x="${fmt(x)}" y="${fmt(y)}"`)
    .trimEnd();
}
