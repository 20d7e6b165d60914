/**
 * Finite task pools: a fixed set of K functions drawn once from a pool key, from which every
 * prompt picks one uniformly (with replacement across the prompts of a batch). Garg et al.'s
 * `num_tasks` option is the same idea, but their batches pick without replacement.
 */
import type { Key } from '../core/prng.js';
import { checkNumber } from './checks.js';
import { checkFunctionShape, type FunctionClass, type TaskFunction } from './function-class.js';
import { replicate, uniformIndex } from './sampler.js';

/** Options of `taskPool`. */
export interface PoolOptions {
  /** Number K of functions in the pool. */
  readonly size: number;
  /** Key the pool is drawn from. The same key gives the same pool. */
  readonly poolKey: Key;
}

/**
 * Restricts `functions` to a pool of `size` functions drawn from `poolKey`. The pool is drawn
 * once for each (d, activeDims) the class is sampled with, then reused. The key passed to the
 * returned sampler only chooses the pool member.
 *
 * @example taskPool(linearRegression(), { size: 32, poolKey: key(7) })
 */
export function taskPool<P>(functions: FunctionClass<P>, options: PoolOptions): FunctionClass<P> {
  checkNumber('taskPool', 'size', options.size, { integer: true, min: 1 }, 'pass a positive pool size such as 32');
  const pools = new Map<string, TaskFunction<P>[]>();
  return {
    ...functions,
    label: `${functions.label}[pool of ${options.size}]`,
    sample: (shape) => {
      checkFunctionShape('taskPool', shape);
      const cacheKey = `${shape.d}:${shape.activeDims}`;
      let pool = pools.get(cacheKey);
      if (pool === undefined) {
        pool = replicate(options.size)(functions.sample(shape))(options.poolKey);
        pools.set(cacheKey, pool);
      }
      const members = pool;
      const choose = uniformIndex(options.size);
      return (k) => members[choose(k)];
    },
  };
}
