/**
 * Artifact keys (in the artifact store, @cam/storage) where workers write and the API reads.
 * runs/<runId>/: model.json, weights.bin, metrics.json, confusion-*.csv, curves.png, checkpoint/
 * cam-batches/<batchId>/: item PNGs, montage.png, cams.npy, manifest.json
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

export function camEvaluationArtifactsPrefix(evaluationId: string): string {
  return `cam-evaluations/${evaluationId}`;
}
