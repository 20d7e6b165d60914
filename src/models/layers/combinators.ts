/**
 * Layer combinators: `named` puts a layer's parameters under a name, `serial` runs layers in
 * order and merges their parameter records, `residual` adds a layer's output to its input, and
 * `repeat` stacks copies with separate parameters in an array. With them a GPT-2 block reads
 *
 *   serial(residual(serial(named('ln_1', layerNorm(E)), named('attn', attention))),
 *          residual(serial(named('ln_2', layerNorm(E)), named('mlp', mlp(E)))))
 *
 * and its parameter tree is { ln_1, attn, ln_2, mlp }, whose paths are the PyTorch names.
 */
import { add, reshape, sliceAxis, split, type Key, type Tensor } from '../../core/index.js';
import { checkPositiveInteger, showShape } from './check.js';
import { EMPTY_CONTEXT, type Layer, type LayerContext, type NoParams, type ParamsOf } from './layer.js';

/** Any layer from tensors to tensors whose parameters are a record, as `serial` accepts. */
export interface SerialLayer {
  readonly init: (key: Key) => object;
  readonly apply: (params: never, input: Tensor, context?: LayerContext) => Tensor;
}

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void ? I : never;

/** The merged parameter record of `serial(...layers)`: the intersection of the layers' records. */
export type SerialParams<Ls extends readonly SerialLayer[]> = { readonly [K in keyof UnionToIntersection<ParamsOf<Ls[number]>>]: UnionToIntersection<ParamsOf<Ls[number]>>[K] };

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Puts a layer's parameters under `name`: the parameters become `{ [name]: params }`.
 *
 * @example named('ln_f', layerNorm(64)).init(key(0)) // { ln_f: { weight, bias } }
 */
export function named<N extends string, P, I = Tensor, O = Tensor>(name: N, layer: Layer<P, I, O>): Layer<{ readonly [K in N]: P }, I, O> {
  if (name.length === 0 || name.includes('.')) {
    throw new Error(`named: '${name}' is not a valid parameter name; use a non-empty name without '.', which separates path segments`);
  }
  return {
    init: (key) => ({ [name]: layer.init(key) }) as { readonly [K in N]: P },
    apply: (params, input, context) => layer.apply(params[name], input, context),
  };
}

/**
 * Wraps `fn` as a layer without parameters (its parameters are the empty record).
 *
 * @example serial(named('fc', linear(4, 4)), stateless((x) => relu(x)))
 */
export function stateless<I = Tensor, O = Tensor>(fn: (input: I, context: LayerContext) => O): Layer<NoParams, I, O> {
  return {
    init: () => ({}),
    apply: (_params, input, context = EMPTY_CONTEXT) => fn(input, context),
  };
}

/**
 * Composes tensor layers to run in order. Their parameters must be records with distinct keys,
 * and `named` gives a layer such a record. The result's parameters are the merged record. Every
 * layer receives the merged record and reads its own keys. `init` splits the key once per layer.
 *
 * @example serial(named('fc', linear(3, 8)), named('out', linear(8, 1))).init(key(0)) // { fc, out }
 */
export function serial<Ls extends readonly [SerialLayer, ...SerialLayer[]]>(...layers: Ls): Layer<SerialParams<Ls>> {
  if (layers.length === 0) throw new Error('serial: needs at least one layer');
  return {
    init: (key) => {
      const keys = split(key, layers.length);
      const merged: Record<string, unknown> = {};
      const owner = new Map<string, number>();
      layers.forEach((layer, i) => {
        const params = layer.init(keys[i]);
        if (!isPlainRecord(params)) {
          throw new Error(`serial: the parameters of layer ${i} are not a record; wrap that layer in named('...', layer)`);
        }
        for (const [name, value] of Object.entries(params)) {
          if (owner.has(name)) {
            throw new Error(`serial: layers ${owner.get(name)} and ${i} both have a parameter named '${name}'; wrap them in named() with distinct names`);
          }
          owner.set(name, i);
          merged[name] = value;
        }
      });
      return merged as SerialParams<Ls>;
    },
    apply: (params, input, context = EMPTY_CONTEXT) => {
      let x = input;
      for (const layer of layers) x = (layer.apply as (p: unknown, x: Tensor, c: LayerContext) => Tensor)(params, x, context);
      return x;
    },
  };
}

/**
 * Adds a layer's output to its input: x + layer(x). The layer must keep the input's shape.
 *
 * @example residual(serial(named('ln_2', layerNorm(64)), named('mlp', mlp(64))))
 */
export function residual<P>(layer: Layer<P>): Layer<P> {
  return {
    init: (key) => layer.init(key),
    apply: (params, x, context) => {
      const y = layer.apply(params, x, context);
      if (y.ndim !== x.ndim || y.shape.some((d, i) => d !== x.shape[i])) {
        throw new Error(`residual: the inner layer maps ${showShape(x.shape)} to ${showShape(y.shape)}; it must keep the shape`);
      }
      return add(x, y);
    },
  };
}

/** Returns block `index`'s context: its row of a head mask of rank 2 or more, the rest unchanged. */
function blockContext(context: LayerContext, index: number, count: number): LayerContext {
  const mask = context.headMask;
  if (mask === undefined || mask.ndim < 2) return context;
  if (mask.shape[0] !== count) {
    throw new Error(`repeat: head mask ${showShape(mask.shape)} has ${mask.shape[0]} rows for ${count} blocks; give one row per block`);
  }
  return { ...context, headMask: reshape(sliceAxis(mask, 0, index, index + 1), mask.shape.slice(1)) };
}

/**
 * Stacks `count` copies of a shape-preserving layer, each with its own parameters, in an array
 * (so the paths are blocks.0, blocks.1, ... under `named('blocks', ...)`). A head mask of rank 2
 * or more in the context gives row i to block i; a mask of rank 1 reaches every block.
 *
 * @example named('blocks', repeat(3, block)).init(key(0)).blocks.length // 3
 */
export function repeat<P, I = Tensor>(count: number, layer: Layer<P, I, I>): Layer<readonly P[], I, I> {
  checkPositiveInteger('repeat', 'count', count);
  return {
    init: (key) => split(key, count).map((k) => layer.init(k)),
    apply: (params, input, context = EMPTY_CONTEXT) => {
      if (params.length !== count) {
        throw new Error(`repeat: got parameters for ${params.length} blocks, expected ${count}`);
      }
      let x = input;
      for (let i = 0; i < count; i++) x = layer.apply(params[i], x, blockContext(context, i, count));
      return x;
    },
  };
}
