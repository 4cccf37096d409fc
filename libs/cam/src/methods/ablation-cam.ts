import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * Ablation-CAM. Desai and Ramaswamy, "Ablation-CAM: Visual Explanations for Deep Convolutional Network via
 * Gradient-free Localization", WACV 2020, https://doi.org/10.1109/WACV45572.2020.9093360 — w_k =
 * (y_c - y_c^k) / y_c, the relative drop of the pre-softmax target score when channel k of the target
 * layer is set to 0 (0 where y_c = 0), map = ReLU(sum_k w_k A_k). One pass of the layers above the target
 * per channel.
 */
export class AblationCam extends BaseCam {
  readonly name = 'ablationcam';
  readonly paper = 'https://doi.org/10.1109/WACV45572.2020.9093360';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const [, , , k] = ctx.activations.shape;
    const scores = targetScores(ctx.logits, ctx.targets);
    const drops: tf.Tensor2D[] = [];
    for (let channel = 0; channel < k; channel++) {
      drops.push(
        tf.tidy(() => {
          const keep = tf.oneHot(tf.tensor1d([channel], 'int32'), k).reshape([1, 1, 1, k]);
          const ablated = ctx.head.logitsFromFeatures(ctx.activations.mul(tf.scalar(1).sub(keep)));
          return scores.sub(targetScores(ablated, ctx.targets)) as tf.Tensor2D;
        }),
      );
    }
    return tf.tidy(() => {
      const safe = tf.where(scores.equal(0), tf.onesLike(scores), scores);
      // [N, T, K]: relative drop per target and channel.
      const weights = tf.stack(drops, 2).div(safe.expandDims(2));
      tf.dispose(drops);
      return this.weightedSum(
        ctx,
        tf.where(scores.equal(0).expandDims(2), tf.zerosLike(weights), weights) as tf.Tensor3D,
      );
    });
  }
}

/** logits[n, targets[n, t]] as [N, T]. */
function targetScores(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, classCount] = logits.shape;
    const mask = tf.oneHot(targets.flatten(), classCount).reshape([n, -1, classCount]).toFloat(); // [N, T, C]
    return logits.expandDims(1).mul(mask).sum(2) as tf.Tensor2D;
  });
}
