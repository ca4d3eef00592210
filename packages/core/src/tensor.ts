/** The Tensor: an immutable n-d array that remembers which op made it. */
import { dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { describeValue } from './describe-value.ts';
import { fmt, type Shape } from './shape.ts';

/**
 * What a graph keeps of the op that made a tensor: its name, and its VJP and description. Every op made
 * by `defineOp` is one; it is declared here so that the tensor module needs no op module.
 */
export interface NodeOp {
  readonly name: string;
  readonly spec: {
    readonly vjp?: (inputs: readonly Tensor[], out: Tensor, dOut: Tensor, attrs: any, saved: any, needs: readonly boolean[]) => readonly (Tensor | null)[];
    readonly describe?: (attrs: any) => string;
  };
}

/** How a tensor was made: the op, its attributes and inputs, and what its VJP saved. */
export interface Node {
  readonly op: NodeOp;
  readonly attrs: unknown;
  readonly inputs: readonly Tensor[];
  readonly saved: unknown;
  /** The name scope (e.g. 'dense0') active when the op ran. */
  readonly scope: string;
  /** 'backward' for ops recorded while differentiating with `createGraph`. */
  readonly phase: 'forward' | 'backward';
}

/** Tensor ids: every tensor is a distinct graph node, even when two hold equal data. */
let nextId = 0;

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

export class Tensor {
  /** A unique, monotonically increasing id: two tensors with equal data are different nodes. */
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Contiguous row-major values. Never write to it: tensors are values. */
  readonly data: TypedArray;
  /** The op that produced this tensor, absent for leaves and for results computed under noGrad. */
  readonly node: Node | undefined;
  /** An optional label, e.g. a parameter name such as 'dense0/w'. */
  readonly name: string | undefined;

  constructor(data: TypedArray, shape: Shape, node?: Node, name?: string) {
    checkData(data, shape);
    this.id = nextId++;
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.node = node;
    this.name = name;
  }

  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }

  /** The same value under a label; keeps the graph link so gradients still flow. */
  withName(name: string): Tensor {
    return new Tensor(this.data, this.shape, this.node, name);
  }

  /** A leaf holding the same values: gradients stop here. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, undefined, this.name);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, expected exactly 1`);
    return this.data[0]!;
  }

  /** The values as nested JavaScript arrays (a number for a scalar). */
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

  toString(): string {
    const values = this.size <= 64 ? JSON.stringify(this.toArray()) : `${this.size} values`;
    return `Tensor(${fmt(this.shape)}, ${this.dtype}${this.name ? `, '${this.name}'` : ''}, ${values})`;
  }
}
