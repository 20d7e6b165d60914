/**
 * Pytrees: nested records, arrays and tuples whose leaves are tensors. Non-tensor leaves
 * (numbers, strings, booleans, null, undefined, PRNG keys) are static: they are part of the
 * structure, are passed through unchanged by `treeMap`, and select a new trace in `compile`.
 */
import { isKey, type Key } from './prng.js';
import { formatShape } from './shape.js';
import { isTensor, type Tensor } from './tensor.js';

/** A value that is not traced: part of a pytree's structure. */
export type StaticLeaf = number | string | boolean | null | undefined | Key;

export type PyTree = Tensor | StaticLeaf | readonly PyTree[] | { readonly [key: string]: PyTree };

/** The structure of a pytree, without its tensors. */
export type TreeDef =
  | { readonly kind: 'tensor' }
  | { readonly kind: 'static'; readonly value: StaticLeaf }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

function isRecord(value: unknown): value is { readonly [key: string]: PyTree } {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Splits a pytree into its tensors (depth-first, record keys in insertion order) and its structure. */
export function treeFlatten(tree: unknown): [Tensor[], TreeDef] {
  const leaves: Tensor[] = [];
  const walk = (node: unknown, path: string): TreeDef => {
    if (isTensor(node)) {
      leaves.push(node);
      return { kind: 'tensor' };
    }
    if (Array.isArray(node)) return { kind: 'array', children: node.map((c, i) => walk(c, `${path}[${i}]`)) };
    if (isKey(node) || node === null || node === undefined || ['number', 'string', 'boolean'].includes(typeof node)) {
      return { kind: 'static', value: node as StaticLeaf };
    }
    if (isRecord(node)) {
      const keys = Object.keys(node);
      return { kind: 'record', keys, children: keys.map((k) => walk(node[k], `${path}.${k}`)) };
    }
    throw new TypeError(
      `pytree: unsupported value at ${path || 'the root'} (${Object.prototype.toString.call(node)}); ` +
        'use tensors, numbers, strings, booleans, keys, arrays and plain objects',
    );
  };
  const def = walk(tree, '');
  return [leaves, def];
}

/** Rebuilds a pytree from its structure and tensors (the inverse of `treeFlatten`). */
export function treeUnflatten<T = PyTree>(def: TreeDef, leaves: readonly Tensor[]): T {
  let next = 0;
  const build = (d: TreeDef): PyTree => {
    switch (d.kind) {
      case 'tensor':
        if (next >= leaves.length) throw new Error(`treeUnflatten: the structure needs more than ${leaves.length} tensors`);
        return leaves[next++];
      case 'static':
        return d.value;
      case 'array':
        return d.children.map(build);
      case 'record': {
        const out: Record<string, PyTree> = {};
        d.keys.forEach((k, i) => (out[k] = build(d.children[i])));
        return out;
      }
    }
  };
  const tree = build(def);
  if (next !== leaves.length) {
    throw new Error(`treeUnflatten: the structure holds ${next} tensors but ${leaves.length} were given`);
  }
  return tree as T;
}

/** Returns a string that identifies a structure (static leaves included), for caches and error messages. */
export function treeDefKey(def: TreeDef): string {
  switch (def.kind) {
    case 'tensor':
      return '*';
    case 'static':
      return staticLeafKey(def.value);
    case 'array':
      return `[${def.children.map(treeDefKey).join(',')}]`;
    case 'record':
      return `{${def.keys.map((k, i) => `${JSON.stringify(k)}:${treeDefKey(def.children[i])}`).join(',')}}`;
  }
}

/**
 * Returns a string that distinguishes static leaves. Plain JSON would write NaN, Infinity and
 * -Infinity all as `null`, so compile would reuse one trace for all of them.
 */
function staticLeafKey(value: StaticLeaf): string {
  if (isKey(value)) return `key(${value.k0},${value.k1})`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** Lists the tensors of a tree. */
export function treeLeaves(tree: unknown): Tensor[] {
  return treeFlatten(tree)[0];
}

/**
 * Applies `f` to every tensor of a tree and keeps the structure (and the static leaves).
 *
 * @example treeMap({ w: ones([2]), b: zeros([1]) }, (t) => mul(t, 2))
 */
export function treeMap<T>(tree: T, f: (leaf: Tensor, index: number) => Tensor): T {
  const [leaves, def] = treeFlatten(tree);
  return treeUnflatten<T>(def, leaves.map((t, i) => f(t, i)));
}

/** Applies `f` to the tensors of two trees of the same structure, pairwise. */
export function treeZip<T>(a: T, b: T, f: (x: Tensor, y: Tensor, index: number) => Tensor): T {
  const [leavesA, defA] = treeFlatten(a);
  const [leavesB, defB] = treeFlatten(b);
  assertSameStructure('treeZip', defA, defB);
  for (let i = 0; i < leavesA.length; i++) {
    const x = leavesA[i];
    const y = leavesB[i];
    if (formatShape(x.shape) !== formatShape(y.shape)) {
      throw new Error(`treeZip: leaf ${i} has shape ${formatShape(x.shape)} in the first tree and ${formatShape(y.shape)} in the second`);
    }
  }
  return treeUnflatten<T>(defA, leavesA.map((x, i) => f(x, leavesB[i], i)));
}

/** Throws when two structures differ (static leaves are not compared). */
export function assertSameStructure(op: string, a: TreeDef, b: TreeDef): void {
  const shape = (d: TreeDef): string =>
    d.kind === 'tensor' ? '*' : d.kind === 'static' ? '_' :
      d.kind === 'array' ? `[${d.children.map(shape).join(',')}]` :
        `{${d.keys.map((k, i) => `${k}:${shape(d.children[i])}`).join(',')}}`;
  const sa = shape(a);
  const sb = shape(b);
  if (sa !== sb) throw new Error(`${op}: tree structures differ: ${sa} vs ${sb}`);
}
