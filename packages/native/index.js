'use strict';
// The built addon (node-gyp puts it in build/Release at install). Prebuilt binaries: a later slice.
module.exports = require('./build/Release/chainrule_native.node');
