/**
 * The graph panel's part of the URL: `graph=model` (or `graph=expression&expr=…&vars=a:0.5,b:-1.2`, the
 * sliders' values) while it is open, and
 * `drawing=full|layers` when not 'auto'. Left out when closed, so links to the training alone stay as they were.
 * Loaded with the page (it is tiny); the panel itself is loaded when first opened.
 */
export const GRAPH_SOURCES = ['model', 'expression'] as const;
export type GraphSourceName = (typeof GRAPH_SOURCES)[number];
/** 'auto' draws in full up to a node budget, else one node per layer; the others force one way. */
export const DRAWING_MODES = ['auto', 'full', 'layers'] as const;
export type DrawingMode = (typeof DRAWING_MODES)[number];

export interface GraphView {
  readonly open: boolean;
  readonly source: GraphSourceName;
  readonly expression: string;
  /** The expression's variables' values (the sliders), by name. */
  readonly values: Readonly<Record<string, number>>;
  readonly drawing: DrawingMode;
}

export const DEFAULT_EXPRESSION = 'tanh(a*b + sin(a))';
export const CLOSED: GraphView = { open: false, source: 'model', expression: DEFAULT_EXPRESSION, values: {}, drawing: 'auto' };

const oneOf = <T extends string>(values: readonly T[], v: string | null, fallback: T): T => (values.includes(v as T) ? (v as T) : fallback);

/** The panel's view a query asks for; an unknown value falls back to the default (the panel is an aid, never refused). */
export function readGraphView(search: string): GraphView {
  const q = new URLSearchParams(search);
  const graph = q.get('graph');
  return {
    open: graph !== null && (GRAPH_SOURCES as readonly string[]).includes(graph),
    source: oneOf(GRAPH_SOURCES, graph, 'model'),
    expression: q.get('expr') ?? DEFAULT_EXPRESSION,
    values: readValues(q.get('vars') ?? ''),
    drawing: oneOf(DRAWING_MODES, q.get('drawing'), 'auto'),
  };
}

/** The query parameters (each with its leading '&') that stand for `v`; '' when the panel is closed. */
export function graphQuery(v: GraphView): string {
  if (!v.open) return '';
  const q = new URLSearchParams({ graph: v.source });
  if (v.source === 'expression') {
    q.set('expr', v.expression);
    const vars = Object.entries(v.values).map(([name, value]) => `${name}:${value}`).join(',');
    if (vars) q.set('vars', vars);
  }
  if (v.drawing !== 'auto') q.set('drawing', v.drawing);
  return `&${q.toString()}`;
}

/** `a:0.5,b:-1.2` → { a: 0.5, b: -1.2 }; a pair that is not a name and a finite number is left out (its slider starts where it would). */
function readValues(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(.+)$/.exec(pair);
    if (m && m[2]!.trim() !== '' && Number.isFinite(Number(m[2]))) values[m[1]!] = Number(m[2]);
  }
  return values;
}
