import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from './npy.js';
import type { CamBatch, CamItem } from './render.js';

/** One row of manifest.json. */
export interface ManifestItem {
  index: number;
  label: number | null;
  predicted: number;
  target: number;
  probabilities: number[];
  /** Values drawn at the colour map's ends. */
  range: [number, number];
  /** Overlay PNG file name. */
  png: string;
  heatmap?: string;
}

export interface Manifest {
  method: string;
  /** The conv layer the maps were read from. */
  layer: string;
  target: string | number;
  colormap: string;
  size: number;
  alpha: number;
  interpolation: string;
  normalisation: CamBatch['options']['normalisation'];
  relu: boolean;
  /** cams.npy: float32, [N, H, W] (one target per image) or [N, T, H, W]; raw maps at feature resolution. */
  npy: { file: string; shape: number[] };
  montage: string | null;
  items: ManifestItem[];
}

function itemName(prefix: string, item: CamItem): string {
  return `${prefix}-${String(item.index).padStart(5, '0')}-c${item.target}.png`;
}

/** The .npy shape of a batch's raw maps. */
export function npyShape(batch: CamBatch): number[] {
  const images = batch.items.length / batch.perItem;
  return batch.perItem === 1 ? [images, batch.h, batch.w] : [images, batch.perItem, batch.h, batch.w];
}

/** Writes a rendered batch: item PNGs, montage.png, cams.npy and manifest.json. Returns the file names. */
export async function writeCamBatch(
  dir: string,
  batch: CamBatch,
): Promise<{ files: string[]; manifest: Manifest }> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const put = async (name: string, data: Buffer | string) => {
    await writeFile(join(dir, name), data);
    files.push(name);
  };
  const items: ManifestItem[] = [];
  for (const item of batch.items) {
    const row: ManifestItem = {
      index: item.index,
      label: item.label ?? null,
      predicted: item.predicted,
      target: item.target,
      probabilities: item.probabilities,
      range: item.range,
      png: itemName('item', item),
    };
    await put(row.png, item.overlay);
    if (item.heatmap) {
      row.heatmap = itemName('heatmap', item);
      await put(row.heatmap, item.heatmap);
    }
    items.push(row);
  }
  if (batch.montage) await put('montage.png', batch.montage);
  const shape = npyShape(batch);
  await put('cams.npy', encodeNpy(batch.maps, shape));
  const o = batch.options;
  const manifest: Manifest = {
    method: o.method,
    layer: batch.layer,
    target: o.target,
    colormap: o.colormap,
    size: o.size,
    alpha: o.alpha,
    interpolation: o.interpolation,
    normalisation: o.normalisation,
    relu: o.relu,
    npy: { file: 'cams.npy', shape },
    montage: batch.montage ? 'montage.png' : null,
    items,
  };
  await put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return { files, manifest };
}
