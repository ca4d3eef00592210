/** The colour of each kind of node, shared by the nodes and the legend (torchviz's palette, softened). */
export const colors = {
  /** Leaves that are differentiated or have a scoped name such as 'dense0/w': light blue. */
  parameter: '#a9d3f5',
  /** Other leaves (data, constants): light yellow. */
  input: '#fbe7a1',
  /** The tensor drawn (y): light green. */
  output: '#c3e6a2',
  /** Tensors made by ops and not saved for backward: white. */
  intermediate: '#ffffff',
  /** Forward tensors the recorded backward pass reads: light orange. */
  saved: '#ffc98f',
  /** Gradients, and the gradient line under a tensor: pink. */
  gradient: '#f6b8c4',
  /** Forward op nodes: light grey. */
  op: '#e8e8e8',
  /** Op nodes of the recorded backward pass: pale pink. */
  backwardOp: '#fbe0e6',
  /** A name scope collapsed into one node: pale blue. */
  layer: '#dcecfb',
} as const;

export type Kind = 'parameter' | 'input' | 'output' | 'intermediate' | 'saved' | 'gradient';

export const edgeColors = { forward: '#444444', backward: '#c2185b', link: '#c2185b', saved: '#e08a2c' } as const;

export const fontname = 'Helvetica';

/** The legend entries in the order drawn. */
export const legendEntries: readonly (readonly [string, string])[] = [
  ['parameter', colors.parameter],
  ['input', colors.input],
  ['output', colors.output],
  ['saved for backward', colors.saved],
  ['gradient', colors.gradient],
  ['op', colors.op],
];
