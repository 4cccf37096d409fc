export { BaseCam, type CamContext } from './methods/base-cam.js';
export {
  CAM_METHODS,
  CAM_METHOD_NAMES,
  type CamMethodName,
  camMethod,
  isCamMethodName,
} from './methods/registry.js';
export { type CamTarget, type ResolvedTargets, parseTarget, resolveTargets } from './targets.js';
export {
  type CamMaps,
  type ComputeMapsOptions,
  cachedCamHead,
  computeMaps,
  methodForLayer,
} from './compute-maps.js';
export {
  COLORMAPS,
  type ColormapName,
  colormapBytes,
  colormapTable,
  colourOf,
  isColormapName,
} from './image/colormaps.js';
export {
  type Interpolation,
  MAX_SIZE,
  MIN_SIZE,
  mapResizer,
  resizeInputProblem,
  resizeMap,
} from './image/upsample.js';
export { PNG_SIZE_BYTES, pngSize, uploadedImageSizeProblem } from './image/upload-rules.js';
export { UploadedImageError, greyDigitFromPng, largestUploadPng } from './image/upload.js';
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
export { type GreyImages, type Scorer, modelScorer, targetProbabilities } from './evaluation/scorer.js';
export {
  type Explainer,
  centredBlobExplainer,
  methodExplainer,
  randomMapExplainer,
} from './evaluation/explainers.js';
export {
  type DeletionInsertionOptions,
  type DeletionInsertionResult,
  areaUnderCurve,
  blurImages,
  deletionInsertion,
  pixelOrder,
} from './evaluation/deletion.js';
export {
  type ConfidenceChange,
  averageDropIncrease,
  confidenceChange,
  explanationImages,
} from './evaluation/confidence.js';
export {
  ROAD_NOISE,
  ROAD_PERCENTILES,
  type RoadResult,
  gaussianFrom,
  noisyLinearImpute,
  percentile,
  road,
  roadKeepMask,
} from './evaluation/road.js';
export { pointingGame, pointingHit } from './evaluation/pointing.js';
export {
  SANITY_FLAG_THRESHOLD,
  type SanityResult,
  cascadeLayers,
  cascadingRandomization,
  cloneModel,
  spearman,
} from './evaluation/sanity.js';
export {
  EVALUATION_TABLE_HEADER,
  type EvaluationOptions,
  type EvaluationReport,
  type EvaluationRow,
  evaluateExplainers,
  evaluationCurvesPng,
  evaluationExplainers,
  formatEvaluationTable,
} from './evaluation/evaluate.js';
export {
  type DatasetEvaluationOptions,
  EVALUATION_FILES,
  evaluateOnDataset,
  greyImages,
  encodeEvaluation,
} from './evaluation/run.js';
