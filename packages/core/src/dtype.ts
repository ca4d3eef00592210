/** The two numeric types a tensor can hold. float32 is the default, float64 is for checking. */
export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** `dtype` if it is one a tensor can hold; else an error starting with `where` that lists the valid ones. */
export function assertDType(where: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
}
