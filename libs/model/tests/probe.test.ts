import { describe, it, expect } from 'vitest';
import { MODEL_PROBE } from '../src/index.js';
describe('probe', () => { it('adds', () => { expect(MODEL_PROBE).toBe(2); }); });
