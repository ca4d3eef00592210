'use strict';
// The install script: builds the addon with node-gyp. A failed build must not fail the install (this
// package is optional): chainrule then keeps its WebAssembly kernels, and setBackend('native') says why.
const { spawnSync } = require('node:child_process');

const run = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
if (run.status !== 0) {
  const why = run.error ? run.error.message : `exited with status ${run.status}`;
  console.warn(`@chainrule/native: the addon did not build (node-gyp rebuild ${why}); chainrule runs on its WebAssembly kernels. `
    + 'To build it, install g++, make and python3, then run `npm rebuild @chainrule/native` (pnpm: `pnpm rebuild @chainrule/native`).');
}
