/**
 * The ASHA rule (asynchronous successive halving; Li et al., "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys 2020), as Ray Tune's AsyncHyperBandScheduler applies it with one bracket: rungs sit at
 * gracePeriod * reductionFactor^k epochs; when a run first reaches a rung, it goes on only if its metric is at
 * least the (1 - 1/reductionFactor) quantile of the values other runs recorded at that rung before it (for
 * mode 'min', at most the 1/reductionFactor quantile). The first run at a rung always goes on. Nobody waits:
 * a run is judged against whatever is recorded when it arrives.
 */
export interface AshaRule {
  mode: 'max' | 'min';
  /** Epochs before the first rung. */
  gracePeriod: number;
  /** Keep the top 1/reductionFactor at each rung. */
  reductionFactor: number;
}

/** The rung epochs of a run of `epochs` epochs: gracePeriod * reductionFactor^k, below `epochs`. */
export function rungEpochs(
  rule: Pick<AshaRule, 'gracePeriod' | 'reductionFactor'>,
  epochs: number,
): number[] {
  const rungs: number[] = [];
  for (let rung = rule.gracePeriod; rung < epochs; rung *= rule.reductionFactor) rungs.push(rung);
  return rungs;
}

/** numpy's default percentile: linear interpolation between the closest ranks; `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (p / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/** The value a new result must reach to go on, given the values recorded so far; null when none is. */
export function ashaCutoff(rule: AshaRule, recorded: readonly number[]): number | null {
  const values = recorded.filter((v) => !Number.isNaN(v)); // as numpy's nanpercentile
  if (values.length === 0) return null;
  const keep = 1 / rule.reductionFactor;
  return rule.mode === 'max' ? percentile(values, (1 - keep) * 100) : percentile(values, keep * 100);
}

export interface AshaDecision {
  action: 'continue' | 'stop';
  /** The cutoff the value was compared with (null for the first run at the rung). */
  cutoff: number | null;
}

/**
 * The decision for a run arriving at a rung with `value`, given the values recorded there before it. A value
 * equal to the cutoff goes on (Ray stops only strictly worse ones); NaN is worse than any number.
 */
export function ashaDecide(rule: AshaRule, recorded: readonly number[], value: number): AshaDecision {
  const cutoff = ashaCutoff(rule, recorded);
  if (cutoff === null) return { action: 'continue', cutoff };
  const worse = Number.isNaN(value) || (rule.mode === 'max' ? value < cutoff : value > cutoff);
  return { action: worse ? 'stop' : 'continue', cutoff };
}
