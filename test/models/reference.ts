/**
 * A float64 reference of the in-context Transformer written with plain loops over arrays,
 * independent of the DSL, following the PyTorch reference model: used to check the layers and
 * the whole model where PyTorch is not installed.
 */
import type { Tensor } from '../../src/index.js';

/** A row-major float64 matrix. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function toMatrix(t: Tensor, rows: number, cols: number): Matrix {
  return { rows, cols, data: Float64Array.from(t.data()) };
}

/** y = x W^T + b for x [rows, in], W [out, in], b [out]. */
export function refLinear(x: Matrix, weight: Tensor, bias: Tensor): Matrix {
  const [out, inFeatures] = weight.shape;
  const w = weight.data();
  const b = bias.data();
  const data = new Float64Array(x.rows * out);
  for (let r = 0; r < x.rows; r++) {
    for (let o = 0; o < out; o++) {
      let total = b[o];
      for (let i = 0; i < inFeatures; i++) total += x.data[r * inFeatures + i] * w[o * inFeatures + i];
      data[r * out + o] = total;
    }
  }
  return { rows: x.rows, cols: out, data };
}

/** LayerNorm of every row with eps 1e-5 and population variance. */
export function refLayerNorm(x: Matrix, weight: Tensor, bias: Tensor): Matrix {
  const w = weight.data();
  const b = bias.data();
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    let mean = 0;
    for (let c = 0; c < x.cols; c++) mean += x.data[r * x.cols + c];
    mean /= x.cols;
    let variance = 0;
    for (let c = 0; c < x.cols; c++) variance += (x.data[r * x.cols + c] - mean) ** 2;
    variance /= x.cols;
    const scale = 1 / Math.sqrt(variance + 1e-5);
    for (let c = 0; c < x.cols; c++) data[r * x.cols + c] = (x.data[r * x.cols + c] - mean) * scale * w[c] + b[c];
  }
  return { rows: x.rows, cols: x.cols, data };
}

/** GELU, tanh form. */
export function refGelu(x: Matrix): Matrix {
  const c = Math.sqrt(2 / Math.PI);
  return { ...x, data: x.data.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))) };
}

export function refAdd(a: Matrix, b: Matrix): Matrix {
  return { ...a, data: a.data.map((v, i) => v + b.data[i]) };
}

interface RefLinearParams {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

/**
 * Causal self-attention of one sequence x [T, E] with H heads: head h uses columns h*E/H ..
 * (h+1)*E/H - 1 of q, k and v, where q, k, v are the three E-column blocks of x W_qkv^T + b.
 * Returns the output [T, E] and the weights [H][T][T]; `headMask` scales head outputs.
 */
export function refAttention(
  x: Matrix,
  params: { readonly qkv: RefLinearParams; readonly proj: RefLinearParams },
  heads: number,
  headMask?: readonly number[],
): { out: Matrix; weights: number[][][] } {
  const length = x.rows;
  const width = x.cols;
  const headDim = width / heads;
  const qkv = refLinear(x, params.qkv.weight, params.qkv.bias);
  const at = (t: number, part: number, h: number, i: number) => qkv.data[t * 3 * width + part * width + h * headDim + i];
  const merged = new Float64Array(length * width);
  const weights: number[][][] = [];
  for (let h = 0; h < heads; h++) {
    const headWeights: number[][] = [];
    for (let t = 0; t < length; t++) {
      const scores = new Array<number>(length).fill(-Infinity);
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let i = 0; i < headDim; i++) dot += at(t, 0, h, i) * at(s, 1, h, i);
        scores[s] = dot / Math.sqrt(headDim);
      }
      const top = Math.max(...scores.slice(0, t + 1));
      const exps = scores.map((v) => Math.exp(v - top));
      const total = exps.reduce((a, b) => a + b, 0);
      const row = exps.map((v) => v / total);
      headWeights.push(row);
      const scale = headMask ? headMask[h] : 1;
      for (let i = 0; i < headDim; i++) {
        let value = 0;
        for (let s = 0; s <= t; s++) value += row[s] * at(s, 2, h, i);
        merged[t * width + h * headDim + i] = value * scale;
      }
    }
    weights.push(headWeights);
  }
  return { out: refLinear({ rows: length, cols: width, data: merged }, params.proj.weight, params.proj.bias), weights };
}

/** The parameter tree as the reference reads it (a structural subset of TransformerParams). */
export interface RefTransformerParams {
  readonly read_in: RefLinearParams;
  readonly wpe: Tensor;
  readonly blocks: readonly {
    readonly ln_1: RefLinearParams;
    readonly attn: { readonly qkv: RefLinearParams; readonly proj: RefLinearParams };
    readonly ln_2: RefLinearParams;
    readonly mlp: { readonly fc: RefLinearParams; readonly proj: RefLinearParams };
  }[];
  readonly ln_f: RefLinearParams;
  readonly read_out: RefLinearParams;
}

/** Predictions [n] for one prompt: xs [n][d], ys [n]. */
export function refTransformer(params: RefTransformerParams, heads: number, xs: number[][], ys: number[]): number[] {
  const points = xs.length;
  const dims = xs[0].length;
  const tokens = new Float64Array(2 * points * dims);
  for (let i = 0; i < points; i++) {
    for (let c = 0; c < dims; c++) tokens[2 * i * dims + c] = xs[i][c];
    tokens[(2 * i + 1) * dims] = ys[i];
  }
  let h = refLinear({ rows: 2 * points, cols: dims, data: tokens }, params.read_in.weight, params.read_in.bias);
  const wpe = params.wpe.data();
  h = { ...h, data: h.data.map((v, i) => v + wpe[i]) };
  for (const block of params.blocks) {
    h = refAdd(h, refAttention(refLayerNorm(h, block.ln_1.weight, block.ln_1.bias), block.attn, heads).out);
    const hidden = refGelu(refLinear(refLayerNorm(h, block.ln_2.weight, block.ln_2.bias), block.mlp.fc.weight, block.mlp.fc.bias));
    h = refAdd(h, refLinear(hidden, block.mlp.proj.weight, block.mlp.proj.bias));
  }
  const out = refLinear(refLayerNorm(h, params.ln_f.weight, params.ln_f.bias), params.read_out.weight, params.read_out.bias);
  return Array.from({ length: points }, (_, i) => out.data[2 * i]);
}
