/**
 * Generates WebAssembly SIMD versions of fused elementwise loops: four f32 lanes per step, with
 * bool values as lane masks (all ones or all zeros). A group qualifies when every member is an
 * f32 or bool operation whose f32x4 form rounds exactly as the JavaScript loop does. Float32 add,
 * subtract, multiply, divide and square root are correctly rounded, so they equal the float64
 * result rounded once to float32. Comparisons, selections, negation and absolute value are exact. exp and tanh run the float64 algorithm of scalar-math.ts on two f64x2 halves, with
 * the same constants and tables, so they round to the same float32 values. Groups with other
 * primitives (log, erf, pow, sin, cos, logistic, rsqrt, integers) keep the JavaScript loop.
 *
 * Every buffer the loops touch is padded by at least 16 bytes. So the last step may read and
 * write up to three elements past the end, in lanes whose values are never used.
 */
import type { Equation, Var } from '../../../core/ir.js';
import { broadcastRuns, broadcastTerms, type BroadcastTerm } from '../broadcast-index.js';
import {
  EXP_LOWER, EXP_UPPER, EXPM1_COEFFICIENTS, MIN_EXPONENT, STEP_HIGH, STEP_LOW, STEPS_OVER_LN2, STEPS_PER_LN2, TANH_LIMIT,
} from '../scalar-math.js';
import { CodeBuilder, ModuleBuilder, SIMD } from './emitter.js';
import type { MathTableAddresses } from './math-tables.js';

const FLOAT_OPS = new Set(['add', 'sub', 'mul', 'div', 'neg', 'abs', 'sqrt', 'max', 'min', 'sign', 'exp', 'tanh']);
const COMPARISONS: Readonly<Record<string, number>> = {
  lt: SIMD.f32x4Lt, le: SIMD.f32x4Le, gt: SIMD.f32x4Gt, ge: SIMD.f32x4Ge, eq: SIMD.f32x4Eq, ne: SIMD.f32x4Ne,
};
const LOGICAL = new Set(['logical_and', 'logical_or', 'logical_not']);

function isF32(v: Var): boolean {
  return v.aval.dtype === 'f32';
}

function isBool(v: Var): boolean {
  return v.aval.dtype === 'bool';
}

/** True when every member of a fused group has an exact f32x4 form (see the module comment). */
export function isSimdGroup(members: readonly Equation[]): boolean {
  return members.every((eq) => {
    const out = eq.outputs[0];
    const p = eq.primitive;
    if (FLOAT_OPS.has(p)) return isF32(out) && eq.inputs.every(isF32);
    if (p in COMPARISONS) return isBool(out) && eq.inputs.every(isF32);
    if (LOGICAL.has(p)) return isBool(out) && eq.inputs.every(isBool);
    if (p === 'where') return isBool(eq.inputs[0]) && eq.inputs[1].aval.dtype === eq.inputs[2].aval.dtype && (isF32(out) || isBool(out));
    if (p === 'cast') return (isF32(eq.inputs[0]) && isBool(out)) || (isBool(eq.inputs[0]) && isF32(out));
    if (p === 'stop_gradient' || p === 'broadcast') return isF32(out) || isBool(out);
    return false;
  });
}

/** Memory access of a SIMD loop: views, addresses and which values it stores. */
export interface SimdLoopContext {
  rootOf(v: Var): Var;
  /** The byte address of a root's storage in the program memory. */
  addressOf(v: Var): number;
  /** True when a member's value must be stored (someone outside the group reads it). */
  isWritten(v: Var): boolean;
  /** Addresses of the exp and tanh tables in the memory. */
  readonly tables: MathTableAddresses;
}

type LoadKind = 'scalar' | 'contiguous' | 'splat' | 'gather';

/** Chooses how four consecutive output lanes read a broadcast source. */
function loadKind(from: readonly number[], to: readonly number[]): LoadKind {
  const runs = broadcastRuns(from, to);
  if (runs.every((r) => r.expanded)) return 'scalar';
  const last = runs[runs.length - 1];
  if (last.size % 4 !== 0) return 'gather';
  return last.expanded ? 'splat' : 'contiguous';
}

/** Pushes the broadcast source index of the element index held in local `element`. */
function pushSourceIndex(c: CodeBuilder, element: number, terms: readonly BroadcastTerm[]): void {
  terms.forEach((t, k) => {
    c.localGet(element);
    if (t.period !== 1) c.i32Const(t.period).i32DivU();
    if (!t.outermost) c.i32Const(t.size).i32RemU();
    if (t.stride !== 1) c.i32Const(t.stride).i32Mul();
    if (k > 0) c.i32Add();
  });
}

/** Turns a vector of four i32 0/1-or-more values into a lane mask (nonzero lanes become all ones). */
function toMask(c: CodeBuilder): void {
  c.v128Zero().simdOp(SIMD.i32x4Ne);
}

/** Lane shuffles: the high two f32 lanes moved low, and the low halves of two vectors joined. */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Applies a float64 computation to an f32x4 value. `body` gets a local with two of the lanes as
 * f64x2 and pushes the f64x2 result, and the two results are rounded to float32 and joined.
 */
function emitViaFloat64(c: CodeBuilder, input: number, body: (half: number) => void): void {
  const half = c.local('v128');
  const low = c.local('v128');
  c.localGet(input).simdOp(SIMD.f64x2PromoteLowF32x4).localSet(half);
  body(half);
  c.simdOp(SIMD.f32x4DemoteF64x2Zero).localSet(low);
  c.localGet(input).localGet(input).shuffle(HIGH_TO_LOW).simdOp(SIMD.f64x2PromoteLowF32x4).localSet(half);
  body(half);
  c.simdOp(SIMD.f32x4DemoteF64x2Zero);
  c.localSet(half).localGet(low).localGet(half).shuffle(JOIN_LOW_HALVES);
}

/** Pushes exp(r) - 1 of the f64x2 local `r`, with the Horner steps of scalar-math's expm1Small. */
function emitExpm1Small(c: CodeBuilder, r: number): void {
  const coefficients = EXPM1_COEFFICIENTS;
  c.localGet(r).v128ConstF64(coefficients[coefficients.length - 1]).simdOp(SIMD.f64x2Mul);
  for (let k = coefficients.length - 2; k >= 0; k--) {
    c.v128ConstF64(coefficients[k]).simdOp(SIMD.f64x2Add);
    c.localGet(r).simdOp(SIMD.f64x2Mul);
  }
}

/**
 * Reduces the f64x2 local `x` as scalar-math does: k = floor(x * 32 / ln2 + 0.5) into local
 * `k` and r = x - k ln2/32 (two parts) into local `r`.
 */
function emitReduction(c: CodeBuilder, x: number, k: number, r: number): void {
  c.localGet(x).v128ConstF64(STEPS_OVER_LN2).simdOp(SIMD.f64x2Mul).v128ConstF64(0.5).simdOp(SIMD.f64x2Add).simdOp(SIMD.f64x2Floor).localSet(k);
  c.localGet(x).localGet(k).v128ConstF64(STEP_HIGH).simdOp(SIMD.f64x2Mul).simdOp(SIMD.f64x2Sub);
  c.localGet(k).v128ConstF64(STEP_LOW).simdOp(SIMD.f64x2Mul).simdOp(SIMD.f64x2Sub).localSet(r);
}

/**
 * Pushes an f64x2 of table entries: lane l reads the f64 at `table` + 8 * index(lane l of the
 * i32x4 local `steps`), where `index` transforms the step on the stack.
 */
function emitTableLookup(c: CodeBuilder, steps: number, table: number, index: (c: CodeBuilder) => void): void {
  c.v128ConstF64(0);
  for (let l = 0; l < 2; l++) {
    c.localGet(steps).simdLane(SIMD.i32x4ExtractLane, l);
    index(c);
    c.i32Const(3).i32Shl().f64Load(table).simdLane(SIMD.f64x2ReplaceLane, l);
  }
}

/** Pushes tanh of the f64x2 local `x` (scalar-math's tanh on both lanes). */
function emitTanh(c: CodeBuilder, x: number, tables: MathTableAddresses): void {
  const ax = c.local('v128');
  const y = c.local('v128');
  const k = c.local('v128');
  const r = c.local('v128');
  const steps = c.local('v128');
  const e = c.local('v128');
  const t = c.local('v128');
  c.localGet(x).simdOp(SIMD.f64x2Abs).localSet(ax);
  // Lanes beyond the limit (or NaN) compute with |x| clamped, so table indices stay in range; the
  // final select replaces them.
  c.v128ConstF64(2).localGet(ax).v128ConstF64(TANH_LIMIT).simdOp(SIMD.f64x2Min).simdOp(SIMD.f64x2Mul).localSet(y);
  emitReduction(c, y, k, r);
  c.localGet(k).simdOp(SIMD.i32x4TruncSatF64x2SZero).localSet(steps);
  emitTableLookup(c, steps, tables.tanhScaleMinusOne, () => {});
  emitTableLookup(c, steps, tables.tanhScale, () => {});
  emitExpm1Small(c, r);
  c.simdOp(SIMD.f64x2Mul).simdOp(SIMD.f64x2Add).localSet(e);
  c.localGet(e).localGet(e).v128ConstF64(2).simdOp(SIMD.f64x2Add).simdOp(SIMD.f64x2Div).localSet(t);
  // x < 0 ? -t : x > 0 ? t : x
  c.localGet(t).simdOp(SIMD.f64x2Neg);
  c.localGet(t).localGet(x).localGet(x).v128ConstF64(0).simdOp(SIMD.f64x2Gt).simdOp(SIMD.v128Bitselect);
  c.localGet(x).v128ConstF64(0).simdOp(SIMD.f64x2Lt).simdOp(SIMD.v128Bitselect);
  // Beyond the limit: x > 0 ? 1 : -1; NaN stays x.
  c.v128ConstF64(1).v128ConstF64(-1).localGet(x).v128ConstF64(0).simdOp(SIMD.f64x2Gt).simdOp(SIMD.v128Bitselect);
  c.localGet(x).localGet(ax).v128ConstF64(TANH_LIMIT).simdOp(SIMD.f64x2Gt).simdOp(SIMD.v128Bitselect);
  c.localGet(ax).v128ConstF64(TANH_LIMIT).simdOp(SIMD.f64x2Le).simdOp(SIMD.v128Bitselect);
}

/** Pushes e^x of the f64x2 local `x` (scalar-math's exp on both lanes). */
function emitExp(c: CodeBuilder, x: number, tables: MathTableAddresses): void {
  const clamped = c.local('v128');
  const k = c.local('v128');
  const r = c.local('v128');
  const steps = c.local('v128');
  const fraction = c.local('v128');
  c.localGet(x).v128ConstF64(EXP_UPPER).simdOp(SIMD.f64x2Min).v128ConstF64(EXP_LOWER).simdOp(SIMD.f64x2Max).localSet(clamped);
  emitReduction(c, clamped, k, r);
  c.localGet(k).simdOp(SIMD.i32x4TruncSatF64x2SZero).localSet(steps);
  emitTableLookup(c, steps, tables.powersOfTwo, (d) => d.i32Const(5).i32ShrS().i32Const(-MIN_EXPONENT).i32Add());
  emitTableLookup(c, steps, tables.fractionPowers, (d) => d.i32Const(STEPS_PER_LN2 - 1).i32And());
  c.localTee(fraction).localGet(fraction);
  emitExpm1Small(c, r);
  c.simdOp(SIMD.f64x2Mul).simdOp(SIMD.f64x2Add).simdOp(SIMD.f64x2Mul);
  // Beyond the range: Infinity above, 0 below, NaN stays x.
  c.v128ConstF64(Infinity).v128ConstF64(0).localGet(x).localGet(x).v128ConstF64(EXP_LOWER).simdOp(SIMD.f64x2Lt).simdOp(SIMD.v128Bitselect);
  c.localGet(x).v128ConstF64(EXP_UPPER).simdOp(SIMD.f64x2Gt).simdOp(SIMD.v128Bitselect);
  c.localGet(x).v128ConstF64(EXP_UPPER).simdOp(SIMD.f64x2Le).localGet(x).v128ConstF64(EXP_LOWER).simdOp(SIMD.f64x2Ge).simdOp(SIMD.v128And);
  c.simdOp(SIMD.v128Bitselect);
}

/** Emits one fused loop as the body of a function without parameters. */
function emitSimdLoop(c: CodeBuilder, members: readonly Equation[], size: number, context: SimdLoopContext): void {
  const element = c.local('i32');
  const offset = c.local('i32');
  const lane = c.local('i32');
  const temp = c.local('v128');
  const values = new Map<Var, number>();

  // Scalar broadcasts are loaded once, before the loop.
  const hoisted: { member: Equation; local: number }[] = [];
  for (const eq of members) {
    if (eq.primitive !== 'broadcast' || loadKind(eq.inputs[0].aval.shape, eq.outputs[0].aval.shape) !== 'scalar') continue;
    const local = c.local('v128');
    const address = context.addressOf(context.rootOf(eq.inputs[0]));
    if (isBool(eq.outputs[0])) {
      c.i32Const(0).simdMemory(SIMD.v128Load8Splat, 0, address);
      toMask(c);
    } else {
      c.i32Const(0).simdMemory(SIMD.v128Load32Splat, 2, address);
    }
    c.localSet(local);
    values.set(eq.outputs[0], local);
    hoisted.push({ member: eq, local });
  }
  const hoistedMembers = new Set(hoisted.map((h) => h.member));

  const loaded = new Map<Var, number>();
  const valueOf = (v: Var): number => {
    const own = values.get(v);
    if (own !== undefined) return own;
    const root = context.rootOf(v);
    const known = values.get(root) ?? loaded.get(root);
    if (known !== undefined) return known;
    const local = c.local('v128');
    const address = context.addressOf(root);
    if (isBool(root)) {
      c.localGet(element).simdMemory(SIMD.v128Load32Zero, 0, address);
      c.simdOp(SIMD.i16x8ExtendLowI8x16U).simdOp(SIMD.i32x4ExtendLowI16x8U);
      toMask(c);
    } else {
      c.localGet(offset).simdMemory(SIMD.v128Load, 4, address);
    }
    c.localSet(local);
    loaded.set(root, local);
    return local;
  };

  const emitBroadcast = (eq: Equation): void => {
    const source = eq.inputs[0];
    const address = context.addressOf(context.rootOf(source));
    const terms = broadcastTerms(source.aval.shape, eq.outputs[0].aval.shape);
    const kind = loadKind(source.aval.shape, eq.outputs[0].aval.shape);
    const bool = isBool(source);

    if (kind === 'contiguous') {
      pushSourceIndex(c, element, terms);
      if (bool) {
        c.simdMemory(SIMD.v128Load32Zero, 0, address).simdOp(SIMD.i16x8ExtendLowI8x16U).simdOp(SIMD.i32x4ExtendLowI16x8U);
        toMask(c);
      } else {
        c.i32Const(2).i32Shl().simdMemory(SIMD.v128Load, 2, address);
      }
      return;
    }

    if (kind === 'splat') {
      pushSourceIndex(c, element, terms);
      if (bool) {
        c.simdMemory(SIMD.v128Load8Splat, 0, address);
        toMask(c);
      } else {
        c.i32Const(2).i32Shl().simdMemory(SIMD.v128Load32Splat, 2, address);
      }
      return;
    }

    // Gather: one scalar load per lane, at min(element + l, size - 1) so no lane reads past the source.
    c.v128Zero().localSet(temp);
    for (let l = 0; l < 4; l++) {
      c.localGet(element).i32Const(l).i32Add().localTee(lane);
      c.i32Const(size - 1).localGet(lane).i32Const(size - 1).i32LtU().select().localSet(lane);
      c.localGet(temp);
      pushSourceIndex(c, lane, terms);
      if (bool) c.i32Load8U(address).simdLane(SIMD.i32x4ReplaceLane, l);
      else c.i32Const(2).i32Shl().f32Load(address).simdLane(SIMD.f32x4ReplaceLane, l);
      c.localSet(temp);
    }
    c.localGet(temp);
    if (bool) toMask(c);
  };

  const emitMember = (eq: Equation): void => {
    const p = eq.primitive;
    const args = eq.inputs.map(valueOf);
    const get = (k: number) => c.localGet(args[k]);
    switch (p) {
      case 'add': get(0); get(1); c.simdOp(SIMD.f32x4Add); return;
      case 'sub': get(0); get(1); c.simdOp(SIMD.f32x4Sub); return;
      case 'mul': get(0); get(1); c.simdOp(SIMD.f32x4Mul); return;
      case 'div': get(0); get(1); c.simdOp(SIMD.f32x4Div); return;
      case 'neg': get(0); c.simdOp(SIMD.f32x4Neg); return;
      case 'abs': get(0); c.simdOp(SIMD.f32x4Abs); return;
      case 'sqrt': get(0); c.simdOp(SIMD.f32x4Sqrt); return;
      case 'exp': emitViaFloat64(c, args[0], (half) => emitExp(c, half, context.tables)); return;
      case 'tanh': emitViaFloat64(c, args[0], (half) => emitTanh(c, half, context.tables)); return;
      case 'max':
      case 'min':
        // a > b ? a : b (a < b for min), and NaN when either operand is NaN.
        get(0); get(1); get(0); get(1); c.simdOp(p === 'max' ? SIMD.f32x4Gt : SIMD.f32x4Lt).simdOp(SIMD.v128Bitselect).localSet(temp);
        c.v128ConstF32(NaN).localGet(temp);
        get(0); get(0); c.simdOp(SIMD.f32x4Ne); get(1); get(1); c.simdOp(SIMD.f32x4Ne).simdOp(SIMD.v128Or);
        c.simdOp(SIMD.v128Bitselect);
        return;
      case 'sign':
        // x > 0 ? 1 : x < 0 ? -1 : x, which keeps 0, -0 and NaN.
        c.v128ConstF32(-1);
        c.v128ConstF32(1); get(0); get(0); c.v128Zero().simdOp(SIMD.f32x4Gt).simdOp(SIMD.v128Bitselect);
        get(0); c.v128Zero().simdOp(SIMD.f32x4Lt).simdOp(SIMD.v128Bitselect);
        return;
      case 'logical_and': get(0); get(1); c.simdOp(SIMD.v128And); return;
      case 'logical_or': get(0); get(1); c.simdOp(SIMD.v128Or); return;
      case 'logical_not': get(0); c.simdOp(SIMD.v128Not); return;
      case 'where': get(1); get(2); get(0); c.simdOp(SIMD.v128Bitselect); return;
      case 'cast':
        if (isBool(eq.outputs[0])) {
          get(0); c.v128Zero().simdOp(SIMD.f32x4Ne);
        } else {
          get(0); c.v128ConstF32(1).simdOp(SIMD.v128And);
        }
        return;
      case 'stop_gradient': get(0); return;
      default:
        if (p in COMPARISONS) {
          get(0); get(1); c.simdOp(COMPARISONS[p]);
          return;
        }
        throw new Error(`simd loop: ${p} has no SIMD form; this is a bug in the cpu backend's planner`);
    }
  };

  c.block();
  c.i32Const(0).localTee(element).i32Const(size).i32GeS().brIf(0);
  c.loop();
  c.localGet(element).i32Const(2).i32Shl().localSet(offset);
  for (const eq of members) {
    if (hoistedMembers.has(eq)) continue;
    const out = eq.outputs[0];
    const local = c.local('v128');
    if (eq.primitive === 'broadcast') emitBroadcast(eq);
    else emitMember(eq);
    c.localSet(local);
    values.set(out, local);
  }
  for (const eq of members) {
    const out = eq.outputs[0];
    if (!context.isWritten(out)) continue;
    const address = context.addressOf(out);
    const local = values.get(out)!;
    if (isBool(out)) {
      // Masks become bytes 0/1: keep the low bit, then narrow i32 lanes to bytes.
      c.localGet(local).v128ConstI32([1, 1, 1, 1]).simdOp(SIMD.v128And).localTee(temp).localGet(temp).simdOp(SIMD.i16x8NarrowI32x4U);
      c.localTee(temp).localGet(temp).simdOp(SIMD.i8x16NarrowI16x8U).localSet(temp);
      c.localGet(element).localGet(temp).simdMemoryLane(SIMD.v128Store32Lane, 0, address, 0);
    } else {
      c.localGet(offset).localGet(local).simdMemory(SIMD.v128Store, 2, address);
    }
  }
  c.localGet(element).i32Const(4).i32Add().localTee(element).i32Const(size).i32LtS().brIf(0);
  c.end();
  c.end();
}

/** A fused group for `buildSimdModule`. */
export interface SimdGroup {
  readonly members: readonly Equation[];
  readonly size: number;
}

/**
 * Builds one module with a function `g<k>` per group (no parameters: addresses and sizes are
 * constants) over an imported memory (shared or not) of at least `pages` pages.
 */
export function buildSimdModule(groups: readonly SimdGroup[], context: SimdLoopContext, pages: number, shared = false): Uint8Array<ArrayBuffer> {
  const module = new ModuleBuilder(pages, shared);
  groups.forEach((group, k) => {
    const { code } = module.addFunction([], [], `g${k}`);
    emitSimdLoop(code, group.members, group.size, context);
  });
  return module.build();
}
