import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * CAM. Zhou et al., "Learning Deep Features for Discriminative Localization", CVPR 2016,
 * https://arxiv.org/abs/1512.04150 — M_c(x, y) = sum_k W[k, c] f_k(x, y), no ReLU, no scaling.
 */
export class Cam extends BaseCam {
  readonly name = 'cam';
  readonly paper = 'https://arxiv.org/abs/1512.04150';
  override readonly anyLayer = false;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const [n, t] = ctx.targets.shape;
    const k = ctx.head.weights.shape[0];
    // Column W[:, c] of every target, as weights [N, T, K].
    const weights = tf.gather(ctx.head.weights.transpose(), ctx.targets.flatten()).reshape([n, t, k]);
    return this.weightedSum(ctx, weights as tf.Tensor3D);
  }
}
