/** Layers as values (`init`, `apply`) and the combinators that compose them into models. */
export { EMPTY_CONTEXT, type Layer, type LayerContext, type NoParams, type ParamsOf } from './layer.js';
export { named, repeat, residual, serial, stateless, type SerialLayer, type SerialParams } from './combinators.js';
export { applyLinear, linear, type LinearInit, type LinearOptions, type LinearParams } from './linear.js';
export { layerNorm, type LayerNormParams } from './layer-norm.js';
export { causalBias, causalSelfAttention, type AttentionOptions, type AttentionParams } from './attention.js';
export { mlp, type MlpParams } from './mlp.js';
export { positionEmbedding } from './position-embedding.js';
export { GPT2_INIT_STD, constantInit, normalInit } from './init.js';
