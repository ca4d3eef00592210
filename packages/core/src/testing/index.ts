/**
 * What core's own test suite uses on ops, for ops defined anywhere.
 * Samplers that draw op inputs inside a domain (`sampleUnary`, `sampleBinary`, …) and the property
 * checks run over the registry (`checkOpGradients`, `checkOpFloat32`, and forward mode's `checkOpJvp`,
 * `checkOpJvpTranspose`). Needs fast-check (an optional peer dependency of core), which core's main
 * entry never imports.
 *
 * @module @chainrule/core/testing
 */
import type * as FastCheck from 'fast-check';
import type { OpSample } from '../ops/define.ts';
import type { FC } from './sample.ts';

// Gives `OpSpec.sample` its fast-check types wherever this entry is imported.
declare module '../ops/define.ts' {
  interface SamplerTypes<A> {
    /** What `OpSpec.sample` is given: the fast-check module. */
    fc: FC;
    /** What `OpSpec.sample` returns: a fast-check arbitrary of the op's samples. */
    arbitrary: FastCheck.Arbitrary<OpSample<A>>;
  }
}

export {
  valuesArb, shapeArb, broadcastGroup, sampleFrom, sampleUnary, sampleBinary, axisArb,
  type FC, type Domain, type ShapeOptions,
} from './sample.ts';
export { checkOpGradients, checkOpFloat32, inputsOf, type PropertyOptions } from './properties.ts';
export { checkOpJvp, checkOpJvpTranspose, type JvpPropertyOptions, type TransposePropertyOptions } from './jvp-properties.ts';
