import { describe, expect, it } from 'vitest';
import { CAM_METHODS, camMethod, isCamMethodName } from '../src/index.js';

describe('the method registry', () => {
  it('names each method by its registry key and cites a paper', () => {
    for (const [name, method] of Object.entries(CAM_METHODS)) {
      expect(method.name).toBe(name);
      expect(method.paper).toMatch(/^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{5}|doi\.org\/10\.\d{4,}\/\S+)$/);
    }
  });

  it('rejects unknown names, including inherited object keys', () => {
    expect(isCamMethodName('toString')).toBe(false);
    expect(() => camMethod('gradcam2')).toThrow(/unknown CAM method 'gradcam2' \(one of cam, gradcam/);
  });
});
