import type { Box } from '@cam/dataset';

/**
 * The pointing game (Zhang et al., "Top-down Neural Attention by Excitation Backprop", ECCV 2016,
 * https://arxiv.org/abs/1608.00507): a hit when the map's maximum (the first in raster order on ties) lies
 * inside the true box, or within `tolerance` pixels of it.
 */
export function pointingHit(
  map: ArrayLike<number>,
  rows: number,
  cols: number,
  box: Box,
  tolerance = 0,
): boolean {
  if (map.length !== rows * cols)
    throw new RangeError(`map has ${map.length} values, expected ${rows}x${cols}`);
  let best = 0;
  for (let p = 1; p < map.length; p++) if (map[p] > map[best]) best = p;
  const y = Math.floor(best / cols);
  const x = best - y * cols;
  // Distance from the pixel to the box (x1, y1 exclusive), 0 inside.
  const dx = Math.max(box.x0 - x, 0, x - (box.x1 - 1));
  const dy = Math.max(box.y0 - y, 0, y - (box.y1 - 1));
  return Math.hypot(dx, dy) <= tolerance;
}

/** Share of hits over maps [n, rows, cols] and their boxes. */
export function pointingGame(
  maps: Float32Array,
  rows: number,
  cols: number,
  boxes: Box[],
  tolerance = 0,
): number {
  if (maps.length !== boxes.length * rows * cols)
    throw new RangeError(`${maps.length / (rows * cols)} maps for ${boxes.length} boxes`);
  if (boxes.length === 0) throw new RangeError('no boxes to score');
  const size = rows * cols;
  return (
    boxes.filter((box, i) => pointingHit(maps.subarray(i * size, (i + 1) * size), rows, cols, box, tolerance))
      .length / boxes.length
  );
}
