/**
 * The interface between the DSL and a backend. `core` imports only this interface. Concrete
 * backends (cpu, gpujs) implement it and are selected with `setBackend`.
 */
import type { Aval, Graph } from './ir.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import type { Tensor } from './tensor.js';

/** A graph prepared to run many times: takes the graph's constants and inputs, in that order. */
export interface Executable {
  run(inputs: readonly Tensor[]): Tensor[];
  /** A description of what runs, for reports and tests (for example `cpu/fused-js`). */
  readonly executorKind: string;
}

export interface Backend {
  readonly name: string;
  /** Executes one primitive on concrete tensors (eager mode). */
  execute<P extends Primitive>(primitive: P, inputs: readonly Tensor[], params: PrimitiveParams[P], outputs: readonly Aval[]): Tensor[];
  /** Prepares a graph; the returned executable takes `graph.constants` values then `graph.inputs`. */
  compile(graph: Graph): Executable;
}

let active: Backend | undefined;

/** Selects the backend that eager operations and `compile` use. */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** Returns the backend in use, or throws with the fix when none has been selected. */
export function getBackend(): Backend {
  if (active === undefined) {
    throw new Error(
      "no backend is selected: import the library from its entry point ('icl-lab'), " +
        "which selects the cpu backend, or call setBackend(cpuBackend())",
    );
  }
  return active;
}
