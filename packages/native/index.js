'use strict';
// The addon, found by node-gyp-build: a binary built here from source (build/Release) when there is one,
// else the prebuilt one the tarball carries for this platform (prebuilds/<platform>-<arch>/, Node-API, so
// any Node ≥ 20.16 loads it). Neither: it throws, naming the platform it looked for.
module.exports = require('node-gyp-build')(__dirname);
