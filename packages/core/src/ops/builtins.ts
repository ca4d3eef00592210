/**
 * The typed table of built-in ops. Every name here must map to a defined op, and every op given
 * a VJP-less spec without `differentiable: false` fails to compile (see OpSpec).
 */
import { leakyReluOp, logSoftmaxOp, reluOp, sigmoidOp, softmaxOp, softplusOp } from './activation.ts';
import { equalOp, greaterEqualOp, greaterOp, lessEqualOp, lessOp, notEqualOp, signOp, heavisideOp } from './compare.ts';
import type { OpDef } from './define.ts';
import {
  absOp, addOp, castOp, clipOp, cosOp, divOp, expOp, logOp, maximumOp, minimumOp, mulOp, negOp, powOp,
  sinOp, sqrtOp, squareOp, subOp, tanhOp, whereOp,
} from './elementwise.ts';
import { linearOp, matmulOp } from './linalg.ts';
import { softmaxCrossEntropyOp } from './cross-entropy.ts';
import { logsumexpOp, maxOp, minOp, sumOp } from './reduce.ts';
import { broadcastToOp, concatOp, gatherOp, padOp, permuteOp, reshapeOp, scatterAddOp, sliceOp } from './shape.ts';

export type BuiltinOpName =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs'
  | 'sin' | 'cos' | 'tanh' | 'square' | 'where' | 'clip' | 'cast'
  | 'sigmoid' | 'relu' | 'leakyRelu' | 'softplus' | 'softmax' | 'logSoftmax'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual' | 'sign' | 'heaviside'
  | 'sum' | 'max' | 'min' | 'logsumexp' | 'matmul' | 'linear' | 'softmaxCrossEntropy'
  | 'reshape' | 'permute' | 'broadcastTo' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd';

export const builtinOps: { readonly [K in BuiltinOpName]: OpDef } = {
  add: addOp, sub: subOp, mul: mulOp, div: divOp, pow: powOp, maximum: maximumOp, minimum: minimumOp,
  neg: negOp, exp: expOp, log: logOp, sqrt: sqrtOp, abs: absOp, sin: sinOp, cos: cosOp, tanh: tanhOp,
  square: squareOp, where: whereOp, clip: clipOp, cast: castOp,
  sigmoid: sigmoidOp, relu: reluOp, leakyRelu: leakyReluOp, softplus: softplusOp, softmax: softmaxOp, logSoftmax: logSoftmaxOp,
  equal: equalOp, notEqual: notEqualOp, greater: greaterOp, greaterEqual: greaterEqualOp, less: lessOp, lessEqual: lessEqualOp, sign: signOp, heaviside: heavisideOp,
  sum: sumOp, max: maxOp, min: minOp, logsumexp: logsumexpOp, matmul: matmulOp, linear: linearOp, softmaxCrossEntropy: softmaxCrossEntropyOp,
  reshape: reshapeOp, permute: permuteOp, broadcastTo: broadcastToOp, slice: sliceOp, pad: padOp, concat: concatOp,
  gather: gatherOp, scatterAdd: scatterAddOp,
};

