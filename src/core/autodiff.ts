/**
 * Reverse-mode autodiff as a graph transform. `vjp` traces the function into a graph, evaluates
 * the graph with `bind` (so inside `compile` or an outer `grad` the evaluation is itself traced),
 * and the pullback walks the equations once in reverse, adding each use's cotangent to its input.
 * Nested `grad` works because the rules are ordinary DSL operations.
 */
import { bind } from './bind.js';
import { zerosLike, full } from './creation.js';
import { isFloat } from './dtype.js';
import { traceGraph, type Graph, type Var } from './ir.js';
import { assertSameStructure, treeFlatten, treeUnflatten, type PyTree, type TreeDef } from './pytree.js';
import { formatShape, shapesEqual } from './shape.js';
import type { Tensor } from './tensor.js';
import { accumulate, vjpRules, type VjpRule } from './vjp-rules.js';
import type { Primitive } from './primitives.js';

interface Linearized {
  readonly graph: Graph;
  readonly env: Map<Var, Tensor>;
  readonly outputs: Tensor[];
  readonly outDef: TreeDef;
}

/** Traces `fn` on flat tensor inputs and evaluates it, keeping every intermediate for the pullback. */
function linearize(flatFn: (leaves: Tensor[]) => [Tensor[], TreeDef], leaves: readonly Tensor[]): Linearized {
  let outDef: TreeDef | undefined;
  const graph = traceGraph(leaves, (...inputs) => {
    const [outLeaves, def] = flatFn(inputs);
    outDef = def;
    return outLeaves;
  });
  const env = new Map<Var, Tensor>();
  for (const c of graph.constants) env.set(c.variable, c.value);
  graph.inputs.forEach((v, i) => env.set(v, leaves[i]));
  for (const eq of graph.equations) {
    const result = bind(eq.primitive, eq.inputs.map((v) => env.get(v)!), eq.params);
    env.set(eq.outputs[0], result);
  }
  return { graph, env, outputs: graph.outputs.map((v) => env.get(v)!), outDef: outDef! };
}

/** Runs the reverse pass: cotangents of the graph inputs given cotangents of its outputs. */
function backward(lin: Linearized, outputCotangents: readonly (Tensor | null)[]): (Tensor | undefined)[] {
  const { graph, env } = lin;
  const cotangents = new Map<Var, Tensor>();
  graph.outputs.forEach((v, i) => {
    const g = outputCotangents[i];
    if (g !== null && isFloat(v.aval.dtype)) cotangents.set(v, accumulate(cotangents.get(v), g));
  });
  for (let e = graph.equations.length - 1; e >= 0; e--) {
    const eq = graph.equations[e];
    const g = cotangents.get(eq.outputs[0]);
    if (g === undefined) continue;
    const rule = vjpRules[eq.primitive] as VjpRule<Primitive>;
    const inputs = eq.inputs.map((v) => env.get(v)!);
    const results = rule(g, inputs, env.get(eq.outputs[0])!, eq.params);
    eq.inputs.forEach((v, i) => {
      const ct = results[i];
      if (ct === null || !isFloat(v.aval.dtype)) return;
      if (!shapesEqual(ct.shape, v.aval.shape)) {
        throw new Error(
          `internal error in the ${eq.primitive} gradient: cotangent ${formatShape(ct.shape)} for an operand of shape ${formatShape(v.aval.shape)}`,
        );
      }
      cotangents.set(v, accumulate(cotangents.get(v), ct));
    });
  }
  return graph.inputs.map((v) => cotangents.get(v));
}

function flattenArgs(args: readonly unknown[]): { leaves: Tensor[]; defs: TreeDef[]; counts: number[] } {
  const leaves: Tensor[] = [];
  const defs: TreeDef[] = [];
  const counts: number[] = [];
  for (const a of args) {
    const [l, d] = treeFlatten(a);
    leaves.push(...l);
    defs.push(d);
    counts.push(l.length);
  }
  return { leaves, defs, counts };
}

function unflattenArgs(defs: readonly TreeDef[], counts: readonly number[], leaves: readonly Tensor[]): PyTree[] {
  let start = 0;
  return defs.map((d, i) => {
    const part = leaves.slice(start, start + counts[i]);
    start += counts[i];
    return treeUnflatten(d, part);
  });
}

/**
 * Evaluates `f(...primals)` and returns its value with a pullback that maps an output cotangent
 * (same structure as the value) to cotangents for every argument (same structures as the
 * arguments; zeros where no gradient flows).
 */
export function vjp<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  ...primals: A
): [R, (cotangent: R) => A] {
  const { leaves, defs, counts } = flattenArgs(primals);
  const lin = linearize((inputs) => treeFlatten(f(...(unflattenArgs(defs, counts, inputs) as unknown as A))), leaves);
  const value = treeUnflatten<R>(lin.outDef, lin.outputs);
  const pullback = (cotangent: R): A => {
    const [ctLeaves, ctDef] = treeFlatten(cotangent);
    assertSameStructure('vjp', lin.outDef, ctDef);
    const grads = backward(lin, ctLeaves);
    return unflattenArgs(defs, counts, grads.map((g, i) => g ?? zerosLike(leaves[i]))) as unknown as A;
  };
  return [value, pullback];
}

export interface GradOptions {
  /** The function returns `[loss, aux]`; `aux` is returned beside the value and not differentiated. */
  hasAux?: boolean;
}

function scalarLoss(op: string, value: PyTree): Tensor {
  const t = value as Tensor;
  if (typeof t !== 'object' || t === null || !('shape' in t) || t.size !== 1 || t.dtype !== 'f32') {
    const what = typeof t === 'object' && t !== null && 'shape' in t ? `${t.dtype}${formatShape(t.shape)}` : String(value);
    throw new Error(`${op}: the function must return an f32 scalar loss, got ${what}; reduce it with sum or mean, or use vjp`);
  }
  return t;
}

/**
 * Returns a function computing `[value, gradient]` of a scalar function with respect to its
 * first argument; the gradient has the type of that argument. With `hasAux`, the function
 * returns `[loss, aux]` and the result is `[[loss, aux], gradient]`.
 *
 * @example const [loss, g] = valueAndGrad((p: { w: Tensor }) => sum(square(p.w)))({ w: ones([3]) });
 */
export function valueAndGrad<P, Rest extends readonly unknown[]>(
  f: (params: P, ...rest: Rest) => Tensor,
): (params: P, ...rest: Rest) => [Tensor, P];
export function valueAndGrad<P, Rest extends readonly unknown[], Aux>(
  f: (params: P, ...rest: Rest) => readonly [Tensor, Aux],
  options: { hasAux: true },
): (params: P, ...rest: Rest) => [[Tensor, Aux], P];
export function valueAndGrad<P, Rest extends readonly unknown[]>(
  f: (params: P, ...rest: Rest) => PyTree,
  options: GradOptions = {},
): (params: P, ...rest: Rest) => [PyTree, P] {
  return (params, ...rest) => {
    const { leaves, defs, counts } = flattenArgs([params]);
    let aux: PyTree = null;
    const lin = linearize((inputs) => {
      const [p] = unflattenArgs(defs, counts, inputs) as [P];
      const out = f(p, ...rest);
      if (options.hasAux) {
        if (!Array.isArray(out) || out.length !== 2) {
          throw new Error('valueAndGrad: with hasAux the function must return [loss, aux]');
        }
        const [loss, auxValue] = out as [PyTree, PyTree];
        const [auxLeaves, auxDef] = treeFlatten(auxValue);
        return [[scalarLoss('valueAndGrad', loss), ...auxLeaves], { kind: 'array', children: [{ kind: 'tensor' }, auxDef] }];
      }
      return [[scalarLoss('valueAndGrad', out)], { kind: 'tensor' }];
    }, leaves);
    const loss = lin.outputs[0];
    const grads = backward(lin, [full(loss.shape, 1), ...lin.outputs.slice(1).map(() => null)]);
    const gradient = unflattenArgs(defs, counts, grads.map((g, i) => g ?? zerosLike(leaves[i])))[0] as P;
    if (options.hasAux) {
      const def = lin.outDef as Extract<TreeDef, { kind: 'array' }>;
      aux = treeUnflatten(def.children[1], lin.outputs.slice(1));
      return [[loss, aux], gradient];
    }
    return [loss, gradient];
  };
}

/**
 * Returns a function computing the gradient of a scalar function with respect to its first
 * argument, with the same type (structure) as that argument.
 *
 * @example grad((x: Tensor) => sum(square(x)))(tensor([1, 2])) // [2, 4]
 */
export function grad<P, Rest extends readonly unknown[]>(
  f: (params: P, ...rest: Rest) => Tensor,
): (params: P, ...rest: Rest) => P {
  const vg = valueAndGrad(f);
  return (params, ...rest) => vg(params, ...rest)[1];
}
