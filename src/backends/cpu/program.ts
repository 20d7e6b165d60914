/**
 * Compiled cpu programs: a graph is planned once (fused elementwise loops, kernels, views and
 * buffers; see plan.ts) into a list of steps over numbered slots. A run fills the input slots,
 * runs the steps, and wraps the output slots in tensors; it allocates only the outputs.
 *
 * With the WebAssembly matmul, the planned buffers live in one WebAssembly memory per program,
 * and products, SIMD elementwise groups, sums and strided copies run as generated WebAssembly in
 * place (wasm-program.ts). Program inputs that those steps read are copied into the memory at
 * the start of a run, and program outputs that they write are copied out at the end; JavaScript
 * steps work on views of the same memory.
 */
import type { Executable } from '../../core/backend.js';
import { allocate, type DataArray } from '../../core/dtype.js';
import type { Equation, Graph, Var } from '../../core/ir.js';
import type { Primitive } from '../../core/primitives.js';
import { sizeOf, type Shape } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import { buildFusedLoop, type FusedLoopContext } from './fused-loop.js';
import { cpuKernels, type Kernel } from './kernels.js';
import { activeMatmul } from './matmul-dispatch.js';
import { planProgram } from './plan.js';
import { profilingEnabled, timeStep } from './profile.js';
import { arrayView, buildWasmSteps, describeStep, layOutMemory, selectWasmSteps, type HelperBinding, type Step } from './wasm-program.js';
import { helperThread } from './wasm/helper-thread.js';
import { DEFAULT_TILING, matmulModule } from './wasm/matmul-runtime.js';

interface MutableOperand {
  data: DataArray;
  readonly shape: Shape;
}

const EMPTY = new Float32Array(0);

function kernelStep(eq: Equation, slotOf: (v: Var) => number, isFresh: (v: Var) => boolean): Step {
  const kernel = cpuKernels[eq.primitive] as Kernel<Primitive>;
  const out = eq.outputs[0];
  const outSlot = slotOf(out);
  const fresh = isFresh(out);
  const inputSlots = eq.inputs.map(slotOf);
  const operands: MutableOperand[] = eq.inputs.map((v) => ({ data: EMPTY, shape: v.aval.shape }));
  const size = sizeOf(out.aval.shape);
  return {
    label: describeStep(eq),
    run: (slots) => {
      for (let k = 0; k < operands.length; k++) operands[k].data = slots[inputSlots[k]];
      const target = fresh ? (slots[outSlot] = allocate(out.aval.dtype, size)) : slots[outSlot];
      kernel(operands, eq.params, out.aval, target);
    },
  };
}

/** Detaches a program's instance from the helper thread once the program is garbage-collected. */
const helperPrograms = new FinalizationRegistry<HelperBinding>(({ thread, program }) => thread.detach(program));

/** Plans and compiles a graph into an executable of the cpu backend. */
export function compileGraph(graph: Graph): Executable {
  const plan = planProgram(graph);
  const leadingCount = graph.constants.length + graph.inputs.length;
  const rootOf = (v: Var): Var => plan.rootOf.get(v) ?? v;
  const slotOf = (v: Var): number => plan.slotOf.get(rootOf(v))!;
  const slots = new Array<DataArray>(plan.slotCount);
  const matmulKind = activeMatmul().kind;

  const selection = matmulKind === 'wasm-simd' ? selectWasmSteps(plan, rootOf) : undefined;
  const thread = selection !== undefined && selection.products.length > 0 ? helperThread() : null;
  // NOTE: a program whose buffers exceed 4 GiB runs without the memory: JavaScript steps, and
  // products through the eager WebAssembly routine, which copies operands in and out.
  const layout = selection === undefined ? null : layOutMemory(plan, selection, thread !== null, slots, slotOf);
  const helper = thread !== null && layout !== null ? { thread, program: thread.attach(matmulModule(DEFAULT_TILING, true), layout.memory) } : undefined;
  const wasmSteps = selection !== undefined && layout !== null ? buildWasmSteps(plan, selection, layout, rootOf, slotOf, helper) : new Map();
  if (layout === null) {
    const buffers = plan.bufferBytes.map((bytes) => new ArrayBuffer(bytes));
    for (const [v, where] of plan.storage) {
      if (where.kind === 'arena') slots[slotOf(v)] = arrayView(v.aval.dtype, buffers[where.buffer], 0, sizeOf(v.aval.shape));
    }
  }

  const stagedInputs = layout?.stagedInputs ?? [];
  const stagedOutputs = layout?.stagedOutputs ?? new Set<number>();
  // A program output gets a new array per run, unless it lives in the memory and is copied out.
  const isFresh = (v: Var): boolean => plan.storage.get(v)?.kind === 'fresh' && !stagedOutputs.has(slotOf(v));
  const context: FusedLoopContext = { rootOf, slotOf, isWritten: (v) => plan.slotOf.has(v), isFresh };
  const steps: Step[] = plan.steps.map((step) => {
    const wasm = wasmSteps.get(step);
    if (wasm !== undefined) return wasm;
    if (step.kind === 'kernel') return kernelStep(step.equation, slotOf, isFresh);
    const loop = buildFusedLoop(step.members, step.size, context);
    return { run: loop.run, label: loop.label };
  });
  const outputSlots = graph.outputs.map(slotOf);
  const outputAvals = graph.outputs.map((v) => v.aval);
  const simd = (selection?.simdGroups.length ?? 0) > 0 && layout !== null;

  const executable: Executable = {
    executorKind: `cpu/fused-${simd ? 'simd' : 'js'}+${matmulKind}-matmul${helper === undefined ? '' : '+2-threads'}`,
    run(inputs: readonly Tensor[]): Tensor[] {
      if (inputs.length !== leadingCount) {
        throw new Error(`compiled program: expected ${leadingCount} inputs (constants and arguments), got ${inputs.length}`);
      }
      for (let i = 0; i < leadingCount; i++) slots[i] = inputs[i].concrete('compiled program');
      for (const { slot, view } of stagedInputs) view.set(slots[slot]);
      if (profilingEnabled()) {
        for (const step of steps) timeStep(step.label, () => step.run(slots));
      } else {
        for (const step of steps) step.run(slots);
      }
      // Outputs are fresh arrays, copies of memory views, or program inputs (possibly through views).
      const results = outputSlots.map((s, i) => {
        const data = stagedOutputs.has(s) ? slots[s].slice() : slots[s];
        return new Tensor(outputAvals[i].shape, outputAvals[i].dtype, data, null);
      });
      for (let i = 0; i < leadingCount; i++) slots[i] = EMPTY;
      return results;
    },
  };
  if (helper !== undefined) helperPrograms.register(executable, helper);
  return executable;
}
