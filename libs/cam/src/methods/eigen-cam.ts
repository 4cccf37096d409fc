import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/** Power iterations between convergence checks, and the most run. */
const CHECK_EVERY = 25;
const MAX_ITERATIONS = 2000;
const TOLERANCE = 1e-6;

/**
 * Eigen-CAM. Muhammad and Yeasin, "Eigen-CAM: Class Activation Map using Principal Components", IJCNN 2020,
 * https://arxiv.org/abs/2008.00299 — the features A as an (H*W) x K matrix projected on their first right
 * singular vector v_1: map = A v_1, the same map for every target class (no gradients, no class weights).
 * As in the paper the columns are not centred (pytorch-grad-cam centres them); v_1 is the top eigenvector
 * of A^T A, found by power iteration, its sign chosen so that its entries sum to >= 0 (for non-negative
 * features, by Perron-Frobenius, that makes the map non-negative).
 */
export class EigenCam extends BaseCam {
  readonly name = 'eigencam';
  readonly paper = 'https://arxiv.org/abs/2008.00299';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const [n, h, w, k] = ctx.activations.shape;
    const [, t] = ctx.targets.shape;
    const v = topEigenvectors(
      tf.tidy(() => {
        const a = ctx.activations.reshape([n, h * w, k]);
        return tf.matMul(a, a, true, false) as tf.Tensor3D;
      }),
    );
    const maps = tf.tidy(() => {
      const sign = tf.where(v.sum(1, true).less(0), tf.fill([n, 1], -1), tf.fill([n, 1], 1));
      const weights = v.mul(sign).reshape([n, 1, k]).tile([1, t, 1]) as tf.Tensor3D;
      return this.weightedSum(ctx, weights);
    });
    v.dispose();
    return maps;
  }
}

/** Unit top eigenvectors [N, K] of symmetric positive semi-definite matrices gram [N, K, K] (disposed). */
function topEigenvectors(gram: tf.Tensor3D): tf.Tensor2D {
  const [n, k] = gram.shape;
  let v = tf.fill([n, k, 1], 1 / Math.sqrt(k)) as tf.Tensor3D;
  for (let done = 0; done < MAX_ITERATIONS; done += CHECK_EVERY) {
    const next = tf.tidy(() => {
      let x = v;
      for (let i = 0; i < CHECK_EVERY; i++) {
        const y = tf.matMul(gram, x);
        const norm = y.norm('euclidean', 1, true);
        x = tf.where(norm.greater(0), y.div(tf.maximum(norm, 1e-30)), x) as tf.Tensor3D;
      }
      return x;
    });
    const change = tf.tidy(() => next.sub(v).abs().max().dataSync()[0]);
    v.dispose();
    v = next;
    if (change < TOLERANCE) break;
  }
  gram.dispose();
  const out = v.reshape([n, k]) as tf.Tensor2D;
  v.dispose();
  return out;
}
