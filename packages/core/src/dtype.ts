/** The two numeric types a tensor can hold. float32 is the default, float64 is for checking. */
import type { DType, TypedArray } from './buffers.ts';

export type { DType, TypedArray } from './buffers.ts';
/** A zeroed buffer: fresh, or one a training loop handed back (see buffers.ts). */
export { allocate } from './buffers.ts';

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function assertDType(where: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
}
