/**
 * `checkGrads` compares reverse-mode gradients with central finite differences along random
 * directions. A non-scalar output is projected onto a fixed random vector first, so any function
 * of tensors can be checked; `order: 2` also checks the gradient of the gradient.
 */
import { vjp } from './autodiff.js';
import { isFloat } from './dtype.js';
import { add, mul } from './elementwise.js';
import { treeFlatten, treeUnflatten, type PyTree } from './pytree.js';
import { key, normal64, split, type Key } from './prng.js';
import { sum } from './reductions.js';
import { fromData, type Tensor } from './tensor.js';

export interface CheckGradsOptions {
  /** 1 checks gradients; 2 also checks second derivatives (default 1). */
  order?: 1 | 2;
  /** Finite-difference step (default 1e-3, suited to float32). */
  eps?: number;
  /** Absolute and relative tolerance (default 1e-2, suited to float32). */
  tol?: number;
  /** Number of random directions (default 3). */
  directions?: number;
  /** Key for the random directions (default key(0)). */
  key?: Key;
}

type FlatFn = (leaves: Tensor[]) => Tensor;

function randomLike(k: Key, t: Tensor): Tensor {
  return fromData(Float32Array.from(normal64(k, t.size)), t.shape);
}

function dot64(a: readonly Tensor[], b: readonly Tensor[]): number {
  let total = 0;
  a.forEach((t, i) => {
    const x = t.data();
    const y = b[i].data();
    for (let j = 0; j < x.length; j++) total += x[j] * y[j];
  });
  return total;
}

/** Projects a function's output onto a random vector, giving a scalar function of its float leaves. */
function scalarize(f: (leaves: Tensor[]) => Tensor, sample: Tensor[], k: Key): FlatFn {
  const out = f(sample);
  if (out.size === 1) return (leaves) => sum(f(leaves));
  const u = randomLike(k, out);
  return (leaves) => sum(mul(f(leaves), u));
}

function checkFirstOrder(f: FlatFn, leaves: Tensor[], options: Required<Omit<CheckGradsOptions, 'order'>>, label: string): void {
  const [, pullback] = vjp((xs: Tensor[]) => f(xs), leaves);
  const gradient = pullback(fromData(new Float32Array([1]), []) as Tensor)[0] as Tensor[];
  const keys = split(options.key, options.directions);
  for (let d = 0; d < options.directions; d++) {
    const dirKeys = split(keys[d], Math.max(leaves.length, 1));
    const direction = leaves.map((t, i) => (isFloat(t.dtype) ? randomLike(dirKeys[i], t) : mul(t, 0)));
    const shifted = (s: number) => leaves.map((t, i) => (isFloat(t.dtype) ? add(t, mul(direction[i], s)) : t));
    const plus = f(shifted(options.eps)).item();
    const minus = f(shifted(-options.eps)).item();
    const numeric = (plus - minus) / (2 * options.eps);
    const analytic = dot64(gradient.filter((_, i) => isFloat(leaves[i].dtype)), direction.filter((_, i) => isFloat(leaves[i].dtype)));
    const bound = options.tol * (1 + Math.max(Math.abs(numeric), Math.abs(analytic)));
    if (!(Math.abs(numeric - analytic) <= bound)) {
      throw new Error(
        `checkGrads: ${label} along direction ${d}: reverse mode gives ${analytic}, central differences give ${numeric} ` +
          `(difference ${Math.abs(numeric - analytic)}, tolerance ${bound}, eps ${options.eps})`,
      );
    }
  }
}

/**
 * Checks the gradients of `f` at `args` and throws with both values when they disagree.
 *
 * @example checkGrads((x: Tensor) => sum(tanh(x)), [tensor([0.1, -0.4])]);
 */
export function checkGrads<A extends readonly unknown[]>(f: (...args: A) => Tensor, args: A, options: CheckGradsOptions = {}): void {
  const settings = {
    eps: options.eps ?? 1e-3,
    tol: options.tol ?? 1e-2,
    directions: options.directions ?? 3,
    key: options.key ?? key(0),
  };
  const [leaves, def] = treeFlatten(args as unknown as PyTree);
  const call = (xs: Tensor[]) => f(...(treeUnflatten<PyTree>(def, xs) as unknown as A));
  const [projectionKey, firstKey, secondKey, weightKey] = split(settings.key, 4);
  const scalar = scalarize(call, leaves, projectionKey);
  checkFirstOrder(scalar, leaves, { ...settings, key: firstKey }, 'first derivative');
  if ((options.order ?? 1) >= 2) {
    const weightKeys = split(weightKey, Math.max(leaves.length, 1));
    const weights = leaves.map((t, i) => randomLike(weightKeys[i], t));
    const gradientDot: FlatFn = (xs) => {
      const [, pullback] = vjp((ys: Tensor[]) => scalar(ys), xs);
      const g = pullback(fromData(new Float32Array([1]), []))[0] as Tensor[];
      return g.map((gi, i) => sum(mul(gi, weights[i]))).reduce((a, b) => add(a, b));
    };
    checkFirstOrder(gradientDot, leaves, { ...settings, key: secondKey }, 'second derivative');
  }
}
