/**
 * The cpu backend: eager execution with the reference kernels, and compiled programs that run
 * fused elementwise loops and kernels over preallocated buffers.
 */
import type { Backend, Executable } from '../../core/backend.js';
import type { Aval, Graph } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import { Tensor } from '../../core/tensor.js';
import { runKernel } from './kernels.js';
import { activeMatmul, type CpuMatmulKind } from './matmul-dispatch.js';
import { compileGraph } from './program.js';

function execute<P extends Primitive>(primitive: P, inputs: readonly Tensor[], params: PrimitiveParams[P], outputs: readonly Aval[]): Tensor[] {
  const operands = inputs.map((t) => ({ data: t.concrete(primitive), shape: t.shape }));
  const out = outputs[0];
  return [new Tensor(out.shape, out.dtype, runKernel(primitive, operands, params, out), null)];
}

/** The cpu backend, with the matmul kernel it runs. */
export interface CpuBackend extends Backend {
  /** `wasm-simd` (generated WebAssembly SIMD, float32 accumulation) or `js` (float64 accumulation). */
  readonly matmulKernel: CpuMatmulKind;
}

/**
 * Creates the cpu backend.
 *
 * @example setBackend(cpuBackend()); cpuBackend().matmulKernel // 'wasm-simd' on Node 20
 */
export function cpuBackend(): CpuBackend {
  return {
    name: 'cpu',
    execute,
    compile: (graph: Graph): Executable => compileGraph(graph),
    get matmulKernel() {
      return activeMatmul().kind;
    },
  };
}
