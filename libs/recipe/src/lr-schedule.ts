/** Learning rate over training: constant, divided by `factor` every `everyEpochs`, or cosine decay to 0. */
export type LrSchedule =
  { kind: 'constant' } | { kind: 'step'; everyEpochs: number; factor: number } | { kind: 'cosine' };

/** The text form of a schedule, shared by `cam train --lr-schedule` and the API's `lrSchedule`. */
export const LR_SCHEDULE_FORMS = 'constant | cosine | step:EVERY:FACTOR';

/** Why a schedule text was refused (the message says what is expected). */
export class LrScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LrScheduleError';
  }
}

/**
 * Parses `constant`, `cosine` or `step:EVERY:FACTOR` (EVERY a positive integer, FACTOR > 1; e.g. step:10:2
 * halves the rate every 10 epochs). Throws LrScheduleError otherwise.
 */
export function parseLrSchedule(text: string): LrSchedule {
  if (text === 'constant' || text === 'cosine') return { kind: text };
  const step = /^step:(\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (step) {
    const everyEpochs = Number(step[1]);
    const factor = Number(step[2]);
    if (everyEpochs < 1 || !(factor > 1))
      throw new LrScheduleError(`step:EVERY:FACTOR needs EVERY >= 1 and FACTOR > 1, got '${text}'`);
    return { kind: 'step', everyEpochs, factor };
  }
  throw new LrScheduleError(`constant, cosine or step:EVERY:FACTOR, got '${text}'`);
}

/** True when {@link parseLrSchedule} accepts the text. */
export function isLrSchedule(text: string): boolean {
  try {
    parseLrSchedule(text);
    return true;
  } catch {
    return false;
  }
}
