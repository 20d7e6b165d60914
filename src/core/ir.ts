/**
 * The IR: a traced function is a `Graph`, a list of equations in SSA form over typed variables
 * (in the spirit of a Jaxpr). Tracing records every primitive applied while a `Trace` is on top
 * of the trace stack; tensors created outside the trace become the graph's constants.
 */
import type { DType } from './dtype.js';
import { formatShape, type Shape } from './shape.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import { Tensor } from './tensor.js';

/** Abstract value: what is known about a tensor while tracing. */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A variable of a graph. Identity matters: two variables are never merged because values agree. */
export class Var {
  constructor(
    readonly id: number,
    readonly aval: Aval,
    /** @internal The trace that created the variable. */
    readonly owner: Trace,
  ) {}
}

export interface Equation<P extends Primitive = Primitive> {
  readonly primitive: P;
  readonly params: PrimitiveParams[P];
  readonly inputs: readonly Var[];
  readonly outputs: readonly Var[];
}

/** A constant captured by a graph: a concrete tensor, or a tensor of an enclosing trace. */
export interface Constant {
  readonly variable: Var;
  readonly value: Tensor;
}

/** A traced function: inputs, captured constants, equations in order, outputs. */
export interface Graph {
  readonly inputs: readonly Var[];
  readonly constants: readonly Constant[];
  readonly equations: readonly Equation[];
  readonly outputs: readonly Var[];
}

/** An open trace: records equations until it is closed into a `Graph`. */
export class Trace {
  private nextId = 0;
  readonly inputs: Var[] = [];
  readonly equations: Equation[] = [];
  private readonly lifted = new Map<Tensor, Var>();
  private readonly constants: Constant[] = [];

  newVar(aval: Aval): Var {
    return new Var(this.nextId++, { shape: [...aval.shape], dtype: aval.dtype }, this);
  }

  /** Adds a graph input and returns the traced tensor that stands for it. */
  addInput(aval: Aval): Tensor {
    const v = this.newVar(aval);
    this.inputs.push(v);
    return new Tensor(aval.shape, aval.dtype, null, v);
  }

  /** Returns a tensor's variable in this trace. A tensor from outside becomes a constant, once. */
  variableOf(t: Tensor): Var {
    if (t.variable !== null && t.variable.owner === this) return t.variable;
    const known = this.lifted.get(t);
    if (known) return known;
    const v = this.newVar(t);
    this.lifted.set(t, v);
    this.constants.push({ variable: v, value: t });
    return v;
  }

  record<P extends Primitive>(primitive: P, params: PrimitiveParams[P], inputs: readonly Tensor[], outAvals: readonly Aval[]): Tensor[] {
    const inputVars = inputs.map((t) => this.variableOf(t));
    const outputs = outAvals.map((a) => this.newVar(a));
    this.equations.push({ primitive, params, inputs: inputVars, outputs });
    return outputs.map((v) => new Tensor(v.aval.shape, v.aval.dtype, null, v));
  }

  close(outputs: readonly Tensor[]): Graph {
    const outputVars = outputs.map((t) => this.variableOf(t));
    return { inputs: [...this.inputs], constants: [...this.constants], equations: [...this.equations], outputs: outputVars };
  }
}

const traceStack: Trace[] = [];

/** Returns the innermost open trace, if any. */
export function currentTrace(): Trace | undefined {
  return traceStack[traceStack.length - 1];
}

/**
 * Traces `fn` on inputs with the given abstract values and returns its graph. Every primitive
 * applied inside, on any tensor, is recorded (tensors from outside become constants).
 */
export function traceGraph(inputAvals: readonly Aval[], fn: (...inputs: Tensor[]) => readonly Tensor[]): Graph {
  const trace = new Trace();
  const inputs = inputAvals.map((a) => trace.addInput(a));
  traceStack.push(trace);
  let outputs: readonly Tensor[];
  try {
    outputs = fn(...inputs);
  } finally {
    traceStack.pop();
  }
  return trace.close(outputs);
}

function varName(index: number): string {
  let name = '';
  let n = index;
  do {
    name = String.fromCharCode(97 + (n % 26)) + name;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return name;
}

function formatParams(params: object): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '';
  const text = entries
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
    .join(' ');
  return `[${text}]`;
}

/**
 * Prints a graph readably, one equation per line, e.g.
 * `{ lambda a:f32[3] ; b:f32[3]. let c:f32[3] = mul b b ; in (c) }` spread over lines.
 */
export function printGraph(graph: Graph): string {
  const names = new Map<Var, string>();
  const name = (v: Var): string => {
    let n = names.get(v);
    if (n === undefined) {
      n = varName(names.size);
      names.set(v, n);
    }
    return n;
  };
  const typed = (v: Var): string => `${name(v)}:${v.aval.dtype}${formatShape(v.aval.shape)}`;
  const consts = graph.constants.map((c) => typed(c.variable)).join(' ');
  const inputs = graph.inputs.map(typed).join(' ');
  const lines = [`{ lambda ${consts}; ${inputs}. let`];
  for (const eq of graph.equations) {
    const outs = eq.outputs.map(typed).join(' ');
    const ins = eq.inputs.map(name).join(' ');
    lines.push(`    ${outs} = ${eq.primitive}${formatParams(eq.params)} ${ins}`.trimEnd());
  }
  lines.push(`  in (${graph.outputs.map(name).join(', ')}) }`);
  return lines.join('\n');
}
