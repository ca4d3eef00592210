/**
 * The wasm side's working memory. Tensors live in JS-owned typed arrays, so a kernel call copies its
 * inputs in, runs, and copies its outputs out. Two regions:
 *
 * - a ring of recent inputs and outputs, kept after the call: when the next kernel reads the same
 *   buffer (a layer's output, the weights the optimiser just wrote, a gradient the monitor just
 *   measured) it is found here and not copied in again. Only buffers the engine allocated are
 *   remembered: tensors are immutable, and such a buffer gets new contents only when allocate() hands
 *   it out again, which bumps its generation (bufferGeneration) and so retires the copy.
 * - scratch after the ring (packing buffers, and the inputs and outputs of calls too big for the ring),
 *   free again at the start of every call.
 *
 * Blocks are 64-byte aligned and padded, so kernels may read and write a partial last vector past a
 * block's end.
 */
import type { TypedArray } from '../../dtype.ts';
import { bufferGeneration } from '../pool.ts';

const PAGE = 65536;
/**
 * Bytes of the ring: a few MNIST training steps of traffic, inside the L3 cache, and room for the
 * biggest call of such a step (Adam's update of the 784×128 weights moves 2.8 MB: four arrays in,
 * three out), since a call may use at most half the ring.
 */
const RING_BYTES = 8 * 2 ** 20;

/** Blocks (inputs and outputs) one kernel call may take from the ring; more go to scratch. */
const MAX_BLOCKS = 16;

const blockBytes = (floats: number) => (floats * 4 + 16 + 63) & ~63; // room for a spilled partial vector

export class Arena {
  /** A Float32Array over all of memory, replaced whenever memory grows (growing detaches the old one). */
  f32: Float32Array;
  /** The same memory as Int32 (a fused program's code and operand table), replaced alike. */
  i32: Int32Array;
  private readonly scratch: number;
  private top: number;
  /** Bytes handed out by the ring since the start; a block at absolute position p lives at base + p % RING_BYTES. */
  private head = 0;
  /** During a call, ring copies that start before this may be overwritten by the call's own blocks. */
  private limit = 0;
  /** Where the current call's span of the ring ends (absolute); equal to head when it uses scratch. */
  private end = 0;
  /** Engine buffer → absolute ring position of its copy, and the buffer's generation when it was made. */
  private readonly copies = new WeakMap<TypedArray, { at: number; generation: number }>();

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.scratch = base + RING_BYTES;
    this.top = this.scratch;
    this.ensure(this.top);
  }

  /** Starts a call that copies at most `floats` values in and out; everything in scratch is free again. */
  begin(floats: number): void {
    this.top = this.scratch;
    // The call's blocks go into one contiguous span of the ring (values plus each block's alignment
    // and padding), never across the lap's end; a call bigger than half the ring uses scratch.
    const bytes = floats * 4 + MAX_BLOCKS * 128;
    const ringed = bytes <= RING_BYTES / 2;
    if (ringed && (this.head % RING_BYTES) + bytes > RING_BYTES) this.head += RING_BYTES - (this.head % RING_BYTES);
    this.end = ringed ? this.head + bytes : this.head;
    // Copies that start before this lie where the span will write (a call in scratch leaves all intact).
    this.limit = this.end - RING_BYTES;
  }

  /** The byte address of `src`'s values in wasm memory: its kept copy, or a fresh one. */
  input(src: Float32Array): number {
    const kept = this.copies.get(src);
    if (kept && kept.at >= this.limit && kept.generation === bufferGeneration(src)) return this.base + (kept.at % RING_BYTES);
    const at = this.output(src.length);
    this.f32.set(src, at >> 2);
    this.remember(src, at);
    return at;
  }

  /** Reserves an output block of `floats` values and returns its byte address. */
  output(floats: number): number {
    const bytes = blockBytes(floats);
    if (this.head + bytes > this.end) return this.alloc(floats); // a call in scratch, or more blocks than begin() allowed for
    const at = this.base + (this.head % RING_BYTES);
    this.head += bytes;
    return at;
  }

  /** Copies an output block out into `dst` and remembers it as `dst`'s copy. */
  finish(at: number, dst: Float32Array): void {
    this.get(at, dst);
    this.remember(dst, at);
  }

  /** Reserves `floats` float32 slots of scratch and returns the byte address. */
  alloc(floats: number): number {
    const at = this.top;
    this.top += blockBytes(floats);
    this.ensure(this.top);
    return at;
  }

  /** Copies `dst.length` floats out from byte address `at`. */
  get(at: number, dst: Float32Array): void {
    dst.set(this.f32.subarray(at >> 2, (at >> 2) + dst.length));
  }

  /** Records that the ring block at `at` holds `buf`'s values (engine buffers only; scratch blocks are not kept). */
  private remember(buf: Float32Array, at: number): void {
    const generation = bufferGeneration(buf);
    if (at >= this.scratch || generation < 0) return;
    // The block was handed out during this call: the latest lap that holds its offset.
    const offset = at - this.base;
    const absolute = offset + RING_BYTES * Math.floor((this.head - 1 - offset) / RING_BYTES);
    const kept = this.copies.get(buf);
    if (kept) { kept.at = absolute; kept.generation = generation; } // no garbage in the steady state
    else this.copies.set(buf, { at: absolute, generation });
  }

  private ensure(bytes: number): void {
    // Only this class grows the memory, so the cached view's length is the memory's size.
    const have = this.f32.byteLength;
    if (bytes <= have) return;
    // Grow by at least half again, so a run of slightly larger calls does not grow every time.
    const need = Math.ceil((bytes - have) / PAGE);
    this.memory.grow(Math.max(need, Math.ceil(have / PAGE / 2)));
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
}
