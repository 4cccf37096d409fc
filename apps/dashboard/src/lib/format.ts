/** A fraction as a percentage with `digits` decimals, or '–' when there is none. */
export function pct(value: number | null | undefined, digits = 1): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(100 * value).toFixed(digits)} %` : '–';
}

/** A parameter value as a short text (objects such as custom architectures as compact JSON). */
export function paramText(value: unknown): string {
  if (value === undefined) return '–';
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An ISO time as local date and time without seconds. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
