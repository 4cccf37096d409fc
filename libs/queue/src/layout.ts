/**
 * Artifact keys (in the artifact store, @cam/storage) where workers write and the API reads.
 * runs/<runId>/: model.json, weights.bin, metrics.json, confusion-*.csv, curves.png, checkpoint/
 * cam-batches/<batchId>/: item PNGs, montage.png, cams.npy, manifest.json; uploads/<i>.png (the PNGs uploaded)
 * cam-evaluations/<evaluationId>/: evaluation.json, evaluation.md, curves.png
 */
export function runArtifactsPrefix(runId: string): string {
  return `runs/${runId}`;
}

/** A run's checkpoint while it trains (libs/model's checkpoint/ folder, kept in the store between attempts). */
export function runCheckpointPrefix(runId: string): string {
  return `${runArtifactsPrefix(runId)}/checkpoint`;
}

export function camBatchArtifactsPrefix(batchId: string): string {
  return `cam-batches/${batchId}`;
}

/** The `index`th PNG uploaded with a CAM batch: the API puts it there and the renderer reads it. */
export function camBatchUploadKey(batchId: string, index: number): string {
  return `${camBatchArtifactsPrefix(batchId)}/uploads/${index}.png`;
}

export function camEvaluationArtifactsPrefix(evaluationId: string): string {
  return `cam-evaluations/${evaluationId}`;
}
