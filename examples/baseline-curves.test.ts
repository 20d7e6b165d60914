import { describe, expect, it } from 'vitest';
import { baselineCurves } from './baseline-curves.js';

describe('baseline-curves example', () => {
  it('matches the least-squares and averaging closed forms', () => {
    const dims = 5;
    const curves = baselineCurves(dims, 12, 3000);
    const leastSquares = [...curves.entries()].find(([label]) => label.startsWith('least_squares'))![1];
    const averaging = [...curves.entries()].find(([label]) => label.startsWith('averaging'))![1];
    for (let k = 1; k < dims; k++) expect(Math.abs(leastSquares[k] - (dims - k) / dims)).toBeLessThan(0.08);
    for (let k = dims; k < 12; k++) expect(leastSquares[k]).toBeLessThan(1e-6);
    expect(Math.abs(averaging[10] - (dims + 1) / 10) / ((dims + 1) / 10)).toBeLessThan(0.15);
  });
});
