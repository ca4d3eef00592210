/** A Vega-Lite spec as built here: plain JSON, so it can be stored, inspected and rendered anywhere. */
export type ChartSpec = Record<string, unknown> & { readonly $schema: string };

export const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
