/**
 * Conversion between the Transformer's parameter tree and flat named tensors with the names and
 * layouts of the PyTorch reference (`blocks.0.attn.qkv.weight` and so on), and from there to
 * safetensors files that PyTorch code can load.
 */
import { decodeSafetensors, encodeSafetensors, isTensor, type Tensor } from '../core/index.js';
import { showShape } from './layers/check.js';
import { checkTransformerConfig, transformerParameterShapes, type TransformerConfig, type TransformerParams } from './transformer-config.js';

/** The safetensors metadata key that stores the Transformer config as JSON. */
export const TRANSFORMER_CONFIG_METADATA_KEY = 'icl-lab.transformer-config';

/** Collects the tensors of a tree under their paths joined by '.'; static leaves are skipped. */
function collectNamed(node: unknown, path: string, out: Record<string, Tensor>): void {
  if (isTensor(node)) {
    out[path] = node;
    return;
  }
  const prefix = path === '' ? '' : `${path}.`;
  if (Array.isArray(node)) {
    node.forEach((child, i) => collectNamed(child, `${prefix}${i}`, out));
  } else if (typeof node === 'object' && node !== null) {
    for (const [name, child] of Object.entries(node)) collectNamed(child, `${prefix}${name}`, out);
  }
}

/**
 * Flattens the parameters to named tensors: each tensor's name is its path in the tree joined by
 * '.', which is the PyTorch reference's name (`wpe`, `blocks.0.ln_1.weight`, ...). The config is
 * not a tensor and is left out.
 *
 * @example Object.keys(toNamedTensors(params)).includes('blocks.0.attn.qkv.weight') // true
 */
export function toNamedTensors(params: TransformerParams): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const { config: _config, ...tensors } = params;
  collectNamed(tensors, '', out);
  return out;
}

/** Builds nested records and arrays from dotted names given in tree order (numeric segments index arrays). */
function unflattenNamed(entries: readonly (readonly [string, Tensor])[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    const segments = name.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[segment] = value;
        return;
      }
      if (container[segment] === undefined) container[segment] = /^\d+$/.test(segments[i + 1]) ? [] : {};
      node = container[segment] as Record<string, unknown> | unknown[];
    });
  }
  return root;
}

/**
 * Rebuilds the parameter tree from named tensors (the inverse of `toNamedTensors`). Every
 * expected tensor must be present, f32 and of its expected shape, and no other name may appear.
 * Otherwise the error lists each missing, extra or misshapen tensor with the expected shape.
 *
 * @example fromNamedTensors(decodeSafetensors(bytes).tensors, config)
 */
export function fromNamedTensors(named: Readonly<Record<string, Tensor>>, config: TransformerConfig): TransformerParams {
  checkTransformerConfig(config);
  const expected = transformerParameterShapes(config);
  const expectedNames = new Set(expected.map(([name]) => name));
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const t = named[name];
    if (t === undefined) {
      problems.push(`missing '${name}' (expected f32${showShape(shape)})`);
    } else if (t.dtype !== 'f32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      problems.push(`'${name}' is ${t.dtype}${showShape(t.shape)}, expected f32${showShape(shape)}`);
    }
  }
  for (const name of Object.keys(named)) {
    if (!expectedNames.has(name)) problems.push(`unexpected '${name}' (not a parameter of this config)`);
  }
  if (problems.length > 0) {
    const sizes = `nDims ${config.nDims}, nPoints ${config.nPoints}, nEmbd ${config.nEmbd}, nLayer ${config.nLayer}, nHead ${config.nHead}`;
    throw new Error(`fromNamedTensors: the tensors do not match a Transformer with ${sizes}:\n  ${problems.join('\n  ')}`);
  }
  const tree = unflattenNamed(expected.map(([name]) => [name, named[name]] as const));
  return { ...(tree as unknown as Omit<TransformerParams, 'config'>), config: { ...config } };
}

/**
 * Encodes the parameters as safetensors bytes with the reference names, and the config as JSON
 * in the metadata, so `transformerFromSafetensors` needs no separate config.
 */
export function transformerToSafetensors(params: TransformerParams, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const { nDims, nPoints, nEmbd, nLayer, nHead } = params.config;
  const config = JSON.stringify({ nDims, nPoints, nEmbd, nLayer, nHead });
  return encodeSafetensors(toNamedTensors(params), { ...metadata, [TRANSFORMER_CONFIG_METADATA_KEY]: config });
}

/**
 * Decodes parameters written by `transformerToSafetensors`. Without `config`, the config comes
 * from the file's metadata; a file without it (for example one written by PyTorch) needs `config`.
 */
export function transformerFromSafetensors(bytes: Uint8Array, config?: TransformerConfig, source = 'safetensors data'): TransformerParams {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const stored = metadata[TRANSFORMER_CONFIG_METADATA_KEY];
  if (config === undefined && stored === undefined) {
    throw new Error(`${source}: no '${TRANSFORMER_CONFIG_METADATA_KEY}' metadata; pass the TransformerConfig explicitly`);
  }
  return fromNamedTensors(tensors, config ?? (JSON.parse(stored!) as TransformerConfig));
}
