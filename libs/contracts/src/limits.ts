/** Bounds on every size a job payload may ask for: they keep one request from exhausting a worker. */
export const LIMITS = {
  /**
   * Runs one sweep may expand to (the grid's combinations times the random search's samples). GET
   * /v1/sweeps/:id reads every run with its history, so this bounds that response.
   */
  maxSweepRuns: 256,
  /** ASHA's largest reduction factor. */
  maxReductionFactor: 16,
  /** Values one grid parameter may list. */
  maxGridValues: 64,
  maxTrainSize: 60_000,
  maxTestSize: 10_000,
  maxEpochs: 100,
  maxBatchSize: 1024,
  maxThreads: 64,
  maxPatience: 100,
  maxConvLayers: 8,
  maxFilters: 512,
  maxKernelSize: 9,
  /** Items in one CAM batch (indices or images). */
  maxCamItems: 64,
  /** Bytes of one JSON request body (uploaded images are base64 inside it). */
  maxRequestBytes: 8 * 1024 * 1024,
  /** Base64 characters of one uploaded image (about 1.5 MB decoded). */
  maxImageBase64Length: 2_000_000,
  minCamSize: 28,
  maxCamSize: 896,
  /** Test digits one CAM evaluation may score (every metric is several forward passes over all of them). */
  maxEvaluationCount: 1000,
  maxEvaluationSteps: 64,
  maxSanityCount: 256,
  maxEvaluationCanvas: 256,
} as const;
