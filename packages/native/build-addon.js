'use strict';
// The install script, node-gyp-build's convention with a friendlier failure: when a prebuilt binary for
// this platform loads, there is nothing to build; otherwise it builds from source with node-gyp. A failed
// build must not fail the install (this package is optional): chainrule then runs on its WebAssembly
// kernels and says why. In a source checkout (not under node_modules) it always builds, so that the
// binary matches the sources being edited rather than a prebuild left by an earlier `pack`.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const installed = __dirname.split(path.sep).includes('node_modules');
const forced = process.env.npm_config_build_from_source === 'true';

/** The path of a prebuilt binary that loads here, or undefined. */
function loadablePrebuild() {
  const prebuild = path.join(__dirname, 'prebuilds');
  try {
    const file = require('node-gyp-build').path(__dirname);
    if (!file.startsWith(prebuild + path.sep)) return undefined;
    require(file);
    return file;
  } catch {
    return undefined;
  }
}

const prebuilt = installed && !forced ? loadablePrebuild() : undefined;
if (prebuilt) {
  console.log(`@chainrule/native: using the prebuilt ${path.relative(__dirname, prebuilt)}`);
} else {
  const run = spawnSync('node-gyp', ['rebuild'], { cwd: __dirname, stdio: 'inherit', shell: true });
  if (run.status !== 0) {
    const why = run.error ? run.error.message : `exited with status ${run.status}`;
    console.warn(`@chainrule/native: no prebuilt binary fits ${process.platform}-${process.arch} and the addon did not build `
      + `(node-gyp rebuild ${why}); chainrule runs on its WebAssembly kernels. To build it, install g++, make and python3, `
      + 'then run `npm rebuild @chainrule/native` (pnpm: `pnpm rebuild @chainrule/native`).');
  }
}
