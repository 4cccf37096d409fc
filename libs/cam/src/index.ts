export { BaseCam, type CamContext } from './methods/base-cam.js';
export {
  CAM_METHODS,
  CAM_METHOD_NAMES,
  type CamMethodName,
  camMethod,
  isCamMethodName,
} from './methods/registry.js';
export { type CamTarget, type ResolvedTargets, parseTarget, resolveTargets } from './targets.js';
export { type CamMaps, type ComputeMapsOptions, cachedCamHead, computeMaps } from './compute-maps.js';
export {
  COLORMAPS,
  type ColormapName,
  colormapBytes,
  colormapTable,
  colourOf,
  isColormapName,
} from './image/colormaps.js';
export { type Interpolation, MAX_SIZE, MIN_SIZE, mapResizer, resizeMap } from './image/upsample.js';
export {
  type Normalisation,
  SEED_RANGE,
  checkNormalisation,
  normaliseMap,
  valueRange,
} from './image/normalise.js';
export { type RgbImage, greyImage, heatmapImage, overlayImage } from './image/overlay.js';
export { decodePng, encodePng } from './image/png.js';
export { decodeNpy, encodeNpy } from './npy.js';
export {
  type CamBatch,
  type CamInputItem,
  type CamItem,
  DEFAULT_RENDER_OPTIONS,
  type RenderOptions,
  type ResolvedRenderOptions,
  renderCamBatch,
  resolveRenderOptions,
} from './render.js';
export { caption, montagePng } from './montage.js';
export { type CamBatchFile, type Manifest, type ManifestItem, encodeCamBatch, npyShape } from './write.js';
export {
  type LocalizationResult,
  type LocalizationRow,
  boxFromMap,
  centredBox,
  evaluateLocalization,
  iou,
  localizationAccuracy,
  localizationReport,
  withInputSize,
} from './localization.js';
