/**
 * Compiled cpu programs: a graph becomes a flat list of steps over numbered slots, planned once,
 * so a run does no tracing, shape inference or map lookups; only kernel calls remain.
 */
import type { Executable } from '../../core/backend.js';
import type { DataArray } from '../../core/dtype.js';
import type { Graph, Var } from '../../core/ir.js';
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';
import type { Shape } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import { cpuKernels, type Kernel, type Operand } from './kernels.js';

interface Step {
  readonly kernel: Kernel<Primitive>;
  readonly params: PrimitiveParams[Primitive];
  readonly inputs: readonly number[];
  readonly output: number;
  readonly shapes: readonly Shape[];
  readonly out: Var['aval'];
}

/** Plans a graph into steps over slots: constants, then inputs, then one slot per equation. */
export function compileGraph(graph: Graph): Executable {
  const slot = new Map<Var, number>();
  const leading = [...graph.constants.map((c) => c.variable), ...graph.inputs];
  leading.forEach((v, i) => slot.set(v, i));
  const steps: Step[] = graph.equations.map((eq) => {
    const output = slot.size;
    slot.set(eq.outputs[0], output);
    return {
      kernel: cpuKernels[eq.primitive] as Kernel<Primitive>,
      params: eq.params,
      inputs: eq.inputs.map((v) => slot.get(v)!),
      output,
      shapes: eq.inputs.map((v) => v.aval.shape),
      out: eq.outputs[0].aval,
    };
  });
  const outputSlots = graph.outputs.map((v) => slot.get(v)!);
  const outputAvals = graph.outputs.map((v) => v.aval);
  const slotCount = slot.size;
  return {
    executorKind: 'cpu/interpreted',
    run(inputs: readonly Tensor[]): Tensor[] {
      if (inputs.length !== leading.length) {
        throw new Error(`compiled program: expected ${leading.length} inputs (constants and arguments), got ${inputs.length}`);
      }
      const slots = new Array<DataArray>(slotCount);
      inputs.forEach((t, i) => (slots[i] = t.concrete('compiled program')));
      for (const step of steps) {
        const operands: Operand[] = step.inputs.map((s, i) => ({ data: slots[s], shape: step.shapes[i] }));
        slots[step.output] = step.kernel(operands, step.params, step.out);
      }
      // Outputs share storage with the slots, and through reshape possibly with the inputs.
      // That is safe because no tensor's storage is ever written after it is created.
      return outputSlots.map((s, i) => new Tensor(outputAvals[i].shape, outputAvals[i].dtype, slots[s], null));
    },
  };
}
