/**
 * The wasm side's working memory. Tensors live in JS-owned typed arrays, so each kernel call copies its
 * inputs into this arena, runs, and copies the result out. Blocks are 64-byte aligned and padded, so
 * kernels may read and write a partial last vector past a block's end.
 */
const PAGE = 65536;

export class Arena {
  /** A Float32Array over all of memory, replaced whenever memory grows (growing detaches the old one). */
  f32: Float32Array;
  private top: number;

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.f32 = new Float32Array(memory.buffer);
    this.top = base;
  }

  /** Starts a call: everything allocated since the last reset is free again. */
  reset(): void {
    this.top = this.base;
  }

  /** Reserves `floats` float32 slots and returns the byte address. */
  alloc(floats: number): number {
    const at = this.top;
    this.top += (floats * 4 + 16 + 63) & ~63; // padding for a spilled partial vector, then 64-byte aligned
    this.ensure(this.top);
    return at;
  }

  /** Copies `src` in and returns its byte address. */
  put(src: Float32Array): number {
    const at = this.alloc(src.length);
    this.f32.set(src, at >> 2);
    return at;
  }

  /** Copies `dst.length` floats out from byte address `at`. */
  get(at: number, dst: Float32Array): void {
    dst.set(this.f32.subarray(at >> 2, (at >> 2) + dst.length));
  }

  private ensure(bytes: number): void {
    // Only this class grows the memory, so the cached view's length is the memory's size.
    const have = this.f32.byteLength;
    if (bytes <= have) return;
    // Grow by at least half again, so a run of slightly larger calls does not grow every time.
    const need = Math.ceil((bytes - have) / PAGE);
    this.memory.grow(Math.max(need, Math.ceil(have / PAGE / 2)));
    this.f32 = new Float32Array(this.memory.buffer);
  }
}
