/** The built-in layers, registered in this order when this module loads. */
export { dense, denseLayer, type DenseConfig, type DenseOptions } from './dense.ts';
export { flatten } from './flatten.ts';
export { reshape, type ReshapeConfig } from './reshape.ts';
export { dropout, type DropoutConfig } from './dropout.ts';
export { batchNorm, type BatchNormConfig } from './batch-norm.ts';
export { layerNorm, type LayerNormConfig } from './layer-norm.ts';
export { activationLayer, activationKind, type ActivationConfig } from './activation.ts';
export { conv2d, type Conv2dConfig, type Conv2dOptions } from './conv2d.ts';
export { maxPool2d, type Pool2dConfig, type Pool2dLayerOptions } from './max-pool2d.ts';
export { avgPool2d } from './avg-pool2d.ts';
export { globalAvgPool2d } from './global-avg-pool2d.ts';
