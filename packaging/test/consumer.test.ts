/**
 * chainrule as a user outside this repository gets it. Every package is packed with `pnpm pack`
 * (its prepack builds dist/), the tarballs are installed into a temporary project outside the
 * workspace (every @chainrule/* pinned to its tarball, so nothing comes from the registry under
 * that name), and there the README's "Use it in your project" programs run as written:
 * train.mjs under plain `node`, train.ts through a strict `module: nodenext` tsc and then node,
 * and app.js bundled by esbuild for the browser and run in Debian's Chromium. Node and the page
 * are pinned to the same kernel set and must print the same loss.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['core', 'datasets', 'nn', 'viz'] as const; // in build order
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

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

/** `backend loss accuracy`, as the programs print it. */
function parseResult(line: string): { backend: string; loss: number; accuracy: number } {
  const [backend, loss, accuracy] = line.trim().split(/\s+/);
  return { backend: backend!, loss: Number(loss), accuracy: Number(accuracy) };
}

let project = '';
const tarballs: Record<string, string> = {};
const programs = readmePrograms();
const timings: Record<string, string> = {};

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
  const pin = Object.fromEntries(PACKAGES.map((name) => [`@chainrule/${name}`, `file:${tarballs[name]}`]));
  const app = join(project, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'chainrule-consumer', private: true, type: 'module',
    dependencies: pin,
    devDependencies: { '@types/node': '^20.19.0' },
  }, null, 2));
  // overrides: the tarballs' own dependencies on each other resolve to the tarballs too.
  writeFileSync(join(app, 'pnpm-workspace.yaml'), `overrides:\n${Object.entries(pin).map(([k, v]) => `  "${k}": "${v}"`).join('\n')}\n`);
  run('npx', [...PNPM, 'install', '--prefer-offline'], app);
  for (const [file, body] of Object.entries(programs)) writeFileSync(join(app, file), body);
}, 600_000);

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

  it('each tarball has compiled code, types, maps, its README and the MIT LICENSE, and no workspace: specifiers; core carries its kernels', () => {
    for (const name of PACKAGES) {
      const list = run('tar', ['-tzf', tarballs[name]!], project).split('\n');
      const manifest = JSON.parse(run('tar', ['-xzOf', tarballs[name]!, 'package/package.json'], project)) as Record<string, unknown>;
      expect(list, name).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE']));
      expect(run('tar', ['-xzOf', tarballs[name]!, 'package/LICENSE'], project), name).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
      expect(manifest.license, name).toBe('MIT');
      expect(list, name).toContain('package/dist/index.js');
      expect(list, name).toContain('package/dist/index.d.ts');
      expect(list, name).toContain('package/dist/index.js.map');
      expect(JSON.stringify(manifest), name).not.toMatch(/workspace:/);
      timings[`${name} tarball`] = `${(statSync(tarballs[name]!).size / 1024).toFixed(0)} KiB`;
    }
    const core = run('tar', ['-tzf', tarballs.core!], project);
    expect(core).toMatch(/package\/dist\/backend\/wasm\/build\/binaries\.js/);
    expect(core).toMatch(/package\/dist\/backend\/wasm\/build\/kernels-simd\.wasm/);
  });

  it('plain node runs train.mjs on the fast kernels', () => {
    const started = performance.now();
    const out = parseResult(run(process.execPath, ['train.mjs'], join(project, 'app')));
    timings['train.mjs in node'] = `${((performance.now() - started) / 1000).toFixed(2)} s (${out.backend})`;
    expect(out.backend).toMatch(/^wasm-(relaxed-)?simd$/);
    expect(out.accuracy).toBeGreaterThan(0.9);
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
    expect(out[0]).toMatch(/^wasm-/);
    expect(out[2]).toBe('true'); // the checkpoint predicts what the trained model did
  });

  it('bundled for Node by esbuild, core keeps its kernels, the Tensor methods and the op registry', async () => {
    const app = join(project, 'app');
    writeFileSync(join(app, 'shaken.mjs'), "import { backend, tensor, registeredOps } from '@chainrule/core';\nconsole.log(tensor([1, 2]).add(tensor([3, 4])).mul(2).toArray().join(','), registeredOps().length, backend());\n");
    await build({ entryPoints: [join(app, 'shaken.mjs')], bundle: true, minify: true, format: 'esm', platform: 'node', outfile: join(app, 'out/shaken.mjs'), logLevel: 'silent' });
    // Run from elsewhere: the bundle must not need files beside it (import.meta.url moved).
    const elsewhere = mkdtempSync(join(tmpdir(), 'chainrule-bundle-'));
    const [values, ops, kernelSet] = run(process.execPath, [join(app, 'out/shaken.mjs')], elsewhere).trim().split(' ');
    rmSync(elsewhere, { recursive: true, force: true });
    expect(values).toBe('8,12');
    expect(Number(ops)).toBeGreaterThan(40);
    expect(kernelSet).toMatch(/^wasm-/);
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
