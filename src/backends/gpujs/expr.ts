/**
 * Per-element expressions: the value of a tensor at one flat index, written in terms of
 * materialized buffers. Elementwise primitives and movement primitives (broadcast, transpose,
 * slice, pad, concat, reshape, iota) become expression nodes, so a chain of them lowers to one
 * fused kernel instead of one kernel per equation.
 */
import type { DType } from '../../core/dtype.js';
import type { BinaryPrimitive, UnaryPrimitive } from '../../core/primitives.js';
import { sizeOf, stridesOf, type Shape } from '../../core/shape.js';

/**
 * A strided view: the element at flat index i of a tensor of shape `shape` is the element at
 * `offset + sum_k coordinate_k(i) * strides[k]` of the underlying tensor.
 */
export interface View {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** An elementwise operation: a unary or binary primitive, `where`, or a cast to a dtype. */
export type MapOp = UnaryPrimitive | BinaryPrimitive | 'where' | 'cast-i32' | 'cast-bool';

export type Expr =
  /** The materialized buffer in `slot`. */
  | { readonly kind: 'read'; readonly slot: number }
  /** A finite number written into the kernel source. */
  | { readonly kind: 'literal'; readonly value: number }
  /** Infinity, -Infinity or NaN, read from the specials argument (some shader compilers mangle such literals). */
  | { readonly kind: 'special'; readonly value: number }
  | { readonly kind: 'view'; readonly view: View; readonly arg: Expr }
  /** `dtype` is the dtype of the first operand (it selects integer division, for example). */
  | { readonly kind: 'map'; readonly op: MapOp; readonly dtype: DType; readonly args: readonly Expr[] }
  | {
      readonly kind: 'pad';
      readonly inShape: Shape;
      readonly outShape: Shape;
      readonly low: readonly number[];
      readonly value: Expr;
      readonly arg: Expr;
    }
  | { readonly kind: 'concat'; readonly axis: number; readonly outShape: Shape; readonly parts: readonly { readonly shape: Shape; readonly arg: Expr }[] }
  | { readonly kind: 'iota'; readonly shape: Shape; readonly axis: number };

/** Returns an expression for a number: a literal when finite, a special otherwise. */
export function constantExpr(value: number): Expr {
  return Number.isFinite(value) ? { kind: 'literal', value } : { kind: 'special', value };
}

/** Removes size-1 axes and merges adjacent axes that step through memory as one. */
export function simplifyView(view: View): View {
  const shape: number[] = [];
  const strides: number[] = [];
  view.shape.forEach((d, k) => {
    if (d === 1) return;
    const last = shape.length - 1;
    if (last >= 0 && strides[last] === view.strides[k] * d) {
      shape[last] *= d;
      strides[last] = view.strides[k];
    } else {
      shape.push(d);
      strides.push(view.strides[k]);
    }
  });
  return { shape, strides, offset: view.offset };
}

/** True when a view reads its whole underlying tensor in order. */
export function isIdentityView(view: View, underlyingSize: number): boolean {
  const simple = simplifyView(view);
  if (simple.offset !== 0) return false;
  if (simple.shape.length === 0) return underlyingSize === 1;
  return simple.shape.length === 1 && simple.strides[0] === 1 && simple.shape[0] === underlyingSize;
}

/** Returns the view of a NumPy broadcast from `from` to `to`. */
export function broadcastView(from: Shape, to: Shape): View {
  const offset = to.length - from.length;
  const inner = stridesOf(from);
  return { shape: to, strides: to.map((_, i) => (i < offset || from[i - offset] === 1 ? 0 : inner[i - offset])), offset: 0 };
}

/** Returns the view of a transpose of `shape` by `perm`. */
export function transposeView(shape: Shape, perm: readonly number[]): View {
  const inner = stridesOf(shape);
  return { shape: perm.map((p) => shape[p]), strides: perm.map((p) => inner[p]), offset: 0 };
}

/** Returns the view of the slice [starts, ends) of `shape`. */
export function sliceView(shape: Shape, starts: readonly number[], ends: readonly number[]): View {
  const inner = stridesOf(shape);
  return {
    shape: starts.map((s, i) => ends[i] - s),
    strides: inner,
    offset: starts.reduce((total, s, i) => total + s * inner[i], 0),
  };
}

/** Wraps `arg` in a view unless the view reads it unchanged. */
export function viewExpr(view: View, arg: Expr, underlyingSize: number): Expr {
  if (isIdentityView(view, underlyingSize)) return arg;
  if (arg.kind === 'literal' || arg.kind === 'special') return arg;
  return { kind: 'view', view, arg };
}

/** Counts the arithmetic nodes (map nodes) of an expression, shared subtrees once per occurrence. */
export function exprCost(expr: Expr, memo: Map<Expr, number> = new Map()): number {
  const known = memo.get(expr);
  if (known !== undefined) return known;
  let cost: number;
  switch (expr.kind) {
    case 'read':
    case 'literal':
    case 'special':
    case 'iota':
      cost = 0;
      break;
    case 'view':
      cost = exprCost(expr.arg, memo);
      break;
    case 'map':
      cost = 1 + expr.args.reduce((total, a) => total + exprCost(a, memo), 0);
      break;
    case 'pad':
      cost = exprCost(expr.arg, memo) + exprCost(expr.value, memo);
      break;
    case 'concat':
      cost = expr.parts.reduce((total, p) => total + exprCost(p.arg, memo), 0);
      break;
  }
  memo.set(expr, cost);
  return cost;
}

/** Returns the slots an expression reads, and whether it needs the specials argument. */
export function exprInputs(expr: Expr): { slots: Set<number>; specials: boolean } {
  const slots = new Set<number>();
  let specials = false;
  const seen = new Set<Expr>();
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    switch (e.kind) {
      case 'read':
        slots.add(e.slot);
        break;
      case 'special':
        specials = true;
        break;
      case 'view':
        visit(e.arg);
        break;
      case 'map':
        e.args.forEach(visit);
        break;
      case 'pad':
        visit(e.arg);
        visit(e.value);
        break;
      case 'concat':
        e.parts.forEach((p) => visit(p.arg));
        break;
      default:
        break;
    }
  };
  visit(expr);
  return { slots, specials };
}

/** Splits `shape` around `axis` into (outer, size, inner) element counts. */
export function aroundAxis(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
