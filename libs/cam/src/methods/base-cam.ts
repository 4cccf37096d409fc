import * as tf from '@tensorflow/tfjs';
import type { CamHead } from '@cam/model';

/** What a method sees for one batch. Tensors are owned by the caller (kept alive for the whole call). */
export interface CamContext {
  head: CamHead;
  /** The batch [N, rows, cols, channels]. */
  inputs: tf.Tensor4D;
  /** Features A [N, H, W, K] of the target conv layer (the last one unless asked otherwise). */
  activations: tf.Tensor4D;
  /** Pre-softmax scores [N, C]. */
  logits: tf.Tensor2D;
  /** Target classes [N, T], int32: T maps per image. */
  targets: tf.Tensor2D;
}

/**
 * A CAM method in the shape of pytorch-grad-cam's `BaseCAM`: the caller runs the forward pass and picks
 * the targets; a method fills in `combine` (features -> one map per image and target), usually as a
 * weighted sum of the feature channels ({@link BaseCam.weightedSum}); the base applies the method's ReLU.
 */
export abstract class BaseCam {
  /** Registry name. */
  abstract readonly name: string;
  /** The paper the method follows. */
  abstract readonly paper: string;
  /** Whether the method keeps only positive evidence (ReLU on the map), as its paper defines it. */
  readonly relu: boolean = false;
  /**
   * Whether the method's definition holds for any conv layer, not only the last one (CAM's reads the
   * dense weights, which only apply to the features GAP pools).
   */
  readonly anyLayer: boolean = true;

  /** Maps [N, T, H, W] of the batch, before the method's ReLU. */
  protected abstract combine(ctx: CamContext): tf.Tensor4D;

  /** The template: combine, then ReLU where the method's definition has one. Returns [N, T, H, W]. */
  maps(ctx: CamContext): tf.Tensor4D {
    return tf.tidy(() => {
      const maps = this.combine(ctx);
      return this.relu ? tf.relu(maps) : maps;
    });
  }

  /**
   * sum_k w[n, t, k] * A[n, :, :, k] for channel weights [N, T, K]: one batched matrix product, with the
   * weights as its transposed right-hand side (the wasm backend has a fast kernel for that shape).
   */
  protected weightedSum(ctx: CamContext, weights: tf.Tensor3D): tf.Tensor4D {
    const [n, h, w, k] = ctx.activations.shape;
    const t = weights.shape[1];
    const flat = ctx.activations.reshape([n, h * w, k]);
    return tf.matMul(flat, weights, false, true).transpose([0, 2, 1]).reshape([n, t, h, w]);
  }

  /**
   * Gradients of the pre-softmax target score with respect to the features, one [N, H, W, K] tensor per
   * target column, through the model's own GAP and dense layers (tf.grad).
   */
  protected scoreGradients(ctx: CamContext): tf.Tensor4D[] {
    const [, classCount] = ctx.logits.shape;
    const columns = tf.unstack(ctx.targets, 1) as tf.Tensor1D[];
    return columns.map((column) => {
      const mask = tf.oneHot(column, classCount).toFloat();
      const score = (a: tf.Tensor) =>
        ctx.head
          .logitsFromFeatures(a as tf.Tensor4D)
          .mul(mask)
          .sum();
      return tf.grad(score)(ctx.activations) as tf.Tensor4D;
    });
  }
}
