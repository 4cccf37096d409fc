/** BullMQ queue names shared by the API (producer) and the workers (consumers). */
export const QUEUE_NAMES = {
  training: 'training',
  camRender: 'cam-render',
  /** CAM evaluations, consumed by the render workers too. */
  camEvaluation: 'cam-evaluation',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
