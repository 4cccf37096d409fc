import type { FieldIssue } from '@cam/contracts';

/**
 * The API's 400 issues grouped by the form field they name: `grid.learningRate.1` belongs to the field
 * `grid.learningRate`, `arch.convs.0.filters` to `arch`. Issues naming no known field go under ''.
 */
export function issuesByField(issues: FieldIssue[], fields: readonly string[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    const field =
      [...fields]
        .sort((a, b) => b.length - a.length)
        .find((name) => issue.path === name || issue.path.startsWith(`${name}.`)) ?? '';
    const message = field === issue.path || field === '' ? issue.message : `${issue.path}: ${issue.message}`;
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  return byField;
}

/** A comma-separated list of numbers ("0.001, 0.003"); NaN entries are kept so the API names them. */
export function parseNumberList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
}

/** Sample indices as a list: "0-15, 20, 31" -> 0..15, 20, 31 (a range at most `max` long). */
export function parseIndices(text: string, max: number): number[] | string {
  const out: number[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (match === null) return `'${part}' is not an index or a range such as 0-15`;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return `'${part}' runs backwards`;
    for (let i = from; i <= to; i++) {
      out.push(i);
      if (out.length > max) return `at most ${max} images per batch`;
    }
  }
  return out.length === 0 ? 'give at least one index' : out;
}
