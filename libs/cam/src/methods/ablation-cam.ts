import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * Ablation-CAM. Desai and Ramaswamy, "Ablation-CAM: Visual Explanations for Deep Convolutional Network via
 * Gradient-free Localization", WACV 2020, https://doi.org/10.1109/WACV45572.2020.9093360 — w_k =
 * (y_c - y_c^k) / y_c, the relative drop of the pre-softmax target score when channel k of the target
 * layer is set to 0 (0 where y_c = 0), map = ReLU(sum_k w_k A_k). One pass of the layers above the target
 * per channel; on the last conv, where those layers are GAP and a bias-free dense layer (linear), the drop
 * is W[k, c] * mean_xy A_k exactly, computed so for all channels at once.
 */
export class AblationCam extends BaseCam {
  readonly name = 'ablationcam';
  readonly paper = 'https://doi.org/10.1109/WACV45572.2020.9093360';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const scores = targetScores(ctx.logits, ctx.targets);
    // [N, T, K]: how much each target's score drops without channel k.
    const drops = ctx.head.isLastConv ? linearHeadDrops(ctx) : ablatedDrops(ctx, scores);
    const safe = tf.where(scores.equal(0), tf.onesLike(scores), scores).expandDims(2);
    const weights = tf.where(scores.equal(0).expandDims(2), tf.zerosLike(drops), drops.div(safe));
    return this.weightedSum(ctx, weights as tf.Tensor3D);
  }
}

/** On the last conv: W[k, c] * mean_xy A_k, the exact drop through GAP and the bias-free dense layer. */
function linearHeadDrops(ctx: CamContext): tf.Tensor3D {
  const [n, , , k] = ctx.activations.shape;
  const [, t] = ctx.targets.shape;
  const columns = tf.gather(ctx.head.weights.transpose(), ctx.targets.flatten()).reshape([n, t, k]);
  return ctx.activations.mean([1, 2]).expandDims(1).mul(columns) as tf.Tensor3D;
}

/** Elsewhere: the layers above run once per channel, with that channel set to 0. */
function ablatedDrops(ctx: CamContext, scores: tf.Tensor2D): tf.Tensor3D {
  const [, , , k] = ctx.activations.shape;
  const drops = Array.from({ length: k }, (_, channel) =>
    tf.tidy(() => {
      const keep = tf.scalar(1).sub(tf.oneHot(tf.tensor1d([channel], 'int32'), k).reshape([1, 1, 1, k]));
      const ablated = ctx.head.logitsFromFeatures(ctx.activations.mul(keep));
      return scores.sub(targetScores(ablated, ctx.targets));
    }),
  );
  const stacked = tf.stack(drops, 2) as tf.Tensor3D;
  tf.dispose(drops);
  return stacked;
}

/** logits[n, targets[n, t]] as [N, T]. */
function targetScores(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, classCount] = logits.shape;
    const mask = tf.oneHot(targets.flatten(), classCount).reshape([n, -1, classCount]).toFloat(); // [N, T, C]
    return logits.expandDims(1).mul(mask).sum(2) as tf.Tensor2D;
  });
}
