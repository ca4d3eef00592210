/// <reference types="node" />
/** IDX files from disk (Node only); parsing and checks are in idx.ts, which works on bytes anywhere. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeIdxValues, parseIdxHeader, type IdxArray } from './idx.ts';
import { describeValue } from '@chainrule/core';

/** {@link readIdx}'s options. */
export interface ReadIdxOptions {
  /** Read only the first `limit` entries along dimension 0 (the whole file's size is still checked). */
  readonly limit?: number;
}

/** Reads exactly `length` bytes at `position`, looping because readSync may return fewer. */
function readExactly(fd: number, buffer: Uint8Array, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const got = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (got === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += got;
  }
}

/**
 * Reads and checks an IDX file (Node only). With `limit`, only the needed rows are read from disk.
 *
 * @param path - the file, uncompressed (gzip files are recognised and refused).
 * @returns the header and the values, row-major, in the typed array of the file's element type
 *   (`ubyte` → Uint8Array, `float` → Float32Array, …).
 * @throws IdxError when the file is malformed (wrong magic number, unknown type, truncated, or a size
 *   that does not match its dims), naming the file, the byte offset and what was expected.
 * @throws Error when path is not a string or limit is not a whole number ≥ 0 (and Node's own error when
 *   the file cannot be opened).
 * @example
 * ```ts
 * import { readIdx, mnistDataDir } from '@chainrule/datasets/node';
 * const labels = readIdx(`${mnistDataDir()}/t10k-labels-idx1-ubyte`, { limit: 10 });
 * labels.dims;   // [10]
 * ```
 */
export function readIdx(path: string, options: ReadIdxOptions = {}): IdxArray {
  if (typeof path !== 'string') throw new Error(`readIdx: path must be a file path string, got ${describeValue(path)}`);
  const { limit } = options;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 0)) {
    throw new Error(`readIdx: limit must be a non-negative integer, got ${describeValue(limit)}`);
  }
  const fd = openSync(path, 'r');
  try {
    const fileLength = fstatSync(fd).size;
    // 4 + 4·255 bytes covers the largest possible header.
    const head = new Uint8Array(Math.min(fileLength, 4 + 4 * 255));
    readExactly(fd, head, 0);
    const header = parseIdxHeader(head, fileLength, path);
    const rows = Math.min(header.dims[0]!, limit ?? Infinity);
    const rowSize = header.dims.slice(1).reduce((a, b) => a * b, 1);
    const count = rows * rowSize;
    const body = new Uint8Array(count * header.elementSize);
    readExactly(fd, body, header.dataOffset);
    return { ...header, dims: [rows, ...header.dims.slice(1)], fileDims: header.dims, data: decodeIdxValues(header, body, count) };
  } finally {
    closeSync(fd);
  }
}
