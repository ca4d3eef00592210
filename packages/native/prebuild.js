'use strict';
// `prepack`: builds the tarball's prebuilt binary (prebuilds/<platform>-<arch>/*.napi.node, the
// prebuildify / node-gyp-build convention) from a copy of the sources, so packing never rebuilds the
// build/ directory a running workspace loads its addon from.
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const copy = mkdtempSync(path.join(tmpdir(), 'chainrule-native-prebuild-'));
try {
  for (const entry of ['package.json', 'binding.gyp', 'src']) cpSync(path.join(__dirname, entry), path.join(copy, entry), { recursive: true });
  symlinkSync(path.join(__dirname, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  rmSync(path.join(__dirname, 'prebuilds'), { recursive: true, force: true });
  const prebuildify = require.resolve('prebuildify/bin.js');
  // Node-API: one binary for every Node ≥ 20.16. Built against the running Node's headers, not the newest
  // release's (prebuildify's default, downloaded): the ones installed beside node when there are, as npm's
  // `nodedir` would name them.
  const args = ['--napi', '--strip', '--target', `node@${process.versions.node}`, '--cwd', copy, '--out', __dirname];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync(path.join(prefix, 'include/node/node_version.h'))) env.npm_config_nodedir = prefix;
  const run = spawnSync(process.execPath, [prebuildify, ...args], { cwd: copy, stdio: 'inherit', env });
  if (run.status !== 0) throw new Error(`prebuildify failed (${run.error?.message ?? `status ${run.status}`}): the tarball would carry no prebuilt binary`);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
