import { CAM_METHOD_NAMES as CAM_LIBRARY_METHODS, COLORMAPS } from '@cam/cam';
import { describe, expect, it } from 'vitest';
import { CAM_METHOD_NAMES, COLORMAP_NAMES } from '../src/index.js';

describe('the value lists job payloads are validated against', () => {
  it("agree with the CAM library's registries (listed here so that the API need not load tfjs)", () => {
    expect([...CAM_METHOD_NAMES].sort()).toEqual([...CAM_LIBRARY_METHODS].sort());
    expect([...COLORMAP_NAMES].sort()).toEqual([...COLORMAPS].sort());
  });
});
