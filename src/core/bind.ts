/**
 * `bind` applies a primitive: it infers the result type, then records an equation when a trace
 * is open or executes the primitive on the active backend when none is.
 */
import { getBackend } from './backend.js';
import { currentTrace } from './ir.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import { formatShape } from './shape.js';
import { inferAvals } from './shape-rules.js';
import type { Tensor } from './tensor.js';

export function bind<P extends Primitive>(primitive: P, inputs: readonly Tensor[], params: PrimitiveParams[P]): Tensor {
  const outputs = inferAvals(primitive, inputs, params);
  const trace = currentTrace();
  if (trace !== undefined) return trace.record(primitive, params, inputs, outputs)[0];
  for (const t of inputs) {
    if (t.isTraced) {
      throw new Error(
        `${primitive}: operand ${t.dtype}${formatShape(t.shape)} is a traced tensor that escaped its trace ` +
          '(it was stored outside the function passed to grad/compile); return it from that function instead',
      );
    }
  }
  return getBackend().execute(primitive, inputs, params, outputs)[0];
}
