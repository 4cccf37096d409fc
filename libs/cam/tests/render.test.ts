import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CamInputItem,
  caption,
  colormapBytes,
  computeMaps,
  decodeNpy,
  decodePng,
  encodeNpy,
  renderCamBatch,
  encodeCamBatch,
} from '../src/index.js';
import { tinyCamModel } from './tiny-model.js';

const SIZE = 28;
const dir = mkdtempSync(join(tmpdir(), 'cam-render-'));

// Before any model is built: importing @cam/model registers wasm, which would otherwise take priority.
await tf.setBackend('cpu');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded grey digits-like images: a bright bar at a different place in each. */
function items(n: number): CamInputItem[] {
  return Array.from({ length: n }, (_, i) => {
    const image = new Uint8Array(SIZE * SIZE);
    for (let y = 4 + i; y < 12 + i; y++) for (let x = 6; x < 20; x++) image[y * SIZE + x] = 200 + i;
    return { image, index: 100 + i, label: i % 4 };
  });
}

function hasNumpy(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

describe('renderCamBatch and encodeCamBatch', () => {
  const model = tinyCamModel({ size: SIZE, filters: 5 });

  it('renders PNG overlays whose colours at the map maximum and minimum are the colour map ends', async () => {
    const batch = await renderCamBatch(model, items(3), {
      size: SIZE,
      alpha: 1,
      montage: false,
      heatmaps: true,
      batchSize: 2,
    });
    const xs = tf.tensor4d(
      Float32Array.from(items(3).flatMap((it) => Array.from(it.image, (v) => v / 255))),
      [3, SIZE, SIZE, 1],
    );
    const reference = await computeMaps(model, xs);
    expect(batch.maps).toEqual(reference.maps);
    const jet = colormapBytes('jet');
    for (const [i, item] of batch.items.entries()) {
      const map = batch.maps.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
      const png = decodePng(item.overlay);
      expect([png.width, png.height]).toEqual([SIZE, SIZE]);
      // Same size, bilinear at scale 1 is the identity: the map's argmax pixel has jet's last colour.
      const at = (p: number) => Array.from(png.data.subarray(p * 3, p * 3 + 3));
      expect(at(map.indexOf(Math.max(...map)))).toEqual(Array.from(jet.subarray(765, 768)));
      expect(at(map.indexOf(Math.min(...map)))).toEqual(Array.from(jet.subarray(0, 3)));
      expect(item.range).toEqual([Math.min(...map), Math.max(...map)]);
      expect(decodePng(item.heatmap as Buffer).width).toBe(SIZE);
    }
  });

  it('encodes item PNGs, montage.png, cams.npy (raw maps) and manifest.json (last)', async () => {
    const out = join(dir, 'batch');
    const batch = await renderCamBatch(model, items(4), { size: 56, target: 'label' });
    const { files } = encodeCamBatch(batch);
    const names = files.map((f) => f.name);
    expect(names).toContain('montage.png');
    expect(names).toContain('cams.npy');
    expect(names.at(-1)).toBe('manifest.json');
    mkdirSync(out);
    for (const { name, data } of files) writeFileSync(join(out, name), data);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.items.map((m: { index: number }) => m.index)).toEqual([100, 101, 102, 103]);
    expect(manifest.items.map((m: { target: number }) => m.target)).toEqual([0, 1, 2, 3]);
    for (const m of manifest.items) {
      expect(m.probabilities).toHaveLength(4);
      expect(decodePng(readFileSync(join(out, m.png))).width).toBe(56);
    }
    const npy = decodeNpy(readFileSync(join(out, 'cams.npy')));
    expect(npy.shape).toEqual([4, SIZE, SIZE]);
    expect(npy.data).toEqual(batch.maps);
    const montage = decodePng(readFileSync(join(out, 'montage.png')));
    expect(montage.width).toBeGreaterThan(4 * 56);
    expect(montage.height).toBeGreaterThan(2 * 56);
    if (hasNumpy()) {
      const script =
        'import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a[1, 3, 5])))';
      const printed = execFileSync('/usr/bin/python3', ['-c', script, join(out, 'cams.npy')], {
        encoding: 'utf8',
      }).trim();
      expect(printed).toBe(`float32 (4, 28, 28) ${batch.maps[SIZE * SIZE + 3 * SIZE + 5]}`);
    }
  });

  it('rejects bad options and inputs with messages naming the field', async () => {
    await expect(renderCamBatch(model, items(1), { method: 'nope' as 'cam' })).rejects.toThrow(
      /method: unknown 'nope'/,
    );
    await expect(renderCamBatch(model, items(1), { colormap: 'hot' as 'jet' })).rejects.toThrow(
      /colormap: unknown 'hot'/,
    );
    await expect(renderCamBatch(model, items(1), { size: 20 })).rejects.toThrow(
      /size: must be an integer from 28 to 896/,
    );
    await expect(renderCamBatch(model, items(1), { alpha: 2 })).rejects.toThrow(/alpha/);
    await expect(renderCamBatch(model, [{ image: new Uint8Array(10), index: 0 }])).rejects.toThrow(
      /items\[0\]\.image has 10 pixels/,
    );
    await expect(renderCamBatch(model, [])).rejects.toThrow(/at least one/);
  });
});

describe('captions and .npy', () => {
  it('captions as the seed, with the target when it differs', () => {
    expect(caption({ label: 3, predicted: 3, target: 3 })).toEqual(['correct: 3  predicted: 3']);
    expect(caption({ label: 3, predicted: 5, target: 3 })).toEqual(['correct: 3  predicted: 5', 'target: 3']);
    expect(caption({ predicted: 5, target: 5 })).toEqual(['predicted: 5']);
  });

  it('writes a v1.0 header padded to 64 bytes and round-trips the data', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    const buf = encodeNpy(data, [2, 3, 4]);
    expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    const headerLength = buf.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(buf.subarray(10, 10 + headerLength).toString('latin1')).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3, 4\), \} *\n$/,
    );
    expect(buf.length).toBe(10 + headerLength + 96);
    expect(decodeNpy(buf)).toEqual({ data, shape: [2, 3, 4] });
    expect(() => encodeNpy(data, [5, 5])).toThrow(/needs 25 values/);
    expect(() => decodeNpy(Buffer.from('hello world'))).toThrow(/bad magic/);
  });
});
