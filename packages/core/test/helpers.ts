/** Test helpers: closeness with a tolerance (toBe tells -0 from +0). */
import { expect } from 'vitest';

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-6, rtol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: ${a} is not within ${atol} + ${rtol}·|${e}| of ${e}`);
    }
  }
}

/** A seed for property tests: CHAINRULE_SEED when given, a fixed one otherwise; always printed. */
export function propertySeed(suite: string): number {
  const seed = Number(process.env.CHAINRULE_SEED ?? 20261125);
  console.log(`[${suite}] fast-check seed ${seed} (rerun with CHAINRULE_SEED=${seed})`);
  return seed;
}
