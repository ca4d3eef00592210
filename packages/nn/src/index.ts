/**
 * Layers, losses, optimisers, schedules, fit, gradient health, metrics, scalers and
 * models as safetensors bytes. Everything here runs in a browser too; files and the terminal
 * progress bar are in '@chainrule/nn/node'.
 *
 * @module @chainrule/nn
 * @document ../README.md
 */
export { activationNames, activation, checkActivation, type ActivationName, type BuiltinActivation } from './activations.ts';
export { autoInit, initialize, initNames, initVariance, type InitArgs, type InitName } from './init.ts';
export {
  defineLayer, registeredLayers, getLayer, LayerSpec,
  type LayerDefinition, type LayerDef, type LayerContext, type LayerInitArgs, type LayerSample, type LayerJSON, type CommonLayerOptions, type Tensors,
} from './layers/define.ts';
export {
  dense, flatten, reshape, dropout, batchNorm, layerNorm, activationLayer, conv2d, maxPool2d, avgPool2d, globalAvgPool2d,
  type DenseConfig, type DenseOptions, type ReshapeConfig, type DropoutConfig, type BatchNormConfig, type LayerNormConfig, type ActivationConfig,
  type Conv2dConfig, type Conv2dOptions, type Pool2dConfig, type Pool2dLayerOptions,
} from './layers/index.ts';
export type { Layer, ParamInfo, RunOptions, Shape } from './layers/layer.ts';
export type { ModelState } from './model-state.ts';
export { sequential, mlp, fromSpec, ModelSpec, type Model, type ApplyOptions, type MlpOptions, type SequentialOptions, type SequentialJSON } from './model.ts';
export { countParams, layerOf, type Params } from './params.ts';
export { mse, mae, crossEntropy, binaryCrossEntropy, getLoss, lossNames, type Loss, type LossName } from './losses.ts';
export * from './optimizers/index.ts';
export * from './schedules.ts';
export { batches, batchIndices, checkSameCount, type Batch, type BatchOptions } from './batching.ts';
export { sampleCount, toLabels, toOneHot, type Target } from './targets.ts';
/** Core's: the rows of a tensor or the entries of a label list (how fit cuts batches). */
export { takeRows, type Labels } from '@chainrule/core';
export { gradientMonitor, layerNorms, NonFiniteError, defaultMonitorOptions, type NonFiniteCause, type GradientMonitor, type GradientWarning, type MonitorOptions, type WarningKind } from './monitor.ts';
export { makeTrainStep, objective, usesLogits, type LossSpec, type StepResult, type StepRun } from './train-step.ts';
export { fit } from './fit.ts';
export { Trainer } from './trainer.ts';
export type { FitOptions, FitResult, TransformContext, Callbacks, StepInfo, EpochInfo } from './fit-types.ts';
export type { EarlyStopping } from './early-stopping.ts';
export { evaluate, predict, type Evaluation, type EvaluateOptions, type PredictOptions } from './evaluate.ts';
export { History, type HistoryConfig } from './history.ts';
export { lineProgress, type ProgressOptions, type ProgressReporter } from './progress.ts';
export {
  accuracy, confusionMatrix, meanSquaredError, meanAbsoluteError, r2, metrics, metricNames, getMetric,
  predictedClasses, trueClasses, type Metric, type MetricName,
} from './metrics.ts';
export { StandardScaler, MinMaxScaler } from './scalers.ts';
export { encodeSafetensors, decodeSafetensors, encodeModel, decodeModel, type DecodeModelOptions, type EncodeModelOptions } from './safetensors.ts';
export {
  toTorchStateDict, fromTorchStateDict, TORCH_LAYOUTS,
  type TorchStateDict, type TorchTensor, type TorchDType, type TorchEntry, type TorchLayout, type TorchOptions,
} from './torch-interop.ts';
export { checkAgainstSpec, MAX_PARAM_BYTES } from './validate-state.ts';
export {
  encodeCheckpoint, decodeCheckpoint, CHECKPOINT_FORMAT,
  type Checkpoint, type TrainingState, type ResumeState, type DecodeCheckpointOptions, type EpochPosition,
} from './checkpoint.ts';
export type { FitRngState } from './fit-streams.ts';
