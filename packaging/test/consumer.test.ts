/**
 * chainrule as a user outside this repository gets it. Every package is packed with `pnpm pack`
 * (its prepack builds dist/; @chainrule/native's builds its prebuilt linux-x64 binary), the tarballs
 * are installed into a temporary project outside the workspace (every @chainrule/* pinned to its
 * tarball, so nothing comes from the registry under that name; the native build approved by
 * `allowBuilds`, as the README tells pnpm users; no C++ compiler, so the prebuild is what loads), and
 * there the README's "Use it in your project" programs run as written: train.mjs under plain `node`
 * (on the native kernels), train.ts through a strict `module: nodenext` tsc and then node, and app.js
 * bundled by esbuild for the browser and run in Debian's Chromium. Node and the page are pinned to
 * the same kernel set and must print the same loss. Then @chainrule/native without its prebuild:
 * built from source at install, or, with no compiler, an install that still works on WebAssembly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['native', 'core', 'datasets', 'nn', 'viz'] as const; // in build order
/** The packages built to dist/ (native is C++: its tarball carries sources and a prebuilt binary). */
const DIST_PACKAGES = ['core', 'datasets', 'nn', 'viz'] as const;
/** The prebuilt binary @chainrule/native's tarball carries for this machine (prebuildify's name for a Node-API build). */
const PREBUILD = `prebuilds/${process.platform}-${process.arch}/@chainrule+native.node`;
/** What the install sees instead of a C++ compiler: any build from source fails, as on a machine without g++. */
const NO_COMPILER = { CXX: '/bin/false', CC: '/bin/false' };
/**
 * How a pnpm project outside approves the native build: the README's line, which approves it from the
 * registry; pnpm approves a build from a tarball only by its exact `name@file:path` spec.
 */
const allowNativeBuild = (spec: string) => `allowBuilds:\n  "@chainrule/native": true\n  "@chainrule/native@${spec}": true\n`;
const PNPM = ['-y', 'pnpm@12.21.0'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The README's fenced blocks whose info string names a file, e.g. ```js train.mjs (not ```ts fragment). */
function readmePrograms(): Record<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const programs: Record<string, string> = {};
  for (const [, file, body] of readme.matchAll(/^```\w+ ([\w-]+\.[cm]?[jt]s)\n([\s\S]*?)^```$/gm)) programs[file!] = body!;
  return programs;
}

/** Packing native compiles its C++ (~1 min alone, several on a loaded 2-core machine). */
const COMMAND_TIMEOUT = 900_000;
/**
 * The environment of a command run as a user outside would: without the NODE_PATH vitest runs under, which
 * points into this workspace's node_modules (where Node would find @chainrule/native from anywhere).
 */
function outsideEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const all = { ...process.env, ...env };
  delete all.NODE_PATH;
  return all;
}
const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', env: outsideEnv(env), stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT });
/** Runs a command that must succeed, returning what it printed on stdout and stderr. */
function runBoth(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: outsideEnv(env), timeout: COMMAND_TIMEOUT });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${r.error?.message ?? `status ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
/** The native kernel set's names: what backend() says on it. */
const NATIVE = /^native-(avx512|avx2|portable)$/;

/**
 * A project outside the workspace with these @chainrule packages pinned to tarballs (`tarballOf` maps a
 * name to its file), installed by pnpm with the native build approved; returns its directory and what the
 * install printed.
 */
function installProject(dir: string, names: readonly string[], tarballOf: (name: string) => string, env: NodeJS.ProcessEnv = {}) {
  mkdirSync(dir, { recursive: true });
  const pin = Object.fromEntries(names.map((name) => [`@chainrule/${name}`, `file:${relative(dir, tarballOf(name))}`]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'chainrule-consumer', private: true, type: 'module',
    dependencies: pin,
    devDependencies: { '@types/node': '^20.19.0' },
  }, null, 2));
  // overrides: the tarballs' own dependencies on each other resolve to the tarballs too. No side-effects
  // cache: each project runs the native install script itself, never reusing a build another one made.
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), `sideEffectsCache: false\noverrides:\n${Object.entries(pin).map(([k, v]) => `  "${k}": "${v}"`).join('\n')}\n${allowNativeBuild(pin['@chainrule/native']!)}`);
  const printed = runBoth('npx', [...PNPM, 'install', '--prefer-offline', '--reporter', 'append-only'], dir, env);
  return printed.stdout + printed.stderr;
}

/** The installed @chainrule/native's directory, as core finds it from the project `dir`. */
const nativeDirFrom = (dir: string) => dirname(run(process.execPath, ['-e',
  "const { createRequire } = require('node:module'); console.log(createRequire(require.resolve('@chainrule/core/package.json')).resolve('@chainrule/native'))"], dir).trim());

/** `backend loss accuracy`, as the programs print it. */
function parseResult(line: string): { backend: string; loss: number; accuracy: number } {
  const [backend, loss, accuracy] = line.trim().split(/\s+/);
  return { backend: backend!, loss: Number(loss), accuracy: Number(accuracy) };
}

let project = '';
const tarballs: Record<string, string> = {};
const programs = readmePrograms();
const timings: Record<string, string> = {};
let installLog = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'chainrule-consumer-'));
  const packed = join(project, 'tarballs');
  mkdirSync(packed);
  for (const name of PACKAGES) {
    run('npx', [...PNPM, 'pack', '--pack-destination', packed], join(root, 'packages', name));
    const file = readdirSync(packed).find((f) => f.startsWith(`chainrule-${name}-`) && f.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack in packages/${name} made no tarball in ${packed}`);
    tarballs[name] = join(packed, file);
  }
  const app = join(project, 'app');
  installLog = installProject(app, PACKAGES, (name) => tarballs[name]!, NO_COMPILER);
  for (const [file, body] of Object.entries(programs)) writeFileSync(join(app, file), body);
}, 1_800_000);

let browser: Browser | undefined;
let server: Server | undefined;
afterAll(async () => {
  await browser?.close();
  server?.close();
  console.log(`[consumer] ${Object.entries(timings).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed packages, installed outside the workspace', () => {
  it('README holds the three programs this test runs', () => {
    expect(Object.keys(programs).sort()).toEqual(['app.js', 'train.mjs', 'train.ts']);
  });

  it('each tarball has its README and the MIT LICENSE, and no workspace: specifiers', () => {
    for (const name of PACKAGES) {
      const list = run('tar', ['-tzf', tarballs[name]!], project).split('\n');
      const manifest = JSON.parse(run('tar', ['-xzOf', tarballs[name]!, 'package/package.json'], project)) as Record<string, unknown>;
      expect(list, name).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE']));
      expect(run('tar', ['-xzOf', tarballs[name]!, 'package/LICENSE'], project), name).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
      expect(manifest.license, name).toBe('MIT');
      expect(JSON.stringify(manifest), name).not.toMatch(/workspace:/);
      timings[`${name} tarball`] = `${(statSync(tarballs[name]!).size / 1024).toFixed(0)} KiB`;
    }
  });

  it("native's tarball carries the prebuilt binary, its sources to build from and node-gyp-build to find either; core lists it as optional", () => {
    const list = run('tar', ['-tzf', tarballs.native!], project).split('\n');
    expect(list).toEqual(expect.arrayContaining([`package/${PREBUILD}`, 'package/binding.gyp', 'package/src/addon.cc', 'package/index.js', 'package/build-addon.js']));
    expect(list.filter((f) => f.startsWith('package/build/'))).toEqual([]);
    const manifest = JSON.parse(run('tar', ['-xzOf', tarballs.native!, 'package/package.json'], project)) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toContain('node-gyp-build');
    expect(manifest.scripts.install).toBe('node build-addon.js');
    const core = JSON.parse(run('tar', ['-xzOf', tarballs.core!, 'package/package.json'], project)) as { optionalDependencies: Record<string, string> };
    expect(core.optionalDependencies['@chainrule/native']).toBe('0.1.0');
  });

  it('with no C++ compiler the install used the prebuild: nothing was built, and the prebuilt binary is what loads', () => {
    expect(installLog).toContain(`@chainrule/native: using the prebuilt ${PREBUILD}`);
    const native = nativeDirFrom(join(project, 'app'));
    expect(readdirSync(native)).not.toContain('build');
    const loaded = run(process.execPath, ['-e', "console.log(require('node-gyp-build').path(process.argv[1]))", native], native).trim();
    expect(loaded).toBe(join(native, PREBUILD));
  });

  it('compiled packages have code, types and maps; core carries its kernels', () => {
    for (const name of DIST_PACKAGES) {
      const list = run('tar', ['-tzf', tarballs[name]!], project).split('\n');
      expect(list, name).toContain('package/dist/index.js');
      expect(list, name).toContain('package/dist/index.d.ts');
      expect(list, name).toContain('package/dist/index.js.map');
    }
    const core = run('tar', ['-tzf', tarballs.core!], project);
    expect(core).toMatch(/package\/dist\/backend\/wasm\/build\/binaries\.js/);
    expect(core).toMatch(/package\/dist\/backend\/wasm\/build\/kernels-simd\.wasm/);
  });

  it('plain node runs train.mjs on the native kernels (the prebuild), with no warning', () => {
    const started = performance.now();
    const { stdout, stderr } = runBoth(process.execPath, ['train.mjs'], join(project, 'app'));
    const out = parseResult(stdout);
    timings['train.mjs in node'] = `${((performance.now() - started) / 1000).toFixed(2)} s (${out.backend})`;
    expect(out.backend).toMatch(NATIVE);
    expect(stderr).toBe('');
    expect(out.accuracy).toBeGreaterThan(0.9);
  });

  it('CHAINRULE_KERNELS=wasm runs train.mjs on the WebAssembly kernels, with no warning', () => {
    const { stdout, stderr } = runBoth(process.execPath, ['train.mjs'], join(project, 'app'), { CHAINRULE_KERNELS: 'wasm' });
    const wasm = parseResult(stdout);
    expect(wasm.backend).toMatch(/^wasm-(relaxed-)?simd$/);
    expect(stderr).toBe('');
    expect(wasm.accuracy).toBeGreaterThan(0.9);
  });

  it('a strict nodenext TypeScript project type-checks against the declarations, and runs', () => {
    const app = join(project, 'app');
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
      files: ['train.ts'],
    }));
    let errors = '';
    try { run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], app); } catch (e) { errors = String((e as { stdout?: string }).stdout ?? e); }
    expect(errors).toBe('');
    const out = run(process.execPath, ['out/train.js'], app).trim().split(/\s+/);
    expect(out[0]).toMatch(NATIVE);
    expect(out[2]).toBe('true'); // the checkpoint predicts what the trained model did
  });

  it('bundled for Node by esbuild and moved away from node_modules, core keeps its embedded kernels, the Tensor methods and the op registry; native, left behind, is said once', async () => {
    const app = join(project, 'app');
    writeFileSync(join(app, 'shaken.mjs'), "import { backend, tensor, registeredOps } from '@chainrule/core';\nconsole.log(tensor([1, 2]).add(tensor([3, 4])).mul(2).toArray().join(','), registeredOps().length, backend());\n");
    // The bundle is written and run elsewhere: it must not need files beside it (import.meta.url moved),
    // and the addon's .node file, which a bundle cannot carry, is not reachable from there.
    const elsewhere = mkdtempSync(join(tmpdir(), 'chainrule-bundle-'));
    try {
      await build({ entryPoints: [join(app, 'shaken.mjs')], bundle: true, minify: true, format: 'esm', platform: 'node', outfile: join(elsewhere, 'shaken.mjs'), logLevel: 'silent' });
      const { stdout, stderr } = runBoth(process.execPath, [join(elsewhere, 'shaken.mjs')], elsewhere);
      const [values, ops, kernelSet] = stdout.trim().split(' ');
      expect(values).toBe('8,12');
      expect(Number(ops)).toBeGreaterThan(40);
      expect(kernelSet).toMatch(/^wasm-/);
      expect(stderr).toBe('chainrule: using the WebAssembly kernels: the faster native ones need the optional package @chainrule/native, not found here (CHAINRULE_KERNELS=wasm chooses wasm without this note)\n');
      expect(runBoth(process.execPath, [join(elsewhere, 'shaken.mjs')], elsewhere, { CHAINRULE_KERNELS: 'wasm' }).stderr).toBe('');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it.each(['core', 'nn', 'datasets', 'viz'])('@chainrule/%s/node in a browser bundle fails at import, naming the entry to use', async (name) => {
    const app = join(project, 'app');
    const entry = join(app, `uses-${name}-node.mjs`);
    writeFileSync(entry, `import * as m from '@chainrule/${name}/node';\nconsole.log(Object.keys(m).length);\n`);
    const out = join(app, 'out', `uses-${name}-node.mjs`);
    await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', outfile: out, logLevel: 'silent' });
    let message = '';
    try { run(process.execPath, [out], app); } catch (e) { message = String((e as { stderr?: string }).stderr); }
    expect(message).toContain(`@chainrule/${name}/node is Node-only`);
    expect(message).toContain(`import from '@chainrule/${name}'`);
  });

  it('bundled by esbuild for the browser, app.js trains in Chromium to the loss Node gets on the same kernels', async () => {
    const app = join(project, 'app');
    // Pin both sides to plain SIMD (relaxed SIMD may fuse differently): Node by its switch, the page
    // by a module esbuild evaluates before app.js.
    const node = parseResult(run(process.execPath, ['train.mjs'], app, { CHAINRULE_KERNELS: 'wasm-simd' }));
    expect(node.backend).toBe('wasm-simd');
    writeFileSync(join(app, 'pin.js'), "import { ready, setBackend } from '@chainrule/core';\nawait ready();\nsetBackend('wasm-simd');\n");
    const www = join(app, 'www');
    mkdirSync(www);
    const bundled = await build({
      entryPoints: [join(app, 'app.js')], inject: [join(app, 'pin.js')], bundle: true, minify: true, format: 'esm',
      platform: 'browser', outfile: join(www, 'app.js'), logLevel: 'silent', metafile: true,
    });
    const js = readFileSync(join(www, 'app.js'));
    timings['browser bundle (core+nn+datasets)'] = `${(js.length / 1024).toFixed(0)} KiB minified, ${(gzipSync(js).length / 1024).toFixed(0)} KiB gzipped`;
    // Nothing Node-only made it in.
    const inputs = Object.keys(bundled.metafile.inputs).join('\n');
    expect(inputs).not.toMatch(/cli-progress|resvg|node\.js$/m);
    writeFileSync(join(www, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="app.js"></script>');

    server = createServer((req, res) => {
      const file = join(www, (req.url ?? '/') === '/' ? 'index.html' : req.url!.slice(1));
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'text/html' }).end(body);
      } catch { res.writeHead(404).end(); }
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
    const printed = new Promise<string>((done) => page.on('console', (m) => { if (m.type() === 'log') done(m.text()); }));
    const started = performance.now();
    await page.goto(`http://127.0.0.1:${port}/`);
    const line = await printed;
    const inPage = parseResult(line);
    timings['app.js in Chromium'] = `${((performance.now() - started) / 1000).toFixed(2)} s from page load (${inPage.backend})`;
    expect(problems).toEqual([]);
    expect(inPage.backend).toBe('wasm-simd');
    expect(inPage.loss).toBe(node.loss);
    expect(inPage.accuracy).toBe(node.accuracy);
    expect(await page.textContent('body')).toMatch(/^wasm-simd: validation accuracy \d/);
  });
});

describe('@chainrule/native without a prebuilt binary that fits', () => {
  let bare = '';
  const printBackend = "import { backend } from '@chainrule/core';\nconsole.log(backend());\n";
  beforeAll(() => {
    // The tarball as a platform with no prebuild sees it: the same package, prebuilds/ removed.
    const unpacked = join(project, 'native-bare');
    mkdirSync(unpacked);
    run('tar', ['-xzf', tarballs.native!, '-C', unpacked], project);
    rmSync(join(unpacked, 'package', 'prebuilds'), { recursive: true, force: true });
    bare = join(project, 'tarballs', 'chainrule-native-bare.tgz');
    run('tar', ['-czf', bare, '-C', unpacked, 'package'], project);
  });
  const tarballOf = (name: string) => (name === 'native' ? bare : tarballs[name]!);

  it('builds from source at install, and chainrule runs on it', () => {
    const dir = join(project, 'from-source');
    const log = installProject(dir, ['native', 'core'], tarballOf);
    expect(log).not.toContain('using the prebuilt');
    const native = nativeDirFrom(dir);
    expect(readdirSync(native)).not.toContain('prebuilds');
    expect(readdirSync(join(native, 'build', 'Release'))).toContain('chainrule_native.node');
    writeFileSync(join(dir, 'which.mjs'), printBackend);
    const { stdout, stderr } = runBoth(process.execPath, ['which.mjs'], dir);
    expect(stdout.trim()).toMatch(NATIVE);
    expect(stderr).toBe('');
  }, 1_200_000);

  it('with no C++ compiler either, the install still succeeds, says why, and chainrule falls back to WebAssembly saying so once', () => {
    const dir = join(project, 'no-compiler');
    const log = installProject(dir, ['native', 'core'], tarballOf, NO_COMPILER);
    expect(log).toMatch(/@chainrule\/native: no prebuilt binary fits linux-x64 and the addon did not build \(node-gyp rebuild exited with status 1\); chainrule runs on its WebAssembly kernels\. To build it, install g\+\+, make and python3/);
    writeFileSync(join(dir, 'which.mjs'), printBackend);
    const { stdout, stderr } = runBoth(process.execPath, ['which.mjs'], dir);
    expect(stdout.trim()).toMatch(/^wasm-(relaxed-)?simd$/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^chainrule: using the WebAssembly kernels: the native kernels could not load: require\('@chainrule\/native'\) failed: No native build was found for platform=linux arch=x64 .*To fix it, install @chainrule\/native/);
  }, 1_200_000);
});
