import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * Grad-CAM. Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
 * Localization", ICCV 2017, https://arxiv.org/abs/1610.02391 — w_k = mean over (x, y) of dy_c / dA_k,
 * map = ReLU(sum_k w_k A_k), y_c the pre-softmax score.
 */
export class GradCam extends BaseCam {
  readonly name = 'gradcam';
  readonly paper = 'https://arxiv.org/abs/1610.02391';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const weights = this.scoreGradients(ctx).map((g) => g.mean([1, 2]));
    return this.weightedSum(ctx, tf.stack(weights, 1) as tf.Tensor3D);
  }
}
