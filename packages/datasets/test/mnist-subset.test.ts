import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchMnistSubset, mnistSubsetFromBytes, type MnistDigits } from '../src/index.ts';
import { encodeSubset, parseSubset } from '../src/mnist-subset-format.ts';
import { buildMnistSubset, loadMnist, loadMnistSubset, MNIST_FILES, MNIST_SUBSET_FILE, mnistDataDir, mnistTrainStats, readIdx } from '../src/node.ts';

const shipped = readFileSync(MNIST_SUBSET_FILE);
const plain = gunzipSync(shipped);

/** How many digits of each class. */
const classCounts = (labels: Int32Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);

/**
 * The first index where two arrays differ, or -1 (vitest's deep equality on millions of elements takes
 * minutes). Float32 values compare by Object.is, so NaN and −0 count.
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A tiny valid subset: 2 train and 1 test digit, each image filled with its row number. */
function tiny() {
  const images = (rows: number[]) => Uint8Array.from(rows.flatMap((r) => new Array<number>(784).fill(r)));
  return {
    train: { index: Uint32Array.of(3, 7), labels: Uint8Array.of(4, 9), images: images([3, 7]) },
    test: { index: Uint32Array.of(5), labels: Uint8Array.of(0), images: images([5]) },
    mean: 0.125,
    std: 0.25,
  };
}

describe('the shipped MNIST subset', () => {
  it('holds 300 training and 100 test digits of each class, in MNIST order', () => {
    const { train, test } = loadMnistSubset();
    console.log(`mnist subset: ${shipped.length} bytes gzipped, ${plain.length} plain`);
    for (const [s, perDigit, total] of [[train, 300, 60000], [test, 100, 10000]] as const) {
      expect(s.n).toBe(10 * perDigit);
      expect(s.x.shape).toEqual([s.n, 784]);
      expect(s.x.dtype).toBe('float32');
      expect(s.y.shape).toEqual([s.n]);
      expect(classCounts(s.labels)).toEqual(new Array(10).fill(perDigit));
      for (let i = 1; i < s.n; i++) expect(s.mnistIndex[i]).toBeGreaterThan(s.mnistIndex[i - 1]!);
      // Drawn from the whole file, not its first rows (the test file's two halves differ in difficulty).
      expect(s.mnistIndex[0]).toBeLessThan(total / 10);
      expect(s.mnistIndex[s.n - 1]).toBeGreaterThan(total * 0.9);
    }
  });

  it('each digit is the MNIST row it names: same pixels, same label, standardised the same way', () => {
    /** The named rows of a full [N, 784] array, scaled. */
    const rowsOf = (sub: MnistDigits, values: ArrayLike<number>, scale = 1) => {
      const out = new Float32Array(sub.x.size);
      sub.mnistIndex.forEach((row, i) => { for (let j = 0; j < 784; j++) out[i * 784 + j] = values[row * 784 + j]! * scale; });
      return out;
    };
    for (const split of ['train', 'test'] as const) {
      // Plain pixels are the file's bytes / 255 (as loadMnist's test checks for it); standardised ones are loadMnist's own.
      const bytes = readIdx(join(mnistDataDir(), MNIST_FILES[split].images)).data;
      const labels = readIdx(join(mnistDataDir(), MNIST_FILES[split].labels)).data;
      const sub = loadMnistSubset()[split];
      const rows = Array.from(sub.mnistIndex);
      expect(firstDifference(sub.labels, rows.map((row) => labels[row]!))).toBe(-1);
      expect(firstDifference(sub.y.data, rows.map((row) => labels[row]!))).toBe(-1);
      expect(firstDifference(sub.x.data, rowsOf(sub, bytes, 1 / 255))).toBe(-1);
      const standardized = loadMnistSubset({ standardize: true })[split];
      expect(standardized.mean).toBe(mnistTrainStats().mean);
      expect(standardized.std).toBe(mnistTrainStats().std);
      expect(firstDifference(standardized.x.data, rowsOf(standardized, loadMnist({ split, standardize: true }).x.data))).toBe(-1);
    }
  });

  it('is what the build script makes now (the choice is deterministic)', () => {
    expect(Buffer.from(buildMnistSubset()).equals(plain)).toBe(true);
  });

  it('decodes in the browser path from gzip bytes, plain bytes and an ArrayBuffer alike', async () => {
    const node = loadMnistSubset();
    for (const bytes of [new Uint8Array(shipped), new Uint8Array(plain), plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.length)]) {
      const { train, test } = await mnistSubsetFromBytes(bytes);
      expect(firstDifference(train.x.data, node.train.x.data)).toBe(-1);
      expect(firstDifference(test.x.data, node.test.x.data)).toBe(-1);
      expect(firstDifference(train.labels, node.train.labels)).toBe(-1);
      expect(firstDifference(test.mnistIndex, node.test.mnistIndex)).toBe(-1);
    }
  });
});

describe('building and decoding subsets', () => {
  it('round-trips every field', async () => {
    const t = tiny();
    const { train, test } = await mnistSubsetFromBytes(encodeSubset(t));
    expect(Array.from(train.mnistIndex)).toEqual([3, 7]);
    expect(Array.from(train.labels)).toEqual([4, 9]);
    expect(Array.from(train.y.data)).toEqual([4, 9]);
    expect(train.x.data[784]).toBe(Math.fround(7 / 255));
    expect(test.n).toBe(1);
    expect(test.split).toBe('test');
    expect(test.x.data[783]).toBe(Math.fround(5 / 255));
    const s = await mnistSubsetFromBytes(gzipSync(encodeSubset(t)), { standardize: true });
    expect(s.train.mean).toBe(0.125);
    expect(s.train.x.data[0]).toBeCloseTo((3 / 255 - 0.125) / 0.25, 6);
  });

  it('a seed picks the same digits every time and another seed picks others, still stratified', () => {
    const a = parseSubset(buildMnistSubset({ trainPerDigit: 5, testPerDigit: 2, seed: 1 }));
    const again = parseSubset(buildMnistSubset({ trainPerDigit: 5, testPerDigit: 2, seed: 1 }));
    const b = parseSubset(buildMnistSubset({ trainPerDigit: 5, testPerDigit: 2, seed: 2 }));
    expect(a.train.index).toEqual(again.train.index);
    expect(a.train.index).not.toEqual(b.train.index);
    expect(classCounts(Int32Array.from(b.train.labels))).toEqual(new Array(10).fill(5));
    expect(classCounts(Int32Array.from(b.test.labels))).toEqual(new Array(10).fill(2));
  });

  it('a path of your own loads, gzipped or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-subset-'));
    try {
      writeFileSync(join(dir, 'a.bin'), encodeSubset(tiny()));
      writeFileSync(join(dir, 'a.bin.gz'), gzipSync(encodeSubset(tiny())));
      expect(loadMnistSubset({ path: join(dir, 'a.bin') }).train.n).toBe(2);
      expect(loadMnistSubset({ path: join(dir, 'a.bin.gz') }).test.labels[0]).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fetchMnistSubset', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/mnist-subset.bin.gz') res.end(shipped);
      else { res.statusCode = 404; res.statusMessage = 'Not Found'; res.end(); }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches and decodes the asset from a URL', async () => {
    const { train, test } = await fetchMnistSubset(`${base}/mnist-subset.bin.gz`);
    expect(train.n).toBe(3000);
    expect(test.n).toBe(1000);
  });

  it('names the URL and the status when the server says no', async () => {
    await expect(fetchMnistSubset(`${base}/nothing`)).rejects.toThrow(`fetchMnistSubset: ${base}/nothing answered 404 Not Found`);
    await expect(fetchMnistSubset(3 as never)).rejects.toThrow('fetchMnistSubset: url must be a string or URL, got the number 3');
  });
});

describe('bad bytes are named by offset', () => {
  const valid = encodeSubset(tiny()); // 40 + 3·789 = 2407 bytes
  const edit = (offset: number, ...values: number[]) => { const b = valid.slice(); b.set(values, offset); return b; };
  const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return [...b]; };

  it.each([
    ['truncated data', valid.subarray(0, 2000), 'MNIST subset <bytes>: at byte offset 2000: expected 2 train and 1 test digits of 789 bytes each after the header, so a file of 2407 bytes, found the end of the file, 407 bytes short (truncated)'],
    ['a truncated header', valid.subarray(0, 20), 'MNIST subset <bytes>: at byte offset 20: expected a 40-byte header, found the end of the file: it has only 20 bytes'],
    ['extra bytes', Uint8Array.of(...valid, 1, 2), 'MNIST subset <bytes>: at byte offset 2407: expected the end of the file (2 train and 1 test digits make 2407 bytes), found 2 more bytes'],
    ['an IDX file', Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 5), "MNIST subset <bytes>: at byte offset 0: expected the magic 'CRMNIST' in bytes 0–6, found the byte 0x00: not a chainrule MNIST subset"],
    ['another version', edit(7, 2), 'MNIST subset <bytes>: at byte offset 7: expected format version 1, found version 2'],
    ['images of another size', edit(16, ...u32(32)), 'MNIST subset <bytes>: at byte offset 16: expected 28 rows per image, found 32'],
    ['a label over 9', edit(40 + 8 + 1, 12), 'MNIST subset <bytes>: at byte offset 49: expected a label 0–9, found 12'],
    ['indices out of order', edit(44, ...u32(2)), 'MNIST subset <bytes>: at byte offset 44: expected an MNIST row index above the previous one (3), found 2'],
    ['a count that does not match', edit(8, ...u32(3)), /^MNIST subset <bytes>: at byte offset 2407: expected 3 train and 1 test digits .* a file of 3196 bytes, found the end of the file, 789 bytes short/],
  ] as const)('%s', async (_name, bytes, message) => {
    await expect(mnistSubsetFromBytes(bytes)).rejects.toThrow(message);
  });

  it('a gzip stream that is cut short or corrupt says so', async () => {
    const gz = gzipSync(valid);
    await expect(mnistSubsetFromBytes(gz.subarray(0, gz.length - 20))).rejects.toThrow(/^MNIST subset <bytes>: the gzip stream of \d+ bytes did not decompress \(.*\): the file is truncated or corrupt$/);
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-subset-'));
    try {
      writeFileSync(join(dir, 'cut.bin.gz'), gz.subarray(0, 30));
      expect(() => loadMnistSubset({ path: join(dir, 'cut.bin.gz') })).toThrow(new RegExp(`^MNIST subset ${join(dir, 'cut.bin.gz').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the gzip stream of 30 bytes did not decompress`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gzip handed to the plain parser points at the decompressing loader', () => {
    expect(() => parseSubset(gzipSync(valid))).toThrow("MNIST subset <bytes>: at byte offset 0: expected the magic 'CRMNIST', found a gzip stream (0x1f 0x8b): decompress it first, or pass it to mnistSubsetFromBytes, which does");
  });

  it('wrong arguments are named', async () => {
    await expect(mnistSubsetFromBytes([1, 2] as never)).rejects.toThrow('mnistSubsetFromBytes: expected the file\'s bytes as a Uint8Array or ArrayBuffer, got an array of length 2');
    await expect(mnistSubsetFromBytes(valid, { standardize: 'yes' as never })).rejects.toThrow('mnistSubsetFromBytes: standardize must be true or false, got the string "yes"');
    expect(() => loadMnistSubset({ path: 3 as never })).toThrow('loadMnistSubset: path must be a file path string, got the number 3');
    expect(() => buildMnistSubset({ trainPerDigit: -1 })).toThrow('buildMnistSubset: trainPerDigit must be a whole number ≥ 0, got the number -1');
    expect(() => buildMnistSubset({ testPerDigit: 2000 })).toThrow(/^buildMnistSubset: the test set has only \d+ examples of the digit \d; asked for 2000 of each$/);
  });
});
