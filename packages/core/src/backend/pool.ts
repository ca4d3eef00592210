/**
 * The buffer pool: where a tensor's values live. A fresh typed array costs far more than its size
 * suggests: the allocator hands out zeroed pages and the garbage collector has to find them again
 * (measured on the project's VM: ~40 µs for a 400 KB Float32Array, as long as a 64×784×128 matmul's
 * copy-in). A training loop makes the same buffers every step, so buffers nobody can see any more are
 * given back here and handed out again. Which buffers those are is ./ownership.ts's business; this
 * file only keeps them, and counts.
 */
import type { DType, TypedArray } from '../dtype.ts';

/**
 * Buffers of at most this many bytes are cheap to make: V8 keeps them inside its heap (~50 ns, measured),
 * not worth a map lookup. A larger one gets memory of its own, outside the heap: ~0.4–0.8 µs even for
 * 32 values, so from 17 float32 (9 float64) values on, buffers are pooled.
 */
const MAX_IN_HEAP_BYTES = 64;
const bytesPer = (dtype: DType): number => (dtype === 'float64' ? 8 : 4);
/** bufferStats counts buffers of this many values and more (as it did when only those were pooled). */
const COUNTED_FROM = 64;
/** At most this many free buffers of one dtype and length, and this many bytes in all. */
const MAX_PER_SIZE = 32;
const MAX_POOLED_BYTES = 512 * 2 ** 20;

const free = new Map<number, PooledBuffer[]>();
let pooledBytes = 0;
/**
 * Counters since the process started: buffers of at least COUNTED_FROM values made fresh or reused, and their
 * bytes. A Float64Array, not an object: the byte counts pass 2³⁰ within a training run, and an object field that
 * outgrows V8's small integers changes representation under optimised code (takeRecord was deoptimised once a run).
 */
const counts = new Float64Array(4);
const FRESH = 0, FRESH_BYTES = 1, REUSED = 2, REUSED_BYTES = 3;

/**
 * What the backend knows of a pooled-size buffer that take() made: one record per buffer, found once
 * when it is made, so that a buffer's trip (take, owned by a call, given back) costs no weak-map lookup.
 * ./ownership.ts keeps the buffer's owner here; the pool only clears it when the buffer comes back.
 */
export interface PooledBuffer {
  /** The buffer itself. */
  readonly buf: TypedArray;
  /**
   * How many times take() has handed it out again since making it. A kernel set may keep a copy of
   * the buffer (the wasm set keeps recent inputs and outputs in its own memory): the copy stays
   * current while the generation is unchanged, because the engine writes a buffer only right after
   * take() hands it out.
   */
  generation: number;
  /** In the free lists now: given back once, until taken again (giving one back twice would hand it out twice). */
  pooled: boolean;
  /** Who may reuse it (./ownership.ts's business): a running call, a function's handout, or undefined (escaped, or in the pool). */
  owner: unknown;
  /** The last ownership walk that found it (./ownership.ts's business): a mark instead of a set of buffers per walk. */
  foundBy: number;
}
const records = new WeakMap<TypedArray, PooledBuffer>();
/** The same records by ArrayBuffer: a view (subarray) shares its buffer's fate, and the ownership walk finds views too. */
const recordsByBuffer = new WeakMap<ArrayBufferLike, PooledBuffer>();

function newRecord(buf: TypedArray): PooledBuffer {
  const made: PooledBuffer = { buf, generation: 0, pooled: false, owner: undefined, foundBy: 0 };
  records.set(buf, made);
  recordsByBuffer.set(buf.buffer, made);
  return made;
}

/**
 * The buffer's generation: how many times allocate() has handed it out again since making it, or -1
 * when allocate() did not make it (or it is too small to pool). A kernel set may keep a copy of a
 * buffer (the wasm set keeps recent ones in its memory) while the generation is unchanged; of a -1
 * buffer it keeps none.
 *
 * @example
 * ```ts
 * import { bufferGeneration } from '@chainrule/core/backend';
 * bufferGeneration(new Float32Array(1024));   // -1: not made by allocate()
 * ```
 */
export const bufferGeneration = (buf: TypedArray): number => records.get(buf)?.generation ?? -1;

/** The record of a buffer take() made, or undefined for any other buffer. */
export const recordOf = (buf: TypedArray): PooledBuffer | undefined => records.get(buf);

/** The record of the buffer take() made that `array` is (or is a view of), or undefined. */
export const recordOfBuffer = (array: TypedArray): PooledBuffer | undefined => recordsByBuffer.get(array.buffer);

const keyOf = (dtype: DType, size: number) => size * 2 + (dtype === 'float64' ? 1 : 0);

/** Whether a buffer is one the pool takes back (big enough to be worth it, and a whole ArrayBuffer). */
export const isPoolable = (buf: TypedArray): boolean =>
  buf.byteLength > MAX_IN_HEAP_BYTES && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;

/**
 * A buffer of `size` values, from the pool when it has one. Zeroed, unless the caller promises to write
 * every value itself (`'overwritten'`, e.g. a kernel's output): then a reused buffer skips the zeroing.
 */
export function take(dtype: DType, size: number, contents: 'zeros' | 'overwritten' = 'zeros'): TypedArray {
  // The backstop behind the boundary checks: a size no typed array takes is an Error saying so, not a RangeError.
  if (!(size >= 0 && size <= MAX_ELEMENTS && Number.isInteger(size))) throw badSize(dtype, size);
  if (size * bytesPer(dtype) <= MAX_IN_HEAP_BYTES) return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  return takeRecord(dtype, size, contents).buf;
}

/** Whether take() pools buffers of this many values of dtype (and keeps a record of them): a whole number, over MAX_IN_HEAP_BYTES bytes, up to MAX_ELEMENTS. */
export const isPooledSize = (dtype: DType, size: number): boolean =>
  size * bytesPer(dtype) > MAX_IN_HEAP_BYTES && size <= MAX_ELEMENTS && Number.isInteger(size);

/** take() for a pooled size (see isPooledSize), returning the buffer's record. */
export function takeRecord(dtype: DType, size: number, contents: 'zeros' | 'overwritten'): PooledBuffer {
  const record = free.get(keyOf(dtype, size))?.pop();
  if (record === undefined) {
    const buf = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    const made = newRecord(buf);
    if (size >= COUNTED_FROM) {
      counts[FRESH]++;
      counts[FRESH_BYTES] += buf.byteLength;
    }
    return made;
  }
  const buf = record.buf;
  record.pooled = false;
  record.generation++; // new contents: kept copies are stale
  pooledBytes -= buf.byteLength;
  if (contents === 'zeros') buf.fill(0);
  if (size >= COUNTED_FROM) {
    counts[REUSED]++;
    counts[REUSED_BYTES] += buf.byteLength;
  }
  return record;
}

/** Gives a buffer back for reuse. The caller guarantees nothing will read or write it again. */
export function giveBack(buf: TypedArray): void {
  if (!isPoolable(buf)) return;
  let record = records.get(buf);
  if (record === undefined) record = newRecord(buf);
  giveBackRecord(record);
}

/** giveBack() for a buffer take() made, by its record. */
export function giveBackRecord(record: PooledBuffer): void {
  if (record.pooled) return;
  const buf = record.buf;
  if (pooledBytes + buf.byteLength > MAX_POOLED_BYTES) return;
  const key = keyOf(buf instanceof Float64Array ? 'float64' : 'float32', buf.length);
  let list = free.get(key);
  if (!list) free.set(key, (list = []));
  if (list.length >= MAX_PER_SIZE) return;
  list.push(record);
  record.pooled = true;
  record.owner = undefined;
  pooledBytes += buf.byteLength;
}

/** What `bufferStats` reads: counters since the process started (only buffers of 64 values or more count), and the pool now. */
export interface BufferStats {
  /** Buffers allocated fresh since the process started. */
  readonly fresh: number;
  /** The bytes of those fresh buffers. */
  readonly freshBytes: number;
  /** Buffers handed out again from the pool. */
  readonly reused: number;
  /** The bytes of those reused buffers. */
  readonly reusedBytes: number;
  /** Buffers waiting in the pool now. */
  readonly pooled: number;
  /** The bytes of the buffers waiting in the pool now (at most 512 MiB). */
  readonly pooledBytes: number;
}

/**
 * Allocation counters, for tests and benchmarks (`@chainrule/core/backend`): take two readings and subtract.
 *
 * @example
 * ```ts
 * import { bufferStats } from '@chainrule/core/backend';
 * import { zeros } from '@chainrule/core';
 * const before = bufferStats();
 * zeros([256]);
 * bufferStats().fresh - before.fresh;   // 1, or 0 when the pool had a [256] float32 buffer
 * ```
 */
export const bufferStats = (): BufferStats => ({
  fresh: counts[FRESH]!,
  freshBytes: counts[FRESH_BYTES]!,
  reused: counts[REUSED]!,
  reusedBytes: counts[REUSED_BYTES]!,
  pooled: [...free.values()].reduce((n, list) => n + list.length, 0),
  pooledBytes,
});

/** The most elements a typed array can hold (V8: 2³²); larger sizes are refused before allocating. */
export const MAX_ELEMENTS = 2 ** 32;

/** A byte count for messages: 4000000000000 → '4e12' (three significant digits, no '+'). */
export const formatBytes = (n: number): string =>
  n < 1e6 ? String(n) : Number(n.toPrecision(3)).toExponential().replace('+', '');

function badSize(dtype: DType, size: number): Error {
  if (!(size > MAX_ELEMENTS)) return new Error(`allocate: ${size} is not a number of values (a non-negative whole number)`);
  return new Error(`allocate: ${size} ${dtype} values need ${formatBytes(size * (dtype === 'float64' ? 8 : 4))} bytes, more than a typed array can hold (at most ${MAX_ELEMENTS} values)`);
}
