/** The colour of each kind of node, shared by the nodes and the legend (torchviz's palette, softened). */
export const colors = {
  parameter: '#a9d3f5',
  input: '#fbe7a1',
  output: '#c3e6a2',
  intermediate: '#ffffff',
  saved: '#ffc98f',
  gradient: '#f6b8c4',
  op: '#e8e8e8',
  backwardOp: '#fbe0e6',
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
