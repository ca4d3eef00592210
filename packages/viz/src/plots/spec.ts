/** A Vega-Lite spec as built here: plain JSON, so it can be stored, inspected and rendered anywhere. */
export type ChartSpec = Record<string, unknown> & {
  /** The Vega-Lite schema URL; the chart functions set v6's. */
  readonly $schema: string;
};

export const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
