/**
 * Artifact keys (relative to ARTIFACTS_DIR) where workers write and the API reads.
 * runs/<runId>/: model.json, weights.bin, metrics.json, confusion-*.csv, curves.png, checkpoint/
 * cam-batches/<batchId>/: item PNGs, montage.png, cams.npy, manifest.json
 * cam-evaluations/<evaluationId>/: evaluation.json, evaluation.md, curves.png
 */
export function runArtifactsPrefix(runId: string): string {
  return `runs/${runId}`;
}

export function camBatchArtifactsPrefix(batchId: string): string {
  return `cam-batches/${batchId}`;
}

export function camEvaluationArtifactsPrefix(evaluationId: string): string {
  return `cam-evaluations/${evaluationId}`;
}
