import type { BaseCam } from './base-cam.js';
import { AblationCam } from './ablation-cam.js';
import { Cam } from './cam.js';
import { EigenCam } from './eigen-cam.js';
import { GradCamPlusPlus } from './grad-cam-plus-plus.js';
import { GradCam } from './grad-cam.js';
import { HiResCam } from './hires-cam.js';
import { LayerCam } from './layer-cam.js';
import { ScoreCam } from './score-cam.js';
import { XGradCam } from './xgrad-cam.js';

/** Every CAM method by registry name: the one list that validation, CLI, workers and tests read. */
export const CAM_METHODS = {
  cam: new Cam(),
  gradcam: new GradCam(),
  gradcampp: new GradCamPlusPlus(),
  hirescam: new HiResCam(),
  scorecam: new ScoreCam(),
  xgradcam: new XGradCam(),
  layercam: new LayerCam(),
  eigencam: new EigenCam(),
  ablationcam: new AblationCam(),
} as const satisfies Record<string, BaseCam>;

export type CamMethodName = keyof typeof CAM_METHODS;

/** The registry's names, for enums in schemas and usage messages. */
export const CAM_METHOD_NAMES = Object.keys(CAM_METHODS) as CamMethodName[];

export function isCamMethodName(name: string): name is CamMethodName {
  return Object.hasOwn(CAM_METHODS, name);
}

/** The method registered as `name`; throws naming the known ones. */
export function camMethod(name: string): BaseCam {
  if (!isCamMethodName(name))
    throw new RangeError(`unknown CAM method '${name}' (one of ${CAM_METHOD_NAMES.join(', ')})`);
  return CAM_METHODS[name];
}
