/**
 * Bhasin et al.'s Hermite regression ("linear", "quadratic", "cubic" tasks) and its exact moments.
 *
 * With t = x.w, degree D in 1..4 and probabilists' Hermite polynomials He_j,
 *   y = c * D^(-1/2) * sum_{j=1..D} He_j(t) / sqrt(j!).
 * Bhasin et al. trained with unnormalised w ~ N(0, I_d) (`weights: 'standard'`, the default).
 * With unit-norm w, t ~ N(0, 1) and E[y^2] = c^2 for every degree.
 */
import { checkNumber } from './checks.js';
import { checkFunctionShape, checkInputDims, checkScale, labelOf, type FunctionClass, type FunctionShape } from './function-class.js';
import { checkWeightType, drawWeights, type LinearParams, type WeightType } from './linear.js';
import { matVec, type Points } from './points.js';

/** Options of `hermiteRegression`. */
export interface HermiteOptions {
  /** Degree D in 1..4 (default 1). */
  readonly degree?: number;
  /** `standard` (default, as in Bhasin et al.'s runs) or `normalized` (unit-norm w). */
  readonly weights?: WeightType;
  /** Output scale c > 0 (default 1). */
  readonly scale?: number;
}

/** Highest supported degree: He_1..He_4 as in Bhasin et al.'s code. */
export const MAX_HERMITE_DEGREE = 4;

/**
 * Hermite regression of degree D. E[y^2] (for x ~ N(0, I) on a active dims) is exact from
 * `hermiteMoments`: d and (3d(d+2)+1)/4 for degrees 1 and 2 with a = d and standard weights, and 1 with
 * unit-norm weights. Normaliser d.
 *
 * @example hermiteRegression({ degree: 3 }) // Bhasin et al.'s cubic task
 */
export function hermiteRegression(options: HermiteOptions = {}): FunctionClass<LinearParams> {
  const degree = options.degree ?? 1;
  checkNumber(
    'hermite_regression',
    'degree',
    degree,
    { integer: true, min: 1, max: MAX_HERMITE_DEGREE },
    'pass 1 (linear), 2 (quadratic), 3 (cubic) or 4',
  );
  const weights = checkWeightType('hermite_regression', options.weights);
  const scale = checkScale('hermite_regression', options.scale);
  return {
    name: 'hermite_regression',
    label: labelOf('hermite_regression', { degree, weights, scale }, { weights: 'standard', scale: 1 }),
    sample: (shape) => {
      checkFunctionShape('hermite_regression', shape);
      return (k) => {
        const w = drawWeights(k, shape.d, weights);
        const apply = (x: Points): Float64Array => {
          checkInputDims('hermite_regression', x, shape.d);
          return matVec(x, w).map((t) => scale * hermiteTarget(t, degree));
        };
        return { params: { w }, apply };
      };
    },
    expectedSquare: (shape) => scale * scale * hermiteMoments(degree, shape, weights).meanSquare,
    normalizer: (shape) => shape.d,
  };
}

/** Returns D^(-1/2) * sum_{j=1..D} He_j(t) / sqrt(j!), with He_j from the three-term recurrence. */
export function hermiteTarget(t: number, degree: number): number {
  let previous = 1; // He_0
  let current = t; // He_1
  let factorial = 1;
  let sum = current;
  for (let j = 1; j < degree; j++) {
    const next = t * current - j * previous; // He_{j+1} = t He_j - j He_{j-1}
    previous = current;
    current = next;
    factorial *= j + 1;
    sum += current / Math.sqrt(factorial);
  }
  return sum / Math.sqrt(degree);
}

/**
 * Returns the coefficients p_0..p_D of the target as a polynomial in t:
 * D^(-1/2) sum_j He_j(t) / sqrt(j!) = sum_k p_k t^k.
 */
export function hermiteTargetCoefficients(degree: number): number[] {
  const total = new Array<number>(degree + 1).fill(0);
  let previous = [1]; // He_0
  let current = [0, 1]; // He_1
  let factorial = 1;
  for (let j = 1; j <= degree; j++) {
    if (j > 1) {
      // He_j = t He_{j-1} - (j - 1) He_{j-2}
      const next = new Array<number>(j + 1).fill(0);
      current.forEach((c, k) => (next[k + 1] += c));
      previous.forEach((c, k) => (next[k] -= (j - 1) * c));
      previous = current;
      current = next;
    }
    factorial *= j;
    current.forEach((c, k) => (total[k] += c / Math.sqrt(factorial)));
  }
  return total.map((c) => c / Math.sqrt(degree));
}

/** E[y] and E[y^2] of the Hermite target with c = 1. */
export interface HermiteMoments {
  readonly mean: number;
  readonly meanSquare: number;
}

/**
 * Computes the exact mean and second moment of the degree-D target for x ~ N(0, I) on a = activeDims
 * coordinates (the rest 0) and w drawn as `weights` specifies.
 *
 * Given w, t = x.w ~ N(0, s^2) with s^2 = ||w_active||^2, so E[t^(2m) | s] = (2m - 1)!! s^(2m).
 * Standard weights: s^2 ~ chi^2_a, E s^(2m) = a (a + 2) ... (a + 2m - 2).
 * Unit-norm weights: s^2 ~ Beta(a/2, (d - a)/2), E s^(2m) = prod_{i<m} (a + 2i) / (d + 2i), which is 1 for a = d.
 * For d = 20 and standard weights, E[y^2] / d = 1, 16.51 and 446.65 for degrees 1, 2 and 3.
 */
export function hermiteMoments(degree: number, shape: FunctionShape, weights: WeightType = 'standard'): HermiteMoments {
  const p = hermiteTargetCoefficients(degree);
  const a = shape.activeDims;
  const d = shape.d;
  const scaleMoment = (m: number): number => {
    let product = 1;
    for (let i = 0; i < m; i++) product *= weights === 'standard' ? a + 2 * i : (a + 2 * i) / (d + 2 * i);
    return product;
  };
  const momentOfT = (power: number): number => (power % 2 === 1 ? 0 : doubleFactorial(power - 1) * scaleMoment(power / 2));

  let mean = 0;
  let meanSquare = 0;
  for (let k = 0; k < p.length; k++) {
    mean += p[k] * momentOfT(k);
    for (let l = 0; l < p.length; l++) meanSquare += p[k] * p[l] * momentOfT(k + l);
  }
  return { mean, meanSquare };
}

/** (n)!! for odd n >= -1, with (-1)!! = 1. */
function doubleFactorial(n: number): number {
  let product = 1;
  for (let i = n; i > 1; i -= 2) product *= i;
  return product;
}
