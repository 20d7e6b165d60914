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

/** A traced, optimised program for one input signature, with the backend's executable. */
export interface CompiledProgram<E extends Executable = Executable> {
  readonly graph: Graph;
  readonly executable: E;
  readonly outDef: TreeDef;
}

/** Programs of one function, traced once per input signature and kept for later calls. */
export interface ProgramCache<A extends readonly unknown[], E extends Executable> {
  /** Returns the program for these arguments (tracing it if the signature is new) and the flat input leaves. */
  prepare(args: A): [CompiledProgram<E>, Tensor[]];
  /** Number of distinct signatures traced so far. */
  readonly size: number;
}

/**
 * Creates the signature cache shared by `compile` and backend-specific variants such as
 * `compileAsync`. The signature is the pytree structure with its static leaves plus each tensor's
 * dtype and shape; a new one is traced, optimised and handed to `compileGraph`.
 */
export function programCache<A extends readonly unknown[], E extends Executable>(
  fn: (...args: A) => unknown,
  compileGraph: (graph: Graph) => E,
): ProgramCache<A, E> {
  const cache = new Map<string, CompiledProgram<E>>();
  return {
    prepare(args) {
      const [leaves, def] = treeFlatten(args as unknown as PyTree);
      const signature = `${treeDefKey(def)}|${leaves.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(';')}`;
      let entry = cache.get(signature);
      if (entry === undefined) {
        let outDef: TreeDef | undefined;
        const graph = optimizeGraph(
          traceGraph(leaves, (...inputs) => {
            const rebuilt = treeUnflatten<PyTree>(def, inputs) as unknown as A;
            const [outLeaves, d] = treeFlatten(fn(...rebuilt) as PyTree);
            outDef = d;
            return outLeaves;
          }),
        );
        entry = { graph, executable: compileGraph(graph), outDef: outDef! };
        cache.set(signature, entry);
      }
      return [entry, leaves];
    },
    get size() {
      return cache.size;
    },
  };
}

/** Returns the inputs of a program run: the graph's constants, then the argument leaves. */
export function programInputs(program: CompiledProgram, leaves: readonly Tensor[]): Tensor[] {
  return [...program.graph.constants.map((c) => c.value), ...leaves];
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
  const programs = programCache(fn, (graph) => getBackend().compile(graph));
  let lastKind: string | undefined;

  const run = (...args: A): R => {
    if (currentTrace() !== undefined) return fn(...args);
    const [program, leaves] = programs.prepare(args);
    const outputs = program.executable.run(programInputs(program, leaves));
    lastKind = program.executable.executorKind;
    return treeUnflatten<R>(program.outDef, outputs);
  };

  return Object.defineProperties(run, {
    lower: { value: (...args: A) => programs.prepare(args)[0].graph },
    print: { value: (...args: A) => printGraph(programs.prepare(args)[0].graph) },
    cacheSize: { get: () => programs.size },
    executorKind: { get: () => lastKind },
  }) as CompiledFunction<A, R>;
}

/** Traces `fn` on the given arguments and returns its printed graph, without optimising it. */
export function makeGraph<A extends readonly unknown[]>(fn: (...args: A) => PyTree, ...args: A): string {
  const [leaves, def] = treeFlatten(args as unknown as PyTree);
  const graph = traceGraph(leaves, (...inputs) => treeFlatten(fn(...(treeUnflatten<PyTree>(def, inputs) as unknown as A)))[0]);
  return printGraph(graph);
}
