import { CAM_METHOD_NAMES as CAM_LIBRARY_METHODS, COLORMAPS, EVALUATION_DEFAULTS } from '@cam/cam';
import { describe, expect, it } from 'vitest';
import { CAM_EVALUATION_DEFAULTS, CAM_METHOD_NAMES, COLORMAP_NAMES } from '../src/index.js';

describe('the value lists job payloads are validated against', () => {
  it("agree with the CAM library's registries (listed here so that the API need not load tfjs)", () => {
    expect([...CAM_METHOD_NAMES].sort()).toEqual([...CAM_LIBRARY_METHODS].sort());
    expect([...COLORMAP_NAMES].sort()).toEqual([...COLORMAPS].sort());
  });

  it("evaluation defaults agree with the CAM library's", () => {
    expect(CAM_EVALUATION_DEFAULTS).toEqual(EVALUATION_DEFAULTS);
  });
});
