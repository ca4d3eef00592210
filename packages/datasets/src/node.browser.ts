/** What a browser bundle gets for '@chainrule/datasets/node': an error that says what to use instead. */
throw new Error(
  "@chainrule/datasets/node is Node-only (readIdx and loadMnist read files from disk): in a browser import from '@chainrule/datasets', "
  + 'fetch the IDX bytes yourself and decode them with parseIdx',
);

export {};
