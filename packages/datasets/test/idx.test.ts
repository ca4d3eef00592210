import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, IdxError, parseIdx, type IdxType } from '../src/index.ts';
import { readIdx } from '../src/node.ts';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, bytes: Uint8Array | number[]): string => {
  const path = join(dir, name);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
};

/** The error readIdx throws for a file, checked to be an IdxError naming the file and the offset. */
function failure(path: string, offset: number): IdxError {
  let caught: unknown;
  try { readIdx(path); } catch (e) { caught = e; }
  expect(caught).toBeInstanceOf(IdxError);
  const err = caught as IdxError;
  expect(err.file).toBe(path);
  expect(err.offset).toBe(offset);
  expect(err.message).toContain(path);
  expect(err.message).toContain(`byte offset ${offset}`);
  expect(err.message).toContain('expected');
  return err;
}

describe('IDX round trip', () => {
  const cases: [IdxType, number[], ArrayLike<number>][] = [
    ['ubyte', [2, 3], [0, 1, 2, 253, 254, 255]],
    ['byte', [4], [-128, -1, 0, 127]],
    ['short', [2, 2], [-32768, -2, 258, 32767]],
    ['int', [3], [-2147483648, 0x01020304, 2147483647]],
    ['float', [2, 1, 2], Float32Array.from([1.5, -0.25, 3.4028234663852886e38, 1e-7])],
    ['double', [2], [Math.PI, -1e-300]],
  ];
  for (const [type, dims, values] of cases) {
    it(`writes and reads ${type} ${JSON.stringify(dims)} big-endian`, () => {
      const bytes = encodeIdx(type, dims, values);
      const path = write(`ok-${type}.idx`, bytes);
      const a = readIdx(path);
      expect(a.type).toBe(type);
      expect(a.dims).toEqual(dims);
      expect(a.dataOffset).toBe(4 + 4 * dims.length);
      expect(Array.from(a.data)).toEqual(Array.from(values));
      expect(Array.from(parseIdx(bytes, 'mem').data)).toEqual(Array.from(values));
    });
  }

  it('lays out the header as magic 0x00 0x00 type ndims then big-endian dims', () => {
    const bytes = encodeIdx('short', [1, 258], new Array(258).fill(0x0102));
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 0x0b, 2, 0, 0, 0, 1, 0, 0, 1, 2]);
    expect(Array.from(bytes.subarray(12, 14))).toEqual([1, 2]);
  });

  it('reads only the first rows with limit, still checking the whole file size', () => {
    const path = write('limit.idx', encodeIdx('int', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    const a = readIdx(path, { limit: 3 });
    expect(a.dims).toEqual([3, 2]);
    expect(a.fileDims).toEqual([4, 2]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readIdx(path, { limit: 10 }).dims).toEqual([4, 2]);
    const bad = write('limit-trunc.idx', encodeIdx('int', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]).subarray(0, 30));
    expect(() => readIdx(bad, { limit: 1 })).toThrow(/truncated file/);
  });
});

describe('corrupt IDX files name the file, the byte offset and what was expected', () => {
  it('an empty file: truncated header at offset 0', () => {
    const err = failure(write('empty.idx', []), 0);
    expect(err.message).toMatch(/4-byte magic number/);
    expect(err.message).toMatch(/truncated header/);
  });

  it('a header cut inside the dimension sizes', () => {
    // ndims = 3 needs a 16-byte header; the file stops after 10 bytes, inside dimension 1.
    const err = failure(write('short-header.idx', [0, 0, 8, 3, 0, 0, 0, 5, 0, 0]), 10);
    expect(err.message).toMatch(/expected a 16-byte header/);
    expect(err.message).toMatch(/inside the size of dimension 1/);
  });

  it('a wrong magic number (first bytes not zero)', () => {
    const bytes = encodeIdx('ubyte', [2], [1, 2]);
    bytes[0] = 0x12;
    const err = failure(write('magic0.idx', bytes), 0);
    expect(err.message).toMatch(/wrong magic number 0x12 0x00 0x08 0x01/);
    expect(err.message).toMatch(/magic number starting 0x00 0x00/);
    bytes[0] = 0;
    bytes[1] = 7;
    failure(write('magic1.idx', bytes), 1);
  });

  it('a gzip file gets a hint', () => {
    const err = failure(write('gz.idx', [0x1f, 0x8b, 8, 0, 0, 0]), 0);
    expect(err.message).toMatch(/gzip/);
  });

  it('an unknown element type code at offset 2', () => {
    const bytes = encodeIdx('ubyte', [2], [1, 2]);
    bytes[2] = 0x0a;
    const err = failure(write('type.idx', bytes), 2);
    expect(err.message).toMatch(/unknown type code 0x0a/);
    expect(err.message).toMatch(/0x08 \(ubyte\)/);
  });

  it('zero dimensions at offset 3', () => {
    failure(write('ndims.idx', [0, 0, 8, 0, 42]), 3);
  });

  it('a truncated data section: the offset is where the file ends, the message gives the expected length', () => {
    const bytes = encodeIdx('short', [3, 4], new Array(12).fill(7)); // 12 + 24 = 36 bytes
    const err = failure(write('trunc.idx', bytes.subarray(0, 31)), 31);
    expect(err.message).toMatch(/12 short values \(dims \[3, 4\] × 2 bytes\) from offset 12, so a file of 36 bytes/);
    expect(err.message).toMatch(/truncated file: it ends at byte 31, 5 bytes short/);
  });

  it('dims that promise less data than the file holds: the offset is where the extra bytes start', () => {
    const bytes = encodeIdx('ubyte', [2, 2], [1, 2, 3, 4]);
    const longer = Uint8Array.from([...bytes, 9, 9, 9]);
    const err = failure(write('extra.idx', longer), 16);
    expect(err.message).toMatch(/dims do not match the file size/);
    expect(err.message).toMatch(/3 extra bytes/);
  });

  it('dims that promise more data than the file holds', () => {
    const bytes = encodeIdx('ubyte', [2, 2], [1, 2, 3, 4]);
    new DataView(bytes.buffer).setUint32(4, 60000, false);
    const err = failure(write('dims.idx', bytes), bytes.length);
    expect(err.message).toMatch(/dims \[60000, 2\]/);
    expect(err.message).toMatch(/so a file of 120012 bytes/);
  });

  it('parseIdx reports the name it is given', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]), 'blob.idx')).toThrow(/IDX file blob\.idx: at byte offset 0: expected/);
  });
});
