/** The two numeric types a tensor can hold. float32 is the default, float64 is for checking. */
export type DType = 'float32' | 'float64';
/** The arrays a tensor's values live in: a Float32Array for float32, a Float64Array for float64. */
export type TypedArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * `dtype` if it is one a tensor can hold ('float32' or 'float64').
 *
 * @throws Error starting with `where` that names the value and lists the valid dtypes.
 * @example
 * ```ts
 * import { assertDType } from '@chainrule/core';
 * assertDType('myLayer', 'float16');   // Error: myLayer: unknown dtype "float16"; expected 'float32' or 'float64'
 * ```
 */
export function assertDType(where: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
}
