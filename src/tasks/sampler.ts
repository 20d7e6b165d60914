/**
 * `Sampler<A>`: a pure function from a PRNG key to a value. The same key always gives the same
 * value, and combinators that run several samplers split the key first, so their draws are
 * independent. Combinators are data-last for `pipe`, and `Monad` is the fp-ts instance.
 *
 * Each stage of `chain` draws from a split key, so the monad laws hold in distribution but not
 * value by value for a fixed key. For example, `chain(f)(of(a))` draws `f(a)` with the second half
 * of the split key rather than with the key itself. QuickCheck's `Gen` has the same property.
 */
import type { Monad1 } from 'fp-ts/lib/Monad.js';
import { normal64, randint64, split, uniform64, type Key } from '../core/prng.js';

/** A pure random value: returns the same `A` for the same key. */
export type Sampler<A> = (key: Key) => A;

/** The fp-ts URI of `Sampler`. */
export const URI = 'icl-lab/Sampler';
export type URI = typeof URI;

declare module 'fp-ts/lib/HKT' {
  interface URItoKind<A> {
    readonly [URI]: Sampler<A>;
  }
}

/** Returns a sampler that ignores its key and always returns `value`. */
export function of<A>(value: A): Sampler<A> {
  return () => value;
}

/** Applies `f` to the sampled value. The key goes to `sampler` unchanged. */
export function map<A, B>(f: (a: A) => B): (sampler: Sampler<A>) => Sampler<B> {
  return (sampler) => (k) => f(sampler(k));
}

/**
 * Samples `a` from `sampler`, then samples from `f(a)`. The key is split in two, the first half
 * drawing `a` and the second drawing from `f(a)`, so the stages are independent.
 *
 * @example pipe(uniformIndex(3), chain((i) => normalVector(i + 1))) // a vector of random length 1..3
 */
export function chain<A, B>(f: (a: A) => Sampler<B>): (sampler: Sampler<A>) => Sampler<B> {
  return (sampler) => (k) => {
    const [first, second] = split(k, 2);
    return f(sampler(first))(second);
  };
}

/** Samples a function and an argument with independent keys and applies one to the other. */
export function ap<A>(argument: Sampler<A>): <B>(functions: Sampler<(a: A) => B>) => Sampler<B> {
  return (functions) => (k) => {
    const [first, second] = split(k, 2);
    return functions(first)(argument(second));
  };
}

/** Pairs the value of `sampler` with an independent draw of `other`. */
export function zip<B>(other: Sampler<B>): <A>(sampler: Sampler<A>) => Sampler<[A, B]> {
  return (sampler) => (k) => {
    const [first, second] = split(k, 2);
    return [sampler(first), other(second)];
  };
}

/** Draws every sampler of the list with its own split key and returns the values in order. */
export function sequence<A>(samplers: readonly Sampler<A>[]): Sampler<A[]> {
  return (k) => {
    if (samplers.length === 0) return [];
    const keys = split(k, samplers.length);
    return samplers.map((sampler, i) => sampler(keys[i]));
  };
}

/** Draws `count` independent values from `sampler`. */
export function replicate(count: number): <A>(sampler: Sampler<A>) => Sampler<A[]> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`replicate: count must be a non-negative integer, got ${count}`);
  }
  return (sampler) => (k) => {
    if (count === 0) return [];
    return split(k, count).map(sampler);
  };
}

/** Draws an integer uniformly from {0, ..., count - 1}. */
export function uniformIndex(count: number): Sampler<number> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`uniformIndex: count must be a positive integer, got ${count}`);
  }
  return (k) => randint64(k, 1, 0, count)[0];
}

/** Draws a float64 vector of `length` independent N(0, 1) values. */
export function normalVector(length: number): Sampler<Float64Array> {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`normalVector: length must be a non-negative integer, got ${length}`);
  }
  return (k) => normal64(k, length);
}

/**
 * Draws an index i with probability weights[i] / sum(weights). Weights must be finite and
 * non-negative, and at least one must be positive. An index with weight 0 is never drawn.
 */
export function categorical(weights: readonly number[]): Sampler<number> {
  const cumulative = cumulativeWeights('categorical', weights);
  const total = cumulative[cumulative.length - 1];
  return (k) => {
    const target = uniform64(k, 1)[0] * total;
    for (let i = 0; i < cumulative.length; i++) {
      if (target < cumulative[i]) return i;
    }
    // Rounding in the cumulative sums can leave target == total, so take the last positive weight.
    return lastPositive(weights);
  };
}

/**
 * Draws a component with probability proportional to its weight, then samples from it. The key
 * is split so the choice and the draw are independent.
 *
 * @example mixture([[0.5, gaussianVector], [0.5, laplaceVector]])
 */
export function mixture<A>(components: readonly (readonly [weight: number, sampler: Sampler<A>])[]): Sampler<A> {
  if (components.length === 0) {
    throw new RangeError('mixture: components must not be empty; pass at least one [weight, sampler] pair');
  }
  const choose = categorical(components.map(([weight]) => weight));
  return (k) => {
    const [choiceKey, drawKey] = split(k, 2);
    return components[choose(choiceKey)][1](drawKey);
  };
}

/** The fp-ts `Monad` instance of `Sampler` (uncurried forms of `map`, `ap`, `chain` and `of`). */
export const Monad: Monad1<URI> = {
  URI,
  map: (fa, f) => map(f)(fa),
  ap: (fab, fa) => ap(fa)(fab),
  of,
  chain: (fa, f) => chain(f)(fa),
};

function cumulativeWeights(op: string, weights: readonly number[]): number[] {
  if (weights.length === 0) {
    throw new RangeError(`${op}: weights must not be empty; pass one weight per component`);
  }
  const cumulative: number[] = [];
  let total = 0;
  weights.forEach((weight, i) => {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`${op}: weight ${i} must be a finite number >= 0, got ${weight}`);
    }
    total += weight;
    cumulative.push(total);
  });
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new RangeError(
      `${op}: weights must have a finite positive sum, got [${weights.join(', ')}]; give at least one component a positive weight`,
    );
  }
  return cumulative;
}

function lastPositive(weights: readonly number[]): number {
  for (let i = weights.length - 1; i >= 0; i--) {
    if (weights[i] > 0) return i;
  }
  return weights.length - 1;
}
