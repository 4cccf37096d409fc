import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageSet } from './image-set.js';

/** IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

/** A file that is not a valid IDX file of the expected kind; the message names the file. */
export class IdxFormatError extends Error {
  constructor(
    readonly fileName: string,
    problem: string,
  ) {
    super(`${fileName}: ${problem}`);
    this.name = 'IdxFormatError';
  }
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function checkMagic(view: DataView, fileName: string, expected: number, what: string): void {
  const magic = view.getUint32(0, false);
  if (magic === expected) return;
  const other = expected === IDX_IMAGES_MAGIC ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC;
  const hint = magic === other ? ` (it looks like a ${what === 'images' ? 'labels' : 'images'} file)` : '';
  throw new IdxFormatError(
    fileName,
    `magic number ${hex32(magic)} is not ${hex32(expected)} (IDX unsigned-byte ${what})${hint}`,
  );
}

function checkLength(buf: Uint8Array, fileName: string, expected: number, shape: string): void {
  if (buf.length < expected) {
    throw new IdxFormatError(
      fileName,
      `truncated: header says ${shape} (${expected} bytes) but the file has ${buf.length} bytes`,
    );
  }
  if (buf.length > expected) {
    throw new IdxFormatError(
      fileName,
      `${buf.length - expected} unexpected bytes after the ${shape} data (${expected} bytes expected)`,
    );
  }
}

function checkHeader(buf: Uint8Array, fileName: string, headerBytes: number): DataView {
  if (buf.length < headerBytes) {
    throw new IdxFormatError(
      fileName,
      `truncated: ${buf.length} bytes is shorter than the ${headerBytes}-byte IDX header`,
    );
  }
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The bytes after the header as a plain Uint8Array view (not a Node Buffer), sharing memory with `buf`. */
function plainBytes(buf: Uint8Array, headerBytes: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, buf.byteLength - headerBytes);
}

/** Parses an IDX images file (already decompressed): unsigned bytes [count, rows, cols]. */
export function readIdxImages(
  buf: Uint8Array,
  fileName: string,
): Pick<ImageSet, 'images' | 'count' | 'rows' | 'cols'> {
  const view = checkHeader(buf, fileName, IMAGES_HEADER_BYTES);
  checkMagic(view, fileName, IDX_IMAGES_MAGIC, 'images');
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows === 0 || cols === 0)
    throw new IdxFormatError(fileName, `image size ${rows}x${cols} has a zero dimension`);
  checkLength(buf, fileName, IMAGES_HEADER_BYTES + count * rows * cols, `${count} images of ${rows}x${cols}`);
  return { images: plainBytes(buf, IMAGES_HEADER_BYTES), count, rows, cols };
}

/** Parses an IDX labels file (already decompressed): unsigned bytes [count]. */
export function readIdxLabels(buf: Uint8Array, fileName: string): Uint8Array {
  const view = checkHeader(buf, fileName, LABELS_HEADER_BYTES);
  checkMagic(view, fileName, IDX_LABELS_MAGIC, 'labels');
  const count = view.getUint32(4, false);
  checkLength(buf, fileName, LABELS_HEADER_BYTES + count, `${count} labels`);
  return plainBytes(buf, LABELS_HEADER_BYTES);
}

/** Reads a file, gunzipping it when it starts with the gzip signature (whatever its name). */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new IdxFormatError(path, `not a valid gzip file (${(err as Error).message})`);
  }
}

/** Reads an images file and its labels file (raw or gzipped) and checks that they agree. */
export async function readIdxPair(imagesPath: string, labelsPath: string): Promise<ImageSet> {
  const [imageBuf, labelBuf] = await Promise.all([
    readMaybeGzipped(imagesPath),
    readMaybeGzipped(labelsPath),
  ]);
  const images = readIdxImages(imageBuf, imagesPath);
  const labels = readIdxLabels(labelBuf, labelsPath);
  if (labels.length !== images.count) {
    throw new IdxFormatError(
      imagesPath,
      `holds ${images.count} images but ${basename(labelsPath)} holds ${labels.length} labels`,
    );
  }
  return { ...images, labels };
}
