/**
 * Causal multi-head self-attention as in GPT-2, with PyTorch's layout. A fused `qkv` linear has
 * weight [3E, E] with rows q, then k, then v, and head h uses rows h*E/H .. (h+1)*E/H - 1 of each.
 * An output `proj` linear is [E, E]. Scores are scaled by 1/sqrt(E/H), and positions after the
 * query get -Infinity before the softmax. The context's head mask multiplies each head's output.
 *
 * Work is laid out for few, large kernels. One [B*T, E] x [E, 3E] product gives q, k and v, and
 * one transpose makes them [3, B*H, T, E/H]. Two batched products over B*H and one transpose back
 * follow. The causal bias [T, T] is built once per length and shared by every layer.
 */
import {
  add, div, fromData, matmul, mul, reshape, sliceAxis, softmax, split, transpose, type Tensor,
} from '../../core/index.js';
import { checkPositiveInteger, showShape } from './check.js';
import { EMPTY_CONTEXT, type Layer, type LayerContext } from './layer.js';
import { applyLinear, linear, type LinearParams } from './linear.js';

/** Parameters of `causalSelfAttention`: qkv (weight [3E, E], bias [3E]) and proj ([E, E], [E]). */
export interface AttentionParams {
  readonly qkv: LinearParams;
  readonly proj: LinearParams;
}

/** Options of `causalSelfAttention`. */
export interface AttentionOptions {
  /** Model width E. */
  readonly width: number;
  /** Number of heads H; it must divide the width. */
  readonly heads: number;
}

const causalBiases = new Map<number, Tensor>();

/**
 * Returns the additive causal mask [T, T]: 0 on and below the diagonal, -Infinity above. The
 * tensor is cached per length, so every attention layer of a traced program refers to one
 * constant (and compile's common-subexpression pass merges their broadcasts).
 */
export function causalBias(length: number): Tensor {
  let bias = causalBiases.get(length);
  if (bias === undefined) {
    const data = new Float32Array(length * length);
    for (let i = 0; i < length; i++) data.fill(-Infinity, i * length + i + 1, (i + 1) * length);
    bias = fromData(data, [length, length]);
    causalBiases.set(length, bias);
  }
  return bias;
}

function checkHeadMask(mask: Tensor, heads: number): void {
  if (mask.ndim !== 1 || mask.shape[0] !== heads || mask.dtype !== 'f32') {
    throw new Error(
      `causalSelfAttention: head mask ${mask.dtype}${showShape(mask.shape)} must be f32 [${heads}] at an attention layer; ` +
        'give the model a mask [layers, heads], and repeat() hands each block its row',
    );
  }
}

/** Splits q, k or v (index 0, 1, 2) out of the head-major [3, B*H, T, hd] tensor. */
function part(qkv: Tensor, index: number): Tensor {
  const [, groups, length, headDim] = qkv.shape;
  return reshape(sliceAxis(qkv, 0, index, index + 1), [groups, length, headDim]);
}

/**
 * Creates a causal multi-head self-attention layer on inputs [B, T, E].
 *
 * @example
 *   const attn = causalSelfAttention({ width: 64, heads: 2 });
 *   attn.apply(attn.init(key(0)), h).shape // [B, T, 64] for h [B, T, 64]
 */
export function causalSelfAttention(options: AttentionOptions): Layer<AttentionParams> {
  const { width, heads } = options;
  checkPositiveInteger('causalSelfAttention', 'width', width);
  checkPositiveInteger('causalSelfAttention', 'heads', heads);
  if (width % heads !== 0) {
    throw new RangeError(`causalSelfAttention: width ${width} is not divisible by heads ${heads}; choose a head count that divides it`);
  }
  const headDim = width / heads;
  const qkvLayer = linear(width, 3 * width);
  const projLayer = linear(width, width);

  const apply = (params: AttentionParams, x: Tensor, context: LayerContext = EMPTY_CONTEXT): Tensor => {
    if (x.ndim !== 3 || x.shape[2] !== width) {
      throw new Error(`causalSelfAttention: input ${showShape(x.shape)} must be [batch, T, ${width}]`);
    }
    const [batch, length] = x.shape;
    const groups = batch * heads;

    const qkvRows = applyLinear(params.qkv, reshape(x, [batch * length, width]));
    const qkv = reshape(transpose(reshape(qkvRows, [batch, length, 3, heads, headDim]), [2, 0, 3, 1, 4]), [3, groups, length, headDim]);
    const scores = div(matmul(part(qkv, 0), part(qkv, 1), { transposeB: true }), Math.sqrt(headDim));
    const weights = softmax(add(scores, causalBias(length)), -1);
    if (context.onAttention) context.onAttention(reshape(weights, [batch, heads, length, length]));

    let attended = reshape(matmul(weights, part(qkv, 2)), [batch, heads, length, headDim]);
    if (context.headMask !== undefined) {
      checkHeadMask(context.headMask, heads);
      attended = mul(attended, reshape(context.headMask, [1, heads, 1, 1]));
    }
    const merged = reshape(transpose(attended, [0, 2, 1, 3]), [batch * length, width]);
    return reshape(applyLinear(params.proj, merged), [batch, length, width]);
  };

  return {
    init: (key) => {
      const [qkvKey, projKey] = split(key, 2);
      return { qkv: qkvLayer.init(qkvKey), proj: projLayer.init(projKey) };
    },
    apply,
  };
}
