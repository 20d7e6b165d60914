/**
 * `compileAsync(fn, backend)`: the asynchronous counterpart of `compile`, for backends whose
 * results come back asynchronously (webgpu in a browser). It traces `fn` once per input
 * signature like `compile`, runs the program with `runAsync`, and resolves with the outputs.
 */
import { programCache, programInputs } from '../../core/compile.js';
import { currentTrace, printGraph } from '../../core/ir.js';
import { treeUnflatten } from '../../core/pytree.js';
import type { GpujsBackend } from './backend.js';

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

/**
 * Compiles `fn` for `backend` and returns an asynchronous function. Closed-over tensors become
 * constants as they were at trace time.
 *
 * @example
 * const step = compileAsync((p: Params, x: Tensor) => loss(p, x), await gpujsBackend({ mode: 'webgpu' }));
 * const value = await step(params, batch);
 */
export function compileAsync<A extends readonly unknown[], R>(fn: (...args: A) => R, backend: GpujsBackend): AsyncCompiledFunction<A, R> {
  const programs = programCache(fn, (graph) => backend.compile(graph));
  let lastKind: string | undefined;

  const run = async (...args: A): Promise<R> => {
    if (currentTrace() !== undefined) {
      throw new Error('compileAsync: a function compiled for asynchronous execution cannot be called inside grad or compile; call fn itself there');
    }
    const [program, leaves] = programs.prepare(args);
    const outputs = await program.executable.runAsync(programInputs(program, leaves));
    lastKind = program.executable.executorKind;
    return treeUnflatten<R>(program.outDef, outputs);
  };

  return Object.defineProperties(run, {
    print: { value: (...args: A) => printGraph(programs.prepare(args)[0].graph) },
    cacheSize: { get: () => programs.size },
    executorKind: { get: () => lastKind },
  }) as AsyncCompiledFunction<A, R>;
}
