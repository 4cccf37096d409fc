import { describe, it, expect } from 'vitest';
import { IDX_PROBE } from '../src/index.js';
describe('probe', () => { it('is', () => { expect(IDX_PROBE).toBe(1); }); });
