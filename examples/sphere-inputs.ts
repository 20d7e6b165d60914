/**
 * A user-written input distribution: points drawn uniformly on the sphere of radius sqrt(a) in
 * the a active coordinates (a Gaussian draw divided by its norm), so E[x x^T] = I on those
 * coordinates as for standard normal inputs, but every point has the same norm. It plugs into
 * prompt batches and curricula like the built-in distributions; sphere-inputs.test.ts checks
 * it with the library's fast-check arbitraries.
 *
 * Run: npx tsx examples/sphere-inputs.ts
 */
import { key, normal64 } from '../src/index.js';
import { linearRegression, promptBatch, type InputDistribution, type Points } from '../src/tasks/index.js';

/**
 * Uniform points on the sphere of radius sqrt(activeDims); inactive coordinates are 0.
 *
 * @example sphereInputs().sample({ n: 16, d: 5, activeDims: 5 })(key(0)).data.length // 80
 */
export function sphereInputs(): InputDistribution {
  return {
    name: 'sphere',
    label: 'sphere',
    sample: ({ n, d, activeDims }) => {
      if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || !Number.isInteger(activeDims) || activeDims < 1 || activeDims > d) {
        throw new RangeError(`sphere: need integers n >= 1 and 1 <= activeDims <= d, got n = ${n}, d = ${d}, activeDims = ${activeDims}`);
      }
      return (k): Points => {
        const z = normal64(k, n * activeDims);
        const data = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
          let norm = 0;
          for (let j = 0; j < activeDims; j++) norm += z[i * activeDims + j] ** 2;
          const scale = Math.sqrt(activeDims / norm);
          for (let j = 0; j < activeDims; j++) data[i * d + j] = z[i * activeDims + j] * scale;
        }
        return { n, d, data };
      };
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const batch = promptBatch({ inputs: sphereInputs(), functions: linearRegression(), points: 8, dims: 5, batchSize: 2 })(key(0));
  console.log(`xs ${JSON.stringify(batch.xs.shape)}, first point ${Array.from(batch.xs64.subarray(0, 5), (v) => v.toFixed(3)).join(' ')}`);
}
