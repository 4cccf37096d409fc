import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * HiResCAM. Draelos and Carin, "Use HiResCAM instead of Grad-CAM for faithful explanations of
 * convolutional neural networks", 2020, https://arxiv.org/abs/2011.08891 — map = sum_k (dy_c / dA_k) ⊙ A_k,
 * element-wise (no averaging of gradients, no ReLU). For a GAP + linear head it equals CAM / (H * W).
 */
export class HiResCam extends BaseCam {
  readonly name = 'hirescam';
  readonly paper = 'https://arxiv.org/abs/2011.08891';

  protected combine(ctx: CamContext): tf.Tensor4D {
    const maps = this.scoreGradients(ctx).map((g) => g.mul(ctx.activations).sum(3));
    return tf.stack(maps, 1) as tf.Tensor4D;
  }
}
