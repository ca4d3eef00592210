/** What a browser bundle gets for '@chainrule/viz/node': an error that says what to use instead. */
throw new Error(
  "@chainrule/viz/node is Node-only (PNG rendering with resvg, and writeReport's files): in a browser import from '@chainrule/viz', "
  + 'and draw graphs with toDot and renderSvg and charts with chartSvg; the SVG text goes straight into the page',
);

export {};
