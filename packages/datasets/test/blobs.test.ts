import { describe, expect, it } from 'vitest';
import { blobs } from '../src/index.ts';

/** Mean and per-axis standard deviation of rows [from, from + count) of an [n, d] array. */
function stats(data: ArrayLike<number>, d: number, from: number, count: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (let i = from; i < from + count; i++) for (let j = 0; j < d; j++) { mean[j]! += data[i * d + j]!; sq[j]! += data[i * d + j]! ** 2; }
  return { mean: mean.map((s) => s / count), std: sq.map((s, j) => Math.sqrt(s / count - (mean[j]! / count) ** 2)) };
}

describe('blobs', () => {
  it('two blobs by default, on the diagonal at radius 0.5, with std 0.15', () => {
    const { x, y } = blobs({ perClass: 2000, seed: 1 });
    expect(x.shape).toEqual([4000, 2]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(y)).toEqual(Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 0 : 1)));
    const c = 0.5 / Math.SQRT2;
    // The mean of 2000 draws of std 0.15 is within 4·0.15/√2000 ≈ 0.013 of the centre.
    const [a, b] = [stats(x.data, 2, 0, 2000), stats(x.data, 2, 2000, 2000)];
    for (const j of [0, 1]) {
      expect(Math.abs(a.mean[j]! - c)).toBeLessThan(0.014);
      expect(Math.abs(b.mean[j]! + c)).toBeLessThan(0.014);
      expect(a.std[j]).toBeCloseTo(0.15, 2);
      expect(b.std[j]).toBeCloseTo(0.15, 2);
    }
  });

  it('a count spreads the centres evenly on the circle', () => {
    const { x } = blobs({ perClass: 1000, centers: 4, std: 0.05, seed: 2 });
    for (let k = 0; k < 4; k++) {
      const { mean } = stats(x.data, 2, k * 1000, 1000);
      const theta = Math.PI / 4 + (k * Math.PI) / 2;
      expect(mean[0]).toBeCloseTo(0.5 * Math.cos(theta), 2);
      expect(mean[1]).toBeCloseTo(0.5 * Math.sin(theta), 2);
    }
  });

  it('given centres of any length d, each point stays near its own centre', () => {
    const centers = [[0, 0, 0], [3, 0, 0], [0, 3, -3]];
    const { x, y } = blobs({ perClass: 500, centers, std: 0.2, seed: 3 });
    expect(x.shape).toEqual([1500, 3]);
    for (let i = 0; i < 1500; i++) {
      const dist = centers.map((c) => Math.hypot(...c.map((v, j) => x.data[i * 3 + j]! - v)));
      // The nearest centre is its own, and it lies within 6 std of it on every axis' scale.
      expect(dist.indexOf(Math.min(...dist))).toBe(y[i]);
      expect(dist[y[i]!]).toBeLessThan(6 * 0.2 * Math.sqrt(3));
    }
    for (let k = 0; k < 3; k++) {
      const { mean, std } = stats(x.data, 3, k * 500, 500);
      mean.forEach((m, j) => expect(Math.abs(m - centers[k]![j]!)).toBeLessThan(4 * 0.2 / Math.sqrt(500)));
      std.forEach((s) => expect(s).toBeCloseTo(0.2, 1));
    }
  });

  it('std 0 puts every point on its centre', () => {
    const { x } = blobs({ perClass: 3, centers: [[1, 2], [-1, 0.5]], std: 0 });
    expect(Array.from(x.data)).toEqual([1, 2, 1, 2, 1, 2, -1, 0.5, -1, 0.5, -1, 0.5]);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(Array.from(blobs({ seed: 5 }).x.data)).toEqual(Array.from(blobs({ seed: 5 }).x.data));
    expect(Array.from(blobs({ seed: 5 }).x.data)).not.toEqual(Array.from(blobs({ seed: 6 }).x.data));
  });

  it('says which option is wrong', () => {
    expect(() => blobs({ centers: 0 })).toThrow('blobs: centers (a count) must be a whole number ≥ 1, got the number 0');
    expect(() => blobs({ centers: [] })).toThrow('blobs: centers must be a count ≥ 1 or a list of points such as [[0, 0], [1, 1]], got an array of length 0');
    expect(() => blobs({ centers: '3' as never })).toThrow('blobs: centers must be a count ≥ 1 or a list of points such as [[0, 0], [1, 1]], got the string "3"');
    expect(() => blobs({ centers: [[0, 0], [1]] })).toThrow('blobs: centers[1] must be a point of 2 finite numbers like centers[0], got [1]');
    expect(() => blobs({ centers: [[0, 0], [1, Number.NaN]] })).toThrow('blobs: centers[1] must be a point of 2 finite numbers like centers[0], got [1, NaN]');
    expect(() => blobs({ centers: [[0, '1']] as never })).toThrow('blobs: centers[0] must be a point of 2 finite numbers like centers[0], got [0, the string "1"]');
    expect(() => blobs({ centers: [[]] })).toThrow('blobs: centers[0] must be a point of one or more finite numbers like centers[0], got []');
    expect(() => blobs({ std: -1 })).toThrow('blobs: std must be a finite number ≥ 0, got the number -1');
    expect(() => blobs({ centers: 1e9 })).toThrow(/^blobs: x of 100·1000000000 points of 2 coordinates would need 800000000000 bytes/);
    expect(() => blobs({ perClass: 0 })).toThrow('blobs: perClass must be a whole number ≥ 1, got the number 0');
  });
});
