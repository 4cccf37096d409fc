import * as tf from '@tensorflow/tfjs';
import type { CamHead } from '@cam/model';
import { BaseCam, type CamContext } from './base-cam.js';

/** Input -> logits only, so masked batches do not keep their feature maps. */
const logitModels = new WeakMap<CamHead, tf.LayersModel>();

/**
 * Score-CAM. Wang et al., "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural
 * Networks", CVPRW 2020, https://arxiv.org/abs/1910.01279 — each channel A_k, upsampled to the input and
 * min-max normalised to H_k, masks the input; w_k = softmax(f(X ⊙ H_k))_c - softmax(f(X_b))_c with a
 * black baseline X_b; map = ReLU(sum_k w_k A_k). Costs one forward pass per image and channel.
 */
export class ScoreCam extends BaseCam {
  readonly name = 'scorecam';
  readonly paper = 'https://arxiv.org/abs/1910.01279';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const [n] = ctx.activations.shape;
    const [, rows, cols, channels] = ctx.inputs.shape;
    const [, classCount] = ctx.logits.shape;
    const targetMask = tf.oneHot(ctx.targets.flatten(), classCount).reshape([n, -1, classCount]).toFloat();
    const baseline = tf.softmax(this.logitsOf(ctx, tf.zerosLike(ctx.inputs)));
    const perImage: tf.Tensor2D[] = [];
    for (let i = 0; i < n; i++) {
      const gains = tf.tidy(() => {
        // Channel masks of image i: [K, rows, cols, 1], each min-max normalised.
        const a = ctx.activations
          .slice([i, 0, 0, 0], [1, -1, -1, -1])
          .squeeze([0])
          .transpose([2, 0, 1])
          .expandDims(3);
        const up = tf.image.resizeBilinear(a as tf.Tensor4D, [rows, cols], false, true);
        const lo = up.min([1, 2, 3], true);
        const span = up.max([1, 2, 3], true).sub(lo);
        const masks = tf.where(span.greater(0), up.sub(lo).div(tf.maximum(span, 1e-12)), tf.zerosLike(up));
        const image = ctx.inputs.slice([i, 0, 0, 0], [1, -1, -1, -1]);
        const probabilities = tf.softmax(this.logitsOf(ctx, image.mul(masks.tile([1, 1, 1, channels]))));
        // [K, T]: the increase of each target's probability over the baseline, per channel.
        return probabilities.sub(baseline.slice([i, 0], [1, -1])).matMul(targetMask.gather(i).transpose());
      });
      perImage.push(gains as tf.Tensor2D);
    }
    return this.weightedSum(ctx, tf.stack(perImage).transpose([0, 2, 1]) as tf.Tensor3D);
  }

  private logitsOf(ctx: CamContext, inputs: tf.Tensor): tf.Tensor2D {
    let model = logitModels.get(ctx.head);
    if (!model) {
      model = tf.model({ inputs: ctx.head.features.inputs, outputs: ctx.head.features.outputs[1] });
      logitModels.set(ctx.head, model);
    }
    return model.predict(inputs, { batchSize: 32 }) as tf.Tensor2D;
  }
}
