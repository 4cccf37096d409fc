// This test checks that the queue's copies of the method and colour-map names agree with this library's own
// lists: the one place @cam/cam reads @cam/queue, so it is exempt from the scope rule.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  CAM_EVALUATION_DEFAULTS,
  CAM_METHOD_NAMES as QUEUE_METHODS,
  COLORMAP_NAMES as QUEUE_COLORMAPS,
} from '@cam/queue';
import { describe, expect, it } from 'vitest';
import {
  CAM_METHODS,
  CAM_METHOD_NAMES,
  COLORMAPS,
  EVALUATION_DEFAULTS,
  camMethod,
  isCamMethodName,
} from '../src/index.js';

describe('the method registry', () => {
  it('names each method by its registry key and cites a paper', () => {
    for (const [name, method] of Object.entries(CAM_METHODS)) {
      expect(method.name).toBe(name);
      expect(method.paper).toMatch(/^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{5}|doi\.org\/10\.\d{4,}\/\S+)$/);
    }
  });

  it('agrees with the lists job payloads are validated against (@cam/queue)', () => {
    expect([...CAM_METHOD_NAMES].sort()).toEqual([...QUEUE_METHODS].sort());
    expect([...COLORMAPS].sort()).toEqual([...QUEUE_COLORMAPS].sort());
    expect(CAM_EVALUATION_DEFAULTS).toEqual(EVALUATION_DEFAULTS);
  });

  it('rejects unknown names, including inherited object keys', () => {
    expect(isCamMethodName('toString')).toBe(false);
    expect(() => camMethod('gradcam2')).toThrow(/unknown CAM method 'gradcam2' \(one of cam, gradcam/);
  });
});
