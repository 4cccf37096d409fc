import { IDX_PROBE } from '@cam/dataset';
export const MODEL_PROBE: number = IDX_PROBE + 1;
export { type CamHead, NotACamModelError, camHead } from './cam-head.js';
