import { describe, expect, it } from 'vitest';
import { fitLinearRegression } from './fit-linear-regression.js';

describe('fit-linear-regression example', () => {
  it('drives the loss near zero', () => {
    const { losses } = fitLinearRegression(200);
    expect(losses[0]).toBeGreaterThan(0.1);
    expect(losses[199]).toBeLessThan(1e-3 * losses[0]);
  });
});
