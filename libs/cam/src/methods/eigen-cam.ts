import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/** Power iterations between convergence checks, and the most run. */
const CHECK_EVERY = 10;
const MAX_ITERATIONS = 1000;
const TOLERANCE = 1e-6;

/**
 * Eigen-CAM. Muhammad and Yeasin, "Eigen-CAM: Class Activation Map using Principal Components", IJCNN 2020,
 * https://arxiv.org/abs/2008.00299 — the features A as an (H*W) x K matrix projected on their first right
 * singular vector v_1: map = A v_1, the same map for every target class (no gradients, no class weights).
 * As in the paper the columns are not centred (pytorch-grad-cam centres them); v_1 is the top eigenvector
 * of A^T A, found by power iteration (v <- A^T (A v), never forming A^T A), its sign chosen so that its entries sum to >= 0 (for non-negative
 * features, by Perron-Frobenius, that makes the map non-negative).
 */
export class EigenCam extends BaseCam {
  readonly name = 'eigencam';
  readonly paper = 'https://arxiv.org/abs/2008.00299';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const [n, h, w, k] = ctx.activations.shape;
    const [, t] = ctx.targets.shape;
    const v = topRightSingularVectors(ctx.activations.reshape([n, h * w, k]));
    const maps = tf.tidy(() => {
      const sign = tf.where(v.sum(2, true).less(0), tf.fill([n, 1, 1], -1), tf.fill([n, 1, 1], 1));
      return this.weightedSum(ctx, v.mul(sign).tile([1, t, 1]) as tf.Tensor3D);
    });
    v.dispose();
    return maps;
  }
}

/**
 * Unit top right singular vectors [N, 1, K] of matrices a [N, M, K] by power iteration; both products are
 * matMuls with a transposed right-hand side (the wasm backend's fast shape).
 */
function topRightSingularVectors(a: tf.Tensor3D): tf.Tensor3D {
  const [n, m, k] = a.shape;
  const at = a.transpose([0, 2, 1]);
  let v = tf.fill([n, 1, k], 1 / Math.sqrt(k)) as tf.Tensor3D;
  for (let done = 0; done < MAX_ITERATIONS; done += CHECK_EVERY) {
    const next = tf.tidy(() => {
      let x = v;
      for (let i = 0; i < CHECK_EVERY; i++) {
        const u = tf.matMul(a, x, false, true).reshape([n, 1, m]);
        const y = tf.matMul(at, u, false, true).reshape([n, 1, k]);
        const norm = y.norm('euclidean', 2, true);
        x = tf.where(norm.greater(0), y.div(tf.maximum(norm, 1e-30)), x) as tf.Tensor3D;
      }
      return x;
    });
    const change = tf.tidy(() => next.sub(v).abs().max().dataSync()[0]);
    v.dispose();
    v = next;
    if (change < TOLERANCE) break;
  }
  at.dispose();
  return v;
}
