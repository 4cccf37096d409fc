/** Parses confusion-test.csv (header `true\predicted,0,…,9`, then one row per true class) into counts. */
export function parseConfusionCsv(text: string): number[][] {
  const lines = text.trim().split('\n').slice(1);
  return lines.map((line, i) => {
    const cells = line.split(',').map(Number);
    if (cells[0] !== i || cells.some((c) => !Number.isFinite(c)))
      throw new Error(`confusion CSV: row ${i + 1} is malformed`);
    return cells.slice(1);
  });
}

/** [predicted, true, count] triples of a confusion matrix, the heat map's data. */
export function heatmapCells(matrix: number[][]): [number, number, number][] {
  return matrix.flatMap((row, truth) =>
    row.map((count, predicted) => [predicted, truth, count] as [number, number, number]),
  );
}
