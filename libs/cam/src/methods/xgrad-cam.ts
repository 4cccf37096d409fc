import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * XGrad-CAM. Fu et al., "Axiom-based Grad-CAM: Towards Accurate Visualization and Explanation of CNNs",
 * BMVC 2020, https://arxiv.org/abs/2008.02312 — w_k = sum_xy (A_k(x, y) / sum_xy A_k) * dy_c/dA_k(x, y)
 * (gradients weighted by the normalised activations; 0 for a channel that is 0 everywhere),
 * map = ReLU(sum_k w_k A_k).
 */
export class XGradCam extends BaseCam {
  readonly name = 'xgradcam';
  readonly paper = 'https://arxiv.org/abs/2008.02312';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const sums = ctx.activations.sum([1, 2]);
    const safe = tf.where(sums.equal(0), tf.onesLike(sums), sums);
    const weights = this.scoreGradients(ctx).map((g) =>
      tf.where(sums.equal(0), tf.zerosLike(sums), g.mul(ctx.activations).sum([1, 2]).div(safe)),
    );
    return this.weightedSum(ctx, tf.stack(weights, 1) as tf.Tensor3D);
  }
}
