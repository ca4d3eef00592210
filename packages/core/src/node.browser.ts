/** What a browser bundle gets for '@chainrule/core/node': an error that says what to use instead. */
throw new Error(
  "@chainrule/core/node is Node-only (writeFileAtomic writes files to disk): in a browser import from '@chainrule/core', "
  + 'and hand the bytes to a download or to IndexedDB yourself',
);

export {};
