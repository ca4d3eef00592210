/** The Tensor: an immutable n-d array that remembers which op made it. */
import { dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { describeValue } from './describe-value.ts';
import { fmt, type Shape } from './shape.ts';

/**
 * What a graph keeps of the op that made a tensor: its name, and its VJP and description. Every op made
 * by `defineOp` is one; it is declared here so that the tensor module needs no op module.
 */
export interface NodeOp {
  /** The op's registered name, e.g. 'matmul'. */
  readonly name: string;
  /** The parts of the op's spec the engine and the drawings use. */
  readonly spec: {
    /** The vector-Jacobian product: one cotangent (or null) per input, given the output's cotangent `dOut`. */
    readonly vjp?: (inputs: readonly Tensor[], out: Tensor, dOut: Tensor, attrs: any, saved: any, needs: readonly boolean[]) => readonly (Tensor | null)[];
    /** Short text for the attributes in graph drawings, e.g. 'axis=1'. */
    readonly describe?: (attrs: any) => string;
  };
}

/** How a tensor was made: the op, its attributes and inputs, and what its VJP saved. */
export interface Node {
  /** The op that ran. */
  readonly op: NodeOp;
  /** The op's non-tensor arguments as it was called with them, e.g. `{ axis: [1], keepDims: false }`. */
  readonly attrs: unknown;
  /** The tensors the op read, in order: the edges `grad` walks back along. */
  readonly inputs: readonly Tensor[];
  /** What the forward pass kept for its VJP besides the inputs and output (e.g. a max's argmax), or undefined. */
  readonly saved: unknown;
  /** The name scope (e.g. 'dense0') active when the op ran. */
  readonly scope: string;
  /** 'backward' for ops recorded while differentiating with `createGraph`. */
  readonly phase: 'forward' | 'backward';
}

/** Tensor ids: every tensor is a distinct graph node, even when two hold equal data. */
let nextId = 0;

/**
 * A number, or arrays of them nested to any depth: what `tensor()` takes and `Tensor.toArray()` gives.
 * Nested arrays must be rectangular (every row at one depth has one length).
 */
export type NestedArray = number | NestedArray[];

/**
 * The constructor's one check: typed data that exactly fills the shape (a short array would compute with
 * NaN, a long one hide values). Only a length comparison: every op makes a tensor.
 */
function checkData(data: unknown, shape: Shape): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`Tensor: data must be a Float32Array or Float64Array, got ${describeValue(data)}${Array.isArray(data) ? '; use tensor() for arrays of numbers' : ''}`);
  }
  if (!Array.isArray(shape)) throw new Error(`Tensor: shape must be an array of dimensions, got ${describeValue(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  if (data.length !== n) throw new Error(`Tensor: ${data.length} values do not fill shape ${fmt(shape)} (${n} needed)`);
}

/** A trie of frozen shapes by their dimensions: `next` by the following dimension, `shape` ending here. */
interface ShapeNode { readonly next: Map<number, ShapeNode>; shape: Shape | undefined }
const shapes: ShapeNode = { next: new Map(), shape: undefined };
/** How many shapes the trie holds at most: a program with ever new shapes freezes copies past that. */
const MAX_SHAPES = 4096;
let shapeCount = 0;

/**
 * A frozen copy of `shape`, one per distinct shape: every op makes a tensor, Object.freeze costs ~100 ns
 * (measured), a lookup here ~30. Tensors of one shape share it (it is frozen, so nothing can tell).
 * Dimensions other than whole numbers ≥ 1 get a copy of their own.
 */
function frozenShape(shape: Shape): Shape {
  let node = shapes;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!(Number.isInteger(d) && d >= 1)) return Object.freeze(shape.slice());
    let next = node.next.get(d);
    if (next === undefined) {
      if (shapeCount >= MAX_SHAPES) return Object.freeze(shape.slice());
      node.next.set(d, (next = { next: new Map(), shape: undefined }));
    }
    node = next;
  }
  if (node.shape === undefined) {
    if (shapeCount >= MAX_SHAPES) return Object.freeze(shape.slice());
    shapeCount++;
    node.shape = Object.freeze(shape.slice());
  }
  return node.shape;
}

/** Set by {@link checkedTensor} for the one construction it asks for: its caller has checked data and shape. */
let checkedByCaller = false;

/**
 * A tensor whose data and shape its caller has already checked as strictly as the constructor would (runOp
 * checks every op's output): the constructor's check is then not done a second time. One class, one
 * construction path, so every tensor keeps one hidden class.
 */
export function checkedTensor(data: TypedArray, shape: Shape, node: Node | undefined): Tensor {
  checkedByCaller = true;
  return new Tensor(data, shape, node);
}

/**
 * An immutable n-dimensional array of float32 or float64 values that remembers the op that made it, so
 * `grad` can walk back from it. Every op returns a new tensor; none changes its inputs. Make tensors
 * with `tensor`, `zeros`, `randn` and the other creation functions rather than this constructor.
 *
 * @example
 * ```ts
 * import { tensor } from '@chainrule/core';
 * const x = tensor([[1, 2], [3, 4]]);      // float32, shape [2, 2]
 * x.add(1).sum().item();                    // 14
 * ```
 */
export class Tensor {
  /**
   * A unique, monotonically increasing id: two tensors with equal data are different nodes.
   *
   * @example
   * ```ts
   * tensor([1]).id !== tensor([1]).id;   // true
   * ```
   */
  readonly id: number;
  /**
   * The size of each dimension, outermost first (frozen); `[]` for a scalar.
   *
   * @example
   * ```ts
   * tensor([[1, 2, 3], [4, 5, 6]]).shape;   // [2, 3]
   * ```
   */
  readonly shape: Shape;
  /**
   * 'float32' or 'float64': the type of `data`. Ops keep it; mixing the two in one op is an error (use `cast`).
   *
   * @example
   * ```ts
   * tensor([1, 2], { dtype: 'float64' }).dtype;   // 'float64'
   * ```
   */
  readonly dtype: DType;
  /**
   * Contiguous row-major values (a Float32Array or Float64Array of `size` values). Never write to it: tensors are values.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).data;   // Float32Array [1, 2, 3, 4]
   * ```
   */
  readonly data: TypedArray;
  /**
   * The op that produced this tensor, absent for leaves and for results computed under noGrad.
   *
   * @example
   * ```ts
   * tensor([1, 2]).relu().node?.op.name;   // 'relu'
   * ```
   */
  readonly node: Node | undefined;
  /**
   * An optional label, e.g. a parameter name such as 'dense0/w'; graph drawings and `toString` show it.
   *
   * @example
   * ```ts
   * tensor([1], { name: 'w' }).name;   // 'w'
   * ```
   */
  readonly name: string | undefined;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`; `node` links it into a graph (ops pass it, users
   * do not). Prefer `tensor()` (copies) or `fromData()` (checks and wraps).
   *
   * @throws Error when `data` is not a Float32Array or Float64Array, or its length does not fill `shape`.
   * @example
   * ```ts
   * import { Tensor } from '@chainrule/core';
   * const t = new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
   * ```
   */
  constructor(data: TypedArray, shape: Shape, node?: Node, name?: string) {
    if (checkedByCaller) checkedByCaller = false;
    else checkData(data, shape);
    this.id = nextId++;
    this.data = data;
    // A frozen shape (another tensor's, as withName and the shape ops pass) cannot change: shared, not copied.
    this.shape = Object.isFrozen(shape) ? shape : frozenShape(shape);
    this.dtype = dtypeOf(data);
    this.node = node;
    this.name = name;
  }

  /**
   * The number of values: the product of the shape (1 for a scalar).
   *
   * @example
   * ```ts
   * zeros([2, 3]).size;   // 6
   * ```
   */
  get size(): number { return this.data.length; }
  /**
   * The number of dimensions (0 for a scalar).
   *
   * @example
   * ```ts
   * zeros([2, 3]).rank;   // 2
   * ```
   */
  get rank(): number { return this.shape.length; }

  /**
   * The same value under a label; keeps the graph link so gradients still flow.
   *
   * @example
   * ```ts
   * const w = randn([2, 2], { seed: 0 }).withName('dense0/w');
   * ```
   */
  withName(name: string): Tensor {
    checkedByCaller = true; // this tensor's data and shape
    return new Tensor(this.data, this.shape, this.node, name);
  }

  /**
   * A leaf holding the same values: gradients stop here (JAX's `stop_gradient`, PyTorch's `detach`).
   *
   * @example
   * ```ts
   * const x = scalar(3);
   * grad(x.mul(x.detach()), x).item();   // 3, not 6
   * ```
   */
  detach(): Tensor {
    checkedByCaller = true; // this tensor's data and shape
    return new Tensor(this.data, this.shape, undefined, this.name);
  }

  /**
   * The single value of a one-element tensor, as a number.
   *
   * @throws Error when the tensor has more or fewer than one element, naming its shape.
   * @example
   * ```ts
   * tensor([1, 2, 3]).sum().item();   // 6
   * ```
   */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, expected exactly 1`);
    return this.data[0]!;
  }

  /**
   * The values as nested JavaScript arrays, one level per dimension (a number for a scalar).
   *
   * @example
   * ```ts
   * arange(4).reshape([2, 2]).toArray();   // [[0, 1], [2, 3]]
   * ```
   */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): [NestedArray, number] => {
      if (dim === this.shape.length) return [this.data[offset]!, offset + 1];
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) {
        const [v, next] = build(dim + 1, offset);
        out.push(v);
        offset = next;
      }
      return [out, offset];
    };
    return build(0, 0)[0];
  }

  /**
   * A one-line description: shape, dtype, name if any, and the values when there are at most 64.
   *
   * @example
   * ```ts
   * String(tensor([1, 2]));   // 'Tensor([2], float32, [1,2])'
   * ```
   */
  toString(): string {
    const values = this.size <= 64 ? JSON.stringify(this.toArray()) : `${this.size} values`;
    return `Tensor(${fmt(this.shape)}, ${this.dtype}${this.name ? `, '${this.name}'` : ''}, ${values})`;
  }
}
