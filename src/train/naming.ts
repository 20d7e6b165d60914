/**
 * Named tensors for checkpoints: a parameter pytree flattened into `path -> tensor` (record keys
 * and array indices joined by dots, e.g. `blocks.0.attn.weight`) and rebuilt from such a record
 * against a template of the same structure.
 */
import { treeFlatten, treeUnflatten } from '../core/pytree.js';
import { formatShape, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import type { TrainableModel } from './model.js';

/**
 * Flattens a pytree of tensors into a record keyed by path. A bare tensor gets the name `value`.
 *
 * @example treeToNamed({ w: ones([2]), blocks: [{ b: zeros([1]) }] }) // { w, 'blocks.0.b' }
 */
export function treeToNamed(tree: unknown): Record<string, Tensor> {
  const [leaves] = treeFlatten(tree);
  const paths = leafPaths(tree);
  const out: Record<string, Tensor> = {};
  leaves.forEach((leaf, i) => (out[paths[i]] = leaf));
  return out;
}

/**
 * Rebuilds a pytree with the structure of `template` from named tensors. Every path of the
 * template must be present with the template's shape and dtype, and no other name may appear.
 * `source` names the origin (a file path) in errors.
 */
export function treeFromNamed<T>(template: T, named: Readonly<Record<string, Tensor>>, source: string): T {
  const [templateLeaves, def] = treeFlatten(template);
  const paths = leafPaths(template);
  const problems: string[] = [];
  const leaves = templateLeaves.map((expected, i) => {
    const found = named[paths[i]];
    if (found === undefined) {
      problems.push(`missing tensor '${paths[i]}' (expected ${expected.dtype}${formatShape(expected.shape)})`);
      return expected;
    }
    if (!shapesEqual(found.shape, expected.shape) || found.dtype !== expected.dtype) {
      problems.push(
        `tensor '${paths[i]}' is ${found.dtype}${formatShape(found.shape)} but the model expects ${expected.dtype}${formatShape(expected.shape)}`,
      );
    }
    return found;
  });
  const known = new Set(paths);
  for (const name of Object.keys(named)) if (!known.has(name)) problems.push(`unexpected tensor '${name}'`);
  if (problems.length > 0) {
    throw new Error(`${source}: the tensors do not match the model: ${problems.join('; ')}; check that the model config matches the checkpoint`);
  }
  return treeUnflatten<T>(def, leaves);
}

/** Names a model's parameters: the model's own `toNamed`, else pytree paths. */
export function namedParams<P>(model: TrainableModel<P>, params: P): Record<string, Tensor> {
  return model.toNamed !== undefined ? model.toNamed(params) : treeToNamed(params);
}

/**
 * Rebuilds a model's parameters from named tensors: the model's own `fromNamed`, else the paths
 * of `template` (an initialised parameter tree).
 */
export function paramsFromNamed<P>(model: TrainableModel<P>, named: Readonly<Record<string, Tensor>>, template: () => P, source: string): P {
  if (model.fromNamed !== undefined) return model.fromNamed(named);
  return treeFromNamed(template(), named, source);
}

/** Returns the dotted path of every tensor leaf, in `treeFlatten` order. */
function leafPaths(tree: unknown): string[] {
  const [, def] = treeFlatten(tree);
  const out: string[] = [];
  const walk = (node: typeof def, path: string): void => {
    switch (node.kind) {
      case 'tensor':
        out.push(path === '' ? 'value' : path);
        return;
      case 'static':
        return;
      case 'array':
        node.children.forEach((child, i) => walk(child, path === '' ? String(i) : `${path}.${i}`));
        return;
      case 'record':
        node.children.forEach((child, i) => walk(child, path === '' ? node.keys[i] : `${path}.${node.keys[i]}`));
        return;
    }
  };
  walk(def, '');
  return out;
}
