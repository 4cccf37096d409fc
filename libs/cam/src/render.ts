import * as tf from '@tensorflow/tfjs';
import { RENDER_DEFAULTS } from '@cam/recipe';
import { cachedCamHead, computeMaps, methodForLayer } from './compute-maps.js';
import { type ColormapName, isColormapName } from './image/colormaps.js';
import { type Normalisation, checkNormalisation, normaliseMap } from './image/normalise.js';
import { heatmapImage, overlayImage } from './image/overlay.js';
import { encodePng } from './image/png.js';
import { type Interpolation, MAX_SIZE, MIN_SIZE, mapResizer } from './image/upsample.js';
import { montagePng } from './montage.js';
import { type CamMethodName, isCamMethodName, CAM_METHOD_NAMES } from './methods/registry.js';
import type { CamTarget } from './targets.js';

/** One image to explain: grey pixels (u8, the model's input size, row-major), its dataset index and label. */
export interface CamInputItem {
  image: Uint8Array;
  index: number;
  label?: number;
}

export interface RenderOptions {
  /** @defaultValue 'cam' */
  method?: CamMethodName;
  /** @defaultValue 'predicted' */
  target?: CamTarget;
  /** The conv layer the method reads (e.g. 'conv_3'). @defaultValue the last conv */
  layer?: string;
  /** @defaultValue 'jet' (the seed's) */
  colormap?: ColormapName;
  /** Side of each item PNG in pixels, 28..896. @defaultValue 112 */
  size?: number;
  /** Weight of the heat map over the grey digit. @defaultValue 0.8 (the seed's) */
  alpha?: number;
  /** @defaultValue 'bilinear' (the seed's) */
  interpolation?: Interpolation;
  /** @defaultValue `{ mode: 'minmax' }`; the seed used `{ mode: 'fixed', range: [-250, 250] }` */
  normalisation?: Normalisation;
  /** Drop negative map values before normalising. @defaultValue false */
  relu?: boolean;
  /** Images per forward pass. @defaultValue 64 */
  batchSize?: number;
  /** Also encode heat-map-only PNGs. @defaultValue false */
  heatmaps?: boolean;
  /** Draw montage.png (overlay above digit, captions, shared colour bar). @defaultValue true */
  montage?: boolean;
  /** Montage cells per row. @defaultValue 8 */
  columns?: number;
}

export type ResolvedRenderOptions = Required<Omit<RenderOptions, 'layer'>> & Pick<RenderOptions, 'layer'>;

export const DEFAULT_RENDER_OPTIONS: ResolvedRenderOptions = {
  ...RENDER_DEFAULTS,
  interpolation: 'bilinear',
  normalisation: { mode: 'minmax' },
  relu: false,
  batchSize: 64,
  heatmaps: false,
  montage: true,
  columns: 8,
};

/** One rendered map: an (image, target class) pair. */
export interface CamItem {
  index: number;
  label?: number;
  predicted: number;
  target: number;
  probabilities: number[];
  /** The value range drawn from colour-map start to end. */
  range: [number, number];
  /** Overlay PNG (size x size RGB). */
  overlay: Buffer;
  /** Heat-map-only PNG, when asked for. */
  heatmap?: Buffer;
}

export interface CamBatch {
  options: ResolvedRenderOptions;
  /** The conv layer the maps were read from. */
  layer: string;
  /** Raw maps [rows, h, w] at feature resolution, in item order (`perItem` rows per image). */
  maps: Float32Array;
  h: number;
  w: number;
  perItem: number;
  items: CamItem[];
  montage?: Buffer;
}

function isInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Defaults spread first, then every field validated with an error naming it. */
export function resolveRenderOptions(opts: RenderOptions = {}): ResolvedRenderOptions {
  const o = { ...DEFAULT_RENDER_OPTIONS, ...opts };
  if (!isCamMethodName(o.method))
    throw new RangeError(`method: unknown '${o.method}' (one of ${CAM_METHOD_NAMES.join(', ')})`);
  if (!isColormapName(o.colormap))
    throw new RangeError(`colormap: unknown '${o.colormap}' (jet, turbo, viridis, inferno, gray)`);
  if (!isInteger(o.size, MIN_SIZE, MAX_SIZE))
    throw new RangeError(`size: must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${o.size}`);
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha: must be in [0, 1], got ${o.alpha}`);
  if (o.interpolation !== 'bilinear' && o.interpolation !== 'nearest')
    throw new RangeError(`interpolation: bilinear or nearest, got '${o.interpolation}'`);
  if (!isInteger(o.batchSize, 1, 4096))
    throw new RangeError(`batchSize: must be an integer from 1 to 4096, got ${o.batchSize}`);
  if (!isInteger(o.columns, 1, 64))
    throw new RangeError(`columns: must be an integer from 1 to 64, got ${o.columns}`);
  checkNormalisation(o.normalisation);
  return o;
}

/**
 * Renders CAM overlays for items: per batch one forward pass and the method's maps, then per map
 * (plain typed-array loops, no per-pixel tensor ops) normalise at feature resolution, upsample, colour,
 * blend with the upsampled digit and encode a PNG; finally the montage.
 */
export async function renderCamBatch(
  model: tf.LayersModel,
  items: CamInputItem[],
  opts: RenderOptions = {},
): Promise<CamBatch> {
  const o = resolveRenderOptions(opts);
  if (items.length === 0) throw new RangeError('items: at least one image is needed');
  const head = cachedCamHead(model, o.layer);
  methodForLayer(o.method, head);
  const [, rows, cols, channels] = head.features.inputs[0].shape as number[];
  if (channels !== 1)
    throw new RangeError(`model takes ${channels}-channel images; CAM rendering handles grey images`);
  items.forEach((item, i) => {
    if (item.image.length !== rows * cols)
      throw new RangeError(
        `items[${i}].image has ${item.image.length} pixels, the model takes ${rows}x${cols}`,
      );
  });
  const greyResize = mapResizer(rows, cols, o.size, o.size, o.interpolation);
  const out: CamItem[] = [];
  const mapChunks: Float32Array[] = [];
  let shape = { h: 0, w: 0, perItem: 1 };
  for (let start = 0; start < items.length; start += o.batchSize) {
    const batch = items.slice(start, start + o.batchSize);
    const pixels = new Float32Array(batch.length * rows * cols);
    batch.forEach((item, i) => item.image.forEach((v, p) => (pixels[i * rows * cols + p] = v / 255)));
    const xs = tf.tensor4d(pixels, [batch.length, rows, cols, 1]);
    const labels = batch.every((item) => item.label !== undefined)
      ? batch.map((item) => item.label as number)
      : undefined;
    const result = await computeMaps(model, xs, {
      method: o.method,
      target: o.target,
      labels,
      layer: o.layer,
    }).finally(() => xs.dispose());
    const { h, w, perItem, classCount } = result;
    shape = { h, w, perItem };
    mapChunks.push(result.maps);
    const mapResize = mapResizer(h, w, o.size, o.size, o.interpolation);
    const heat = new Float32Array(o.size * o.size);
    const unit = new Float32Array(h * w);
    batch.forEach((item, i) => {
      const grey = greyResize(pixels.subarray(i * rows * cols, (i + 1) * rows * cols));
      const probabilities = Array.from(result.probabilities.subarray(i * classCount, (i + 1) * classCount));
      for (let t = 0; t < perItem; t++) {
        const row = i * perItem + t;
        const map = result.maps.subarray(row * h * w, (row + 1) * h * w);
        const { range } = normaliseMap(map, o.normalisation, o.relu, unit);
        mapResize(unit, heat);
        const rendered: CamItem = {
          index: item.index,
          label: item.label,
          predicted: result.predicted[i],
          target: result.targets[row],
          probabilities,
          range,
          overlay: encodePng(overlayImage(heat, grey, o.size, o.size, o.colormap, o.alpha)),
        };
        if (o.heatmaps) rendered.heatmap = encodePng(heatmapImage(heat, o.size, o.size, o.colormap));
        out.push(rendered);
      }
    });
  }
  const maps = concat(mapChunks);
  const batch: CamBatch = { options: o, layer: head.layer, maps, ...shape, items: out };
  if (o.montage) batch.montage = montagePng(batch, items, rows, cols);
  return batch;
}

/** The chunks one after the other in one array. */
export function concat(chunks: Float32Array[]): Float32Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
