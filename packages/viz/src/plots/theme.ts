/** The look shared by every chart: one font the report, the PNG renderer and Chromium all have. */
export const font = 'Liberation Sans, Arial, Helvetica, sans-serif';

export const config = {
  font,
  background: 'white',
  padding: 8,
  title: { fontSize: 15, anchor: 'start', offset: 10, subtitleFontSize: 11, subtitleColor: '#555' },
  // labelOverlap hides tick labels that would collide; labelFlush keeps end labels inside the plot.
  axis: { labelFontSize: 11, titleFontSize: 12, labelOverlap: 'greedy', labelFlush: true, titlePadding: 8, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 200 },
  view: { stroke: '#cccccc' },
  range: { category: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'] },
} as const;

export const size = { width: 440, height: 260 } as const;
