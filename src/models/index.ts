/**
 * Models: the in-context Transformer, the layers and combinators it is built from, and the
 * classical baselines (as the `baselines` namespace, whose names overlap the layers').
 */
export * from './layers/index.js';
export {
  applyTransformer, applyTransformerWithAttention, checkTransformerConfig, countParameters, gpt2Block, initTransformer,
  interleaveTokens, transformerLayer, transformerLoss, transformerParameterShapes, xTokenOutputs,
  type ApplyOptions, type BlockParams, type TransformerConfig, type TransformerParams, type TransformerTensors,
} from './transformer.js';
export {
  TRANSFORMER_CONFIG_METADATA_KEY, fromNamedTensors, toNamedTensors, transformerFromSafetensors, transformerToSafetensors,
} from './named-tensors.js';
export * as baselines from './baselines/index.js';
