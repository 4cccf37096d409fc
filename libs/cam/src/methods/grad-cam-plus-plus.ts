import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * Grad-CAM++. Chattopadhay et al., "Grad-CAM++: Improved Visual Explanations for Deep Convolutional
 * Networks", WACV 2018, https://arxiv.org/abs/1710.11063 — with g = dy_c / dA (the exponential-score form
 * of its Eq. 19, where higher derivatives are powers of g): alpha = g^2 / (2 g^2 + sum_xy A g^3),
 * w_k = sum_xy alpha ReLU(g), map = ReLU(sum_k w_k A_k).
 */
export class GradCamPlusPlus extends BaseCam {
  readonly name = 'gradcampp';
  readonly paper = 'https://arxiv.org/abs/1710.11063';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const weights = this.scoreGradients(ctx).map((g) => {
      const g2 = g.square();
      const sumAg3 = ctx.activations.mul(g2.mul(g)).sum([1, 2], true);
      const denominator = g2.mul(2).add(sumAg3);
      // alpha is 0 where the denominator is (g = 0 there too).
      const safe = tf.where(denominator.equal(0), tf.onesLike(denominator), denominator);
      const alpha = tf.where(denominator.equal(0), tf.zerosLike(g2), g2.div(safe));
      return alpha.mul(tf.relu(g)).sum([1, 2]);
    });
    return this.weightedSum(ctx, tf.stack(weights, 1) as tf.Tensor3D);
  }
}
