/**
 * `compile(fn)`: traces `fn` once per input signature (tensor shapes and dtypes, pytree
 * structure and static leaves), optimises the graph, hands it to the backend, and caches the
 * program. Called inside another trace (grad or compile), it simply inlines `fn`.
 */
import { getBackend, type Executable } from './backend.js';
import { currentTrace, printGraph, traceGraph, type Graph } from './ir.js';
import { optimizeGraph } from './passes.js';
import { treeDefKey, treeFlatten, treeUnflatten, type PyTree, type TreeDef } from './pytree.js';
import { formatShape } from './shape.js';
import type { Tensor } from './tensor.js';

interface Compiled {
  readonly graph: Graph;
  readonly executable: Executable;
  readonly outDef: TreeDef;
}

/** A compiled function: call it like the original. */
export interface CompiledFunction<A extends readonly unknown[], R> {
  (...args: A): R;
  /** The optimised graph for these arguments (traced and cached if new). */
  lower(...args: A): Graph;
  /** The printed graph for these arguments. */
  print(...args: A): string;
  /** Number of distinct signatures traced so far. */
  readonly cacheSize: number;
  /** Executor of the last call, e.g. `cpu/interpreted`. */
  readonly executorKind: string | undefined;
}

/**
 * Compiles `fn`. Closed-over tensors become constants of the program as they were at trace
 * time; pass values that change between calls as arguments.
 *
 * @example const step = compile((p: Params, x: Tensor) => loss(p, x)); step(params, batch);
 */
export function compile<A extends readonly unknown[], R>(fn: (...args: A) => R): CompiledFunction<A, R> {
  const cache = new Map<string, Compiled>();
  let lastKind: string | undefined;

  const prepare = (args: A): [Compiled, Tensor[]] => {
    const [leaves, def] = treeFlatten(args as unknown as PyTree);
    const signature = `${treeDefKey(def)}|${leaves.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(';')}`;
    let entry = cache.get(signature);
    if (entry === undefined) {
      let outDef: TreeDef | undefined;
      const graph = optimizeGraph(
        traceGraph(leaves, (...inputs) => {
          const rebuilt = treeUnflatten<PyTree>(def, inputs) as unknown as A;
          const [outLeaves, d] = treeFlatten(fn(...rebuilt));
          outDef = d;
          return outLeaves;
        }),
      );
      entry = { graph, executable: getBackend().compile(graph), outDef: outDef! };
      cache.set(signature, entry);
    }
    return [entry, leaves];
  };

  const run = (...args: A): R => {
    if (currentTrace() !== undefined) return fn(...args);
    const [entry, leaves] = prepare(args);
    const outputs = entry.executable.run([...entry.graph.constants.map((c) => c.value), ...leaves]);
    lastKind = entry.executable.executorKind;
    return treeUnflatten<R>(entry.outDef, outputs);
  };

  return Object.defineProperties(run, {
    lower: { value: (...args: A) => prepare(args)[0].graph },
    print: { value: (...args: A) => printGraph(prepare(args)[0].graph) },
    cacheSize: { get: () => cache.size },
    executorKind: { get: () => lastKind },
  }) as CompiledFunction<A, R>;
}

/** Traces `fn` on the given arguments and returns its printed graph, without optimising it. */
export function makeGraph<A extends readonly unknown[]>(fn: (...args: A) => PyTree, ...args: A): string {
  const [leaves, def] = treeFlatten(args as unknown as PyTree);
  const graph = traceGraph(leaves, (...inputs) => treeFlatten(fn(...(treeUnflatten<PyTree>(def, inputs) as unknown as A)))[0]);
  return printGraph(graph);
}
