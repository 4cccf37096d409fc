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

/** One file of an encoded batch. */
export interface CamBatchFile {
  name: string;
  data: Buffer;
}

/**
 * The files of a rendered batch, encoded, for the caller to write anywhere (a folder, an object store): item
 * PNGs, montage.png, cams.npy, then manifest.json last (it names the others: written last, it marks the batch
 * complete).
 */
export function encodeCamBatch(batch: CamBatch): { files: CamBatchFile[]; manifest: Manifest } {
  const files: CamBatchFile[] = [];
  const put = (name: string, data: Buffer | string) => {
    files.push({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });
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
    put(row.png, item.overlay);
    if (item.heatmap) {
      row.heatmap = itemName('heatmap', item);
      put(row.heatmap, item.heatmap);
    }
    items.push(row);
  }
  if (batch.montage) put('montage.png', batch.montage);
  const shape = npyShape(batch);
  put('cams.npy', encodeNpy(batch.maps, shape));
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
  put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return { files, manifest };
}
