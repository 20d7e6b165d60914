/**
 * Generates one JavaScript loop for a group of elementwise equations over the same number of
 * elements (a fused loop), and the single-primitive loops of eager mode. Members of a group are
 * elementwise primitives and broadcasts of values computed before the group, read through an
 * index map instead of being copied. Reshapes are views that the planner resolves. Every
 * member's value is rounded to its dtype as a store would round it, so a fused loop gives the
 * same bits as running its members one by one.
 */
import type { DataArray, DType } from '../../core/dtype.js';
import type { Equation, Var } from '../../core/ir.js';
import { broadcastIndexExpression } from './broadcast-index.js';
import {
  ARRAY_NAME, compileGenerated, elementwiseExpression, isCodePrimitive, roundToDtype, type CodePrimitive,
} from './elementwise-code.js';

/** True when `primitive` always yields a number that its dtype stores exactly, so rounding can be skipped. */
function isExact(primitive: CodePrimitive, out: DType): boolean {
  switch (primitive) {
    case 'where':
    case 'stop_gradient':
    case 'sign':
    case 'max':
    case 'min':
      return true;
    case 'neg':
    case 'abs':
      return out === 'f32';
    case 'cast':
      return out === 'bool';
    default:
      return false;
  }
}

/** True for equations that can be members of a fused loop. */
export function isFusable(eq: Equation): boolean {
  return isCodePrimitive(eq.primitive) || eq.primitive === 'broadcast';
}

/** Slot access of a fused loop: views, slots and which values it stores. */
export interface FusedLoopContext {
  /** The value whose storage a variable views (the variable itself unless it is a reshape or view broadcast). */
  rootOf(v: Var): Var;
  /** The slot index of a variable's storage (after resolving views). */
  slotOf(v: Var): number;
  /** True when a member's value must be written to its slot (someone outside the group reads it). */
  isWritten(v: Var): boolean;
  /** True when the slot of a written value gets a fresh array on every run (a program output). */
  isFresh(v: Var): boolean;
}

/** A compiled fused loop. */
export interface FusedLoop {
  /** Runs the loop over the program's slot arrays. */
  readonly run: (slots: DataArray[]) => void;
  /** The generated source, for tests and profiles. */
  readonly source: string;
  /** Short description: member primitives and element count. */
  readonly label: string;
}

/**
 * A member's value in generated code: a JavaScript number (an identifier), or, for comparisons
 * and logical operations, a JavaScript boolean expression. Booleans are written inline where they
 * are used as conditions: V8 compiles `(g === 0 && x !== x) ? 0 : x` to branches, but runs 3 to 5
 * times slower when the same conditions pass through 0/1 numbers or boolean locals (measured with
 * Node 20 on the gradient guards of a multiplication chain).
 */
interface Value {
  readonly text: string;
  readonly boolean: boolean;
}

/** Boolean expressions longer than this are bound to a local rather than repeated at each use. */
const MAX_INLINE_BOOLEAN = 160;

const COMPARISON_OPERATOR: Partial<Record<CodePrimitive, string>> = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '===', ne: '!==' };

function asNumber(v: Value): string {
  return v.boolean ? `(${v.text} ? 1 : 0)` : v.text;
}

function asBoolean(v: Value): string {
  return v.boolean ? v.text : `(${v.text} !== 0)`;
}

/** Returns the boolean expression of a comparison or logical primitive, or null for the others. */
function booleanExpression(primitive: CodePrimitive, args: readonly Value[], out: DType): string | null {
  const operator = COMPARISON_OPERATOR[primitive];
  if (operator !== undefined) return `(${asNumber(args[0])} ${operator} ${asNumber(args[1])})`;
  switch (primitive) {
    case 'logical_and': return `(${asBoolean(args[0])} && ${asBoolean(args[1])})`;
    case 'logical_or': return `(${asBoolean(args[0])} || ${asBoolean(args[1])})`;
    case 'logical_not': return `(!${asBoolean(args[0])})`;
    case 'cast': return out === 'bool' ? `(${asNumber(args[0])} !== 0)` : null;
    case 'where': return out === 'bool' ? `(${asBoolean(args[0])} ? ${asBoolean(args[1])} : ${asBoolean(args[2])})` : null;
    case 'stop_gradient': return args[0].boolean ? args[0].text : null;
    default: return null;
  }
}

/** Generates and compiles the loop of `members` (in program order), each with `size` elements. */
export function buildFusedLoop(members: readonly Equation[], size: number, context: FusedLoopContext): FusedLoop {
  const prologue: string[] = [];
  const body: string[] = [];
  const values = new Map<Var, Value>();
  const arrays = new Map<number, string>();
  let counter = 0;

  const arrayOf = (v: Var): string => {
    const slot = context.slotOf(v);
    let name = arrays.get(slot);
    if (name === undefined) {
      name = `a${arrays.size}`;
      arrays.set(slot, name);
      prologue.push(`const ${name} = slots[${slot}];`);
    }
    return name;
  };

  const valueOf = (v: Var): Value => {
    const root = context.rootOf(v);
    let value = values.get(root);
    if (value === undefined) {
      const name = `v${counter++}`;
      body.push(`const ${name} = ${arrayOf(root)}[i];`);
      value = { text: name, boolean: false };
      values.set(root, value);
    }
    return value;
  };

  for (const eq of members) {
    const out = eq.outputs[0];
    const dtype = out.aval.dtype;
    let value: Value;
    if (eq.primitive === 'broadcast') {
      const input = eq.inputs[0];
      const name = `v${counter++}`;
      const index = broadcastIndexExpression(input.aval.shape, out.aval.shape);
      if (index === null) prologue.push(`const ${name} = ${arrayOf(input)}[0];`);
      else body.push(`const ${name} = ${arrayOf(input)}[${index}];`);
      value = { text: name, boolean: false };
    } else if (isCodePrimitive(eq.primitive)) {
      const args = eq.inputs.map(valueOf);
      const condition = booleanExpression(eq.primitive, args, dtype);
      if (condition !== null && condition.length <= MAX_INLINE_BOOLEAN) {
        value = { text: condition, boolean: true };
      } else if (condition !== null) {
        const name = `b${counter++}`;
        body.push(`const ${name} = ${condition};`);
        value = { text: name, boolean: true };
      } else {
        const name = `v${counter++}`;
        const expression = eq.primitive === 'where'
          ? `(${asBoolean(args[0])} ? ${args[1].text} : ${args[2].text})`
          : elementwiseExpression(eq.primitive, args.map(asNumber), dtype);
        const rounded = isExact(eq.primitive, dtype) ? expression : roundToDtype(expression, dtype);
        body.push(`const ${name} = ${rounded};`);
        value = { text: name, boolean: false };
      }
    } else {
      throw new Error(`fused loop: ${eq.primitive} cannot be fused; this is a bug in the cpu backend's planner`);
    }
    values.set(out, value);
    if (context.isWritten(out)) {
      const slot = context.slotOf(out);
      const target = `y${slot}`;
      if (context.isFresh(out)) prologue.push(`const ${target} = slots[${slot}] = new ${ARRAY_NAME[dtype]}(${size});`);
      else prologue.push(`const ${target} = slots[${slot}];`);
      body.push(`${target}[i] = ${asNumber(value)};`);
    }
  }

  const source = [...prologue, `for (let i = 0; i < ${size}; i++) {`, ...body.map((line) => `  ${line}`), '}'].join('\n');
  const primitives = members.map((eq) => eq.primitive);
  return {
    run: compileGenerated<(slots: DataArray[]) => void>(['slots'], source),
    source,
    label: `fused[${primitives.join(',')}] x${size}`,
  };
}

type ElementwiseLoop = (inputs: readonly DataArray[], target: DataArray) => void;

const singleLoops = new Map<string, ElementwiseLoop>();

/**
 * Returns the eager loop of one elementwise primitive for operand dtypes `inputs` and result
 * dtype `out`: target[i] = op(inputs[0][i], ...). Loops are generated once per signature.
 */
export function elementwiseLoop(primitive: CodePrimitive, inputs: readonly DType[], out: DType): ElementwiseLoop {
  const key = `${primitive}|${inputs.join(',')}|${out}`;
  let loop = singleLoops.get(key);
  if (loop === undefined) {
    const names = inputs.map((_, k) => `x${k}`);
    const source = [
      ...names.map((name, k) => `const ${name} = inputs[${k}];`),
      'const n = target.length;',
      'for (let i = 0; i < n; i++) {',
      `  target[i] = ${elementwiseExpression(primitive, names.map((name) => `${name}[i]`), out)};`,
      '}',
    ].join('\n');
    loop = compileGenerated<ElementwiseLoop>(['inputs', 'target'], source);
    singleLoops.set(key, loop);
  }
  return loop;
}
