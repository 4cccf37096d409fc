import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ImageSet } from '../src/index.js';

/** An IDX images file: big-endian header then the pixels. */
export function idxImages(
  count: number,
  rows: number,
  cols: number,
  pixel: (i: number) => number,
  magic = 0x803,
): Uint8Array {
  const buf = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(buf.buffer);
  [magic, count, rows, cols].forEach((v, k) => view.setUint32(4 * k, v, false));
  for (let i = 0; i < count * rows * cols; i++) buf[16 + i] = pixel(i);
  return buf;
}

export function idxLabels(labels: number[], magic = 0x801): Uint8Array {
  const buf = new Uint8Array(8 + labels.length);
  const view = new DataView(buf.buffer);
  view.setUint32(0, magic, false);
  view.setUint32(4, labels.length, false);
  buf.set(labels, 8);
  return buf;
}

/** A temporary folder; `files` maps name -> bytes, gzipped when the name ends in .gz. */
export function tempFolder(files: Record<string, Uint8Array>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cam-dataset-'));
  for (const [name, bytes] of Object.entries(files))
    writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small in-memory set: image i has every pixel equal to i (mod 256), label labels[i]. */
export function tinySet(labels: number[], rows = 3, cols = 2): ImageSet {
  const size = rows * cols;
  const images = new Uint8Array(labels.length * size);
  labels.forEach((_, i) => images.fill(i % 256, i * size, (i + 1) * size));
  return { images, labels: Uint8Array.from(labels), count: labels.length, rows, cols };
}

/**
 * Whether tests needing an optional system package can run. Where `missing` (the reason) is set they are
 * skipped, with the reason printed; under CI=true (`.ci/run` installs every optional package) a missing
 * package fails the run instead of silently skipping.
 */
export function optionalPackageAvailable(pkg: string, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`CI must run the ${pkg} tests, but: ${missing}`);
  console.warn(`skipping the tests that need the Debian package ${pkg}: ${missing}`);
  return false;
}
