/**
 * The cpu backend: eager execution with the reference kernels, and compiled programs that run a
 * planned list of kernels over a graph.
 */
import type { Backend, Executable } from '../../core/backend.js';
import type { Aval, Graph } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { Tensor } from '../../core/tensor.js';
import { cpuKernels, type Kernel } from './kernels.js';
import { compileGraph } from './program.js';

function execute<P extends Primitive>(primitive: P, inputs: readonly Tensor[], params: PrimitiveParams[P], outputs: readonly Aval[]): Tensor[] {
  const kernel = cpuKernels[primitive] as Kernel<P>;
  const operands = inputs.map((t) => ({ data: t.concrete(primitive), shape: t.shape }));
  const out = outputs[0];
  return [new Tensor(out.shape, out.dtype, kernel(operands, params, out), null)];
}

/** Creates the cpu backend. */
export function cpuBackend(): Backend {
  return {
    name: 'cpu',
    execute,
    compile: (graph: Graph): Executable => compileGraph(graph),
  };
}
