// Small SIMD helpers shared by the kernel files.

/** a·b + c: one fused multiply-add in the relaxed-SIMD binary, a multiply and an add in the other. */
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
