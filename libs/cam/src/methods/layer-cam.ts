import * as tf from '@tensorflow/tfjs';
import { BaseCam, type CamContext } from './base-cam.js';

/**
 * LayerCAM. Jiang et al., "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization",
 * IEEE Transactions on Image Processing 30, 2021, https://doi.org/10.1109/TIP.2021.3089943 — every location
 * keeps its own weight: map = ReLU(sum_k ReLU(dy_c/dA_k) ⊙ A_k). Meant for early layers as well as the last.
 */
export class LayerCam extends BaseCam {
  readonly name = 'layercam';
  readonly paper = 'https://doi.org/10.1109/TIP.2021.3089943';
  override readonly relu = true;

  protected combine(ctx: CamContext): tf.Tensor4D {
    const maps = this.scoreGradients(ctx).map((g) => tf.relu(g).mul(ctx.activations).sum(3));
    return tf.stack(maps, 1) as tf.Tensor4D;
  }
}
