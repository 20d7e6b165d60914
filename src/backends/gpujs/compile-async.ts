/**
 * `compileAsync(fn, backend)`: the asynchronous counterpart of `compile`, for backends whose
 * results come back asynchronously (webgpu in a browser). It traces `fn` once per input
 * signature like `compile`, runs the program with `runAsync`, and resolves with the outputs.
 */
import { currentTrace, printGraph, traceGraph, type Graph } from '../../core/ir.js';
import { optimizeGraph } from '../../core/passes.js';
import { treeDefKey, treeFlatten, treeUnflatten, type PyTree, type TreeDef } from '../../core/pytree.js';
import { formatShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import type { GpujsBackend, GpujsExecutable } from './backend.js';

/** A function compiled by `compileAsync`: call it like the original and await the result. */
export interface AsyncCompiledFunction<A extends readonly unknown[], R> {
  (...args: A): Promise<R>;
  /** The printed, optimised graph for these arguments. */
  print(...args: A): string;
  /** Number of distinct signatures traced so far. */
  readonly cacheSize: number;
  /** Executor of the last call, e.g. `gpujs/webgpu/pipeline`. */
  readonly executorKind: string | undefined;
}

interface Entry {
  readonly graph: Graph;
  readonly executable: GpujsExecutable;
  readonly outDef: TreeDef;
}

/**
 * Compiles `fn` for `backend` and returns an asynchronous function. Closed-over tensors become
 * constants as they were at trace time.
 *
 * @example
 * const step = compileAsync((p: Params, x: Tensor) => loss(p, x), await gpujsBackend({ mode: 'webgpu' }));
 * const value = await step(params, batch);
 */
export function compileAsync<A extends readonly unknown[], R>(fn: (...args: A) => R, backend: GpujsBackend): AsyncCompiledFunction<A, R> {
  const cache = new Map<string, Entry>();
  let lastKind: string | undefined;

  const prepare = (args: A): [Entry, Tensor[]] => {
    const [leaves, def] = treeFlatten(args as unknown as PyTree);
    const signature = `${treeDefKey(def)}|${leaves.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(';')}`;
    let entry = cache.get(signature);
    if (entry === undefined) {
      let outDef: TreeDef | undefined;
      const graph = optimizeGraph(
        traceGraph(leaves, (...inputs) => {
          const [outLeaves, d] = treeFlatten(fn(...(treeUnflatten<PyTree>(def, inputs) as unknown as A)));
          outDef = d;
          return outLeaves;
        }),
      );
      entry = { graph, executable: backend.compile(graph), outDef: outDef! };
      cache.set(signature, entry);
    }
    return [entry, leaves];
  };

  const run = async (...args: A): Promise<R> => {
    if (currentTrace() !== undefined) {
      throw new Error('compileAsync: a function compiled for asynchronous execution cannot be called inside grad or compile; call fn itself there');
    }
    const [entry, leaves] = prepare(args);
    const outputs = await entry.executable.runAsync([...entry.graph.constants.map((c) => c.value), ...leaves]);
    lastKind = entry.executable.executorKind;
    return treeUnflatten<R>(entry.outDef, outputs);
  };

  return Object.defineProperties(run, {
    print: { value: (...args: A) => printGraph(prepare(args)[0].graph) },
    cacheSize: { get: () => cache.size },
    executorKind: { get: () => lastKind },
  }) as AsyncCompiledFunction<A, R>;
}
