export interface Ticks {
  /** Tick values, ascending, exact to the step's decimals. */
  values: number[];
  step: number;
  /** Decimals needed to print the values. */
  decimals: number;
}

/** The nice step (1, 2 or 5 times a power of ten) nearest to `raw` on a log scale. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  // Geometric midpoints between 1, 2, 5 and 10.
  const nice = mantissa < Math.SQRT2 ? 1 : mantissa < Math.sqrt(10) ? 2 : mantissa < Math.sqrt(50) ? 5 : 10;
  return nice * power;
}

export interface TickOptions {
  /** About how many intervals to aim for. @defaultValue 5 */
  target?: number;
  /** Keep ticks on whole numbers (epochs, counts). @defaultValue false */
  integer?: boolean;
  /**
   * Extend the range outwards to the enclosing ticks (free axes); otherwise only ticks inside
   * [min, max] are kept (fixed axes).
   * @defaultValue true
   */
  extend?: boolean;
}

/**
 * "Nice" tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten, e.g. [0, 0.93] ->
 * 0, 0.2, ..., 1 and [0.08, 2.4] -> 0, 0.5, ..., 2.5. A zero-width range is widened around its value.
 */
export function niceTicks(min: number, max: number, opts: TickOptions = {}): Ticks {
  const { target = 5, integer = false, extend = true } = opts;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`niceTicks: need finite min <= max, got [${min}, ${max}]`);
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  let step = niceStep((max - min) / target);
  if (integer) step = Math.max(1, Math.round(step));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // The epsilon keeps a bound that is a tick up to rounding (0.3 / 0.1 = 2.9999999999999996) a tick.
  const eps = 1e-9;
  const first = extend ? Math.floor(min / step + eps) : Math.ceil(min / step - eps);
  const last = extend ? Math.ceil(max / step - eps) : Math.floor(max / step + eps);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toFixed(decimals)));
  return { values, step, decimals };
}

/** A tick value as printed on an axis. */
export function formatTick(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}
