/**
 * How the kernels load: the default at import (Node: synchronous, native → WebAssembly → reference, saying
 * once why when native is missing; elsewhere: asynchronous, never native), `ready()`,
 * `setBackend` by name, `loadKernels` from bytes, paths, file URLs and HTTP URLs, and what happens when
 * what it is given is missing or is not the kernels: a clear rejection, and the kernel set in use stays.
 * The .wasm files read here are the ones the build writes (`pnpm --filter @chainrule/core build`).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backend, loadKernels, matmul, ready, setBackend, tensor, type BackendName } from '../src/index.ts';
import { kernels } from '../src/backend/index.ts';
import { helperOf } from '../src/backend/wasm/index.ts';
import { loadNativeKernels, nativeLevels } from '../src/backend/native/index.ts';

const buildDir = fileURLToPath(new URL('../src/backend/wasm/build/', import.meta.url));
const file = (name: string) => `${buildDir}${name}`;
const bytesOf = (name: string) => readFileSync(file(name));
const startSet = kernels();
const env = process.env;

// Small integers: every partial sum is exact in float32, so any summation order gives the same bits.
const a = tensor(Array.from({ length: 40 }, (_, i) => Array.from({ length: 50 }, (_, j) => ((i * 7 + j * 3) % 11) - 5)));
const b = tensor(Array.from({ length: 50 }, (_, i) => Array.from({ length: 30 }, (_, j) => ((i * 5 + j) % 9) - 4)));
const want = (() => {
  const out = new Float32Array(40 * 30);
  for (let i = 0; i < 40; i++) for (let j = 0; j < 30; j++) {
    let s = 0;
    for (let p = 0; p < 50; p++) s += a.data[i * 50 + p]! * b.data[p * 30 + j]!;
    out[i * 30 + j] = s;
  }
  return Array.from(out);
})();
/** Checks the kernel set in use computes a 40×50×30 matmul exactly. */
const expectMatmulRight = () => expect(Array.from(matmul(a, b).data)).toEqual(want);

afterEach(() => {
  const helper = helperOf(kernels());
  if (helper && kernels() !== startSet) helper.stop();
  setBackend(startSet);
});

describe('the default kernels', () => {
  it('ready() resolves with the default set, which Node installs during the import: native, since this workspace builds it', async () => {
    const choice = env.CHAINRULE_KERNELS ?? '';
    const expected = choice === 'reference' ? 'reference'
      : choice === '' || choice === 'native' ? loadNativeKernels().name
      : (choice === 'wasm-simd' ? 'wasm-simd' : 'wasm-relaxed-simd') + (env.CHAINRULE_THREADS === '2' ? '-2threads' : '');
    expect(backend()).toBe(expected);
    await expect(ready()).resolves.toBe(expected);
    expectMatmulRight();
  });
});

describe('setBackend', () => {
  it.each<BackendName>(['reference', 'wasm-simd', 'wasm-relaxed-simd', 'wasm-simd-2threads'])('installs %s by name, at any time in Node', (name) => {
    setBackend(name);
    expect(backend()).toBe(name);
    expectMatmulRight();
  });

  it("installs 'native' at the CPU's best code path, and each path by the name backend() gives it, so setBackend(backend()) round-trips", () => {
    const names = nativeLevels().map((level) => `native-${['portable', 'avx2', 'avx512'][level]}` as BackendName);
    setBackend('native');
    expect(backend()).toBe(names.at(-1));
    for (const name of names) {
      setBackend(name);
      expect(backend()).toBe(name);
      setBackend(backend() as BackendName);
      expect(backend()).toBe(name);
      expectMatmulRight();
    }
    if (names.length < 3) expect(() => setBackend('native-avx512')).toThrow(/native level 2 is not one this CPU runs/);
  });

  it('compiles a set once and installs the same set when asked again', () => {
    setBackend('wasm-simd');
    const first = kernels();
    setBackend('reference');
    setBackend('wasm-simd');
    expect(kernels()).toBe(first);
  });

  it('refuses an unknown name, naming the valid ones, and keeps the set in use', () => {
    setBackend('wasm-simd');
    expect(() => setBackend('wasm' as BackendName)).toThrow(/no kernel set named "wasm"; the names are 'reference', 'wasm-simd', 'wasm-relaxed-simd'/);
    expect(backend()).toBe('wasm-simd');
  });
});

/** What a page does to use kernels it serves itself: load them, then choose them. */
async function loadAndUse(options: Parameters<typeof loadKernels>[0]): Promise<string> {
  const name = await loadKernels(options);
  setBackend(name);
  return name;
}

describe('loadKernels', () => {
  it('compiles a set and names it, but only setBackend installs it', async () => {
    setBackend('reference');
    await expect(loadKernels({ wasm: bytesOf('kernels-simd.wasm') })).resolves.toBe('wasm-simd');
    expect(backend()).toBe('reference');
    setBackend('wasm-simd');
    expect(backend()).toBe('wasm-simd');
    expectMatmulRight();
  });

  it('from bytes: a Uint8Array and an ArrayBuffer of the built files', async () => {
    await expect(loadAndUse({ wasm: bytesOf('kernels-simd.wasm') })).resolves.toBe('wasm-simd');
    expect(backend()).toBe('wasm-simd');
    expectMatmulRight();
    const relaxed = new Uint8Array(bytesOf('kernels-relaxed-simd.wasm'));
    await expect(loadAndUse({ wasm: relaxed.buffer })).resolves.toBe('wasm-relaxed-simd');
    expectMatmulRight();
  });

  it('from a file URL, a file URL string, an absolute path and a path relative to the working directory', async () => {
    const path = file('kernels-simd.wasm');
    for (const wasm of [pathToFileURL(path), pathToFileURL(path).href, path, relative(process.cwd(), path)]) {
      setBackend(startSet);
      await expect(loadAndUse({ wasm }), String(wasm)).resolves.toBe('wasm-simd');
      expectMatmulRight();
    }
  });

  it('from one file per variant: relaxed SIMD where the runtime has it, unless relaxed: false', async () => {
    const wasm = { simd: file('kernels-simd.wasm'), relaxedSimd: file('kernels-relaxed-simd.wasm') };
    await expect(loadAndUse({ wasm })).resolves.toBe('wasm-relaxed-simd');
    await expect(loadAndUse({ wasm, relaxed: false })).resolves.toBe('wasm-simd');
    await expect(loadAndUse({ wasm: { simd: wasm.simd } })).resolves.toBe('wasm-simd');
  });

  it('with threads: 2 from the shared-memory file, and not from the unshared one', async () => {
    await expect(loadAndUse({ wasm: file('kernels-simd-shared.wasm'), threads: 2 })).resolves.toBe('wasm-simd-2threads');
    expectMatmulRight();
    setBackend(startSet);
    await expect(loadAndUse({ wasm: file('kernels-simd.wasm'), threads: 2 })).rejects.toThrow(/unshared memory, but threads: 2 needs .*shared/);
  });

  it('without `wasm`: the embedded kernels, the same set setBackend gives', async () => {
    await expect(loadAndUse({ relaxed: false })).resolves.toBe('wasm-simd');
    const loaded = kernels();
    setBackend('wasm-simd');
    expect(kernels()).toBe(loaded);
  });

  describe('when what it is given is not usable, it rejects saying what it looked for and the fix, and the set in use stays', () => {
    const missing = file('no-such-kernels.wasm');

    it.each<BackendName>(['reference', 'wasm-simd'])('a missing file (with %s in use)', async (name) => {
      setBackend(name);
      const error = await loadAndUse({ wasm: missing }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(missing);
      expect(message).toMatch(/ENOENT/);
      expect(message).toContain('put dist/backend/wasm/build/kernels-simd.wasm from @chainrule/core there, or omit `wasm` to use the kernels embedded in the package');
      expect(backend()).toBe(name);
      expectMatmulRight();
    });

    it('a missing file given as a file URL names the path', async () => {
      await expect(loadAndUse({ wasm: pathToFileURL(missing) })).rejects.toThrow(missing);
    });

    it('random bytes', async () => {
      const junk = new Uint8Array(123).map((_, i) => (i * 37 + 11) & 255);
      await expect(loadAndUse({ wasm: junk })).rejects.toThrow(
        /cannot load the kernels from the 123 bytes given: not a WebAssembly module this runtime can compile .*Fix: give the bytes of dist\/backend\/wasm\/build\/kernels-simd.wasm from @chainrule\/core, or omit `wasm`/);
      expect(backend()).toBe(startSet.name);
      expectMatmulRight();
    });

    it('a valid WebAssembly module that is not the kernels', async () => {
      const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
      await expect(loadAndUse({ wasm: empty })).rejects.toThrow(/the 8 bytes given: a WebAssembly module, but not chainrule's kernels .*it lacks the exports KERNELS_ABI, RELAXED_SIMD/);
      expect(backend()).toBe(startSet.name);
    });

    it('the relaxed-SIMD file where relaxed: false asked for plain SIMD, or in the `simd` slot', async () => {
      const relaxed = file('kernels-relaxed-simd.wasm');
      await expect(loadAndUse({ wasm: relaxed, relaxed: false })).rejects.toThrow(/the relaxed-SIMD kernels, but the plain SIMD ones were asked for/);
      await expect(loadAndUse({ wasm: { simd: relaxed } })).rejects.toThrow(relaxed);
    });

    it('an option of the wrong kind, and threads other than 1 or 2', async () => {
      await expect(loadAndUse({ wasm: 42 as unknown as string })).rejects.toThrow(/`wasm` must be a URL/);
      await expect(loadAndUse({ threads: 3 as 1 })).rejects.toThrow(/threads must be 1 or 2/);
      expect(backend()).toBe(startSet.name);
    });
  });

  describe('over HTTP (fetch, as in a browser)', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/kernels-simd.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytesOf('kernels-simd.wasm'));
        else res.writeHead(404, 'Not Found').end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('loads from a URL', async () => {
      await expect(loadAndUse({ wasm: new URL('kernels-simd.wasm', base) })).resolves.toBe('wasm-simd');
      expectMatmulRight();
    });

    it('rejects on an HTTP error status, naming the URL and the fix', async () => {
      setBackend('reference');
      await expect(loadAndUse({ wasm: `${base}missing/kernels-simd.wasm` })).rejects.toThrow(
        `cannot load the kernels from ${base}missing/kernels-simd.wasm: fetching it failed: HTTP 404 Not Found. Fix: serve dist/backend/wasm/build/kernels-simd.wasm from @chainrule/core at that URL, or omit \`wasm\``);
      expect(backend()).toBe('reference');
      expectMatmulRight();
    });
  });
});

/**
 * Imports core's kernels anew with these environment variables (undefined: unset) and no CHAINRULE_THREADS,
 * restoring them after; returns the module and what it warned during the import.
 */
async function importWithEnv(vars: Record<string, string | undefined>) {
  const keys = ['CHAINRULE_KERNELS', 'CHAINRULE_THREADS', 'CHAINRULE_NATIVE_MODULE', ...Object.keys(vars)];
  const saved = Object.fromEntries(keys.map((k) => [k, env[k]]));
  const setAll = (values: Record<string, string | undefined>) => {
    for (const k of keys) if (values[k] === undefined) delete env[k]; else env[k] = values[k];
  };
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const fresh = await freshImport(() => setAll(vars), () => setAll(saved));
    return { fresh, warnings: warn.mock.calls.map((call) => String(call[0])) };
  } finally {
    warn.mockRestore();
  }
}

/** Imports core's kernels anew (a fresh module graph), with `before` run first and `after` run once the import is done. */
async function freshImport(before: () => void, after: () => void): Promise<typeof import('../src/backend/index.ts')> {
  vi.resetModules();
  before();
  try {
    return await import('../src/backend/index.ts');
  } finally {
    after();
  }
}

describe('importing core', () => {
  it('compiles no code from strings (no Function or eval: a page whose CSP forbids unsafe-eval must load it)', async () => {
    const made: string[] = [];
    const RealFunction = globalThis.Function, realEval = globalThis.eval;
    const spyFunction = new Proxy(RealFunction, {
      construct: (target, args: string[]) => { made.push(`new Function(${args.join(', ')})`); return Reflect.construct(target, args) as object; },
      apply: (target, self, args: string[]) => { made.push(`Function(${args.join(', ')})`); return Reflect.apply(target, self, args) as unknown; },
    });
    vi.resetModules();
    globalThis.Function = spyFunction;
    globalThis.eval = (code: string) => { made.push(`eval(${code})`); return realEval(code) as unknown; };
    try {
      await import('../src/index.ts');
    } finally {
      globalThis.Function = RealFunction;
      globalThis.eval = realEval;
    }
    expect(made).toEqual([]);
  });

  it('CHAINRULE_KERNELS picks the default set in Node, with no warning', async () => {
    const native = loadNativeKernels().name;
    const cases = [[undefined, native], ['native', native], ['reference', 'reference'], ['wasm-simd', 'wasm-simd'], ['wasm', 'wasm-relaxed-simd'], ['wasm-relaxed-simd', 'wasm-relaxed-simd']] as const;
    for (const [value, name] of cases) {
      const { fresh, warnings } = await importWithEnv({ CHAINRULE_KERNELS: value });
      expect(fresh.backend(), `CHAINRULE_KERNELS=${value}`).toBe(name);
      expect(warnings, `CHAINRULE_KERNELS=${value}`).toEqual([]);
    }
  });

  describe('when the native addon is missing (forced: CHAINRULE_NATIVE_MODULE names a package that is not there)', () => {
    const missing = '@chainrule/no-such-native';

    it('the default falls back to WebAssembly, saying so in one short line with the switch that silences it', async () => {
      const { fresh, warnings } = await importWithEnv({ CHAINRULE_NATIVE_MODULE: missing });
      expect(fresh.backend()).toBe('wasm-relaxed-simd');
      await expect(fresh.ready()).resolves.toBe('wasm-relaxed-simd');
      expect(warnings).toEqual([`chainrule: using the WebAssembly kernels: the faster native ones need the optional package ${missing}, not found here (CHAINRULE_KERNELS=wasm chooses wasm without this note)`]);
      env.CHAINRULE_NATIVE_MODULE = missing; // setBackend('native') reads it too
      const setNative = () => { try { fresh.setBackend('native'); } finally { delete env.CHAINRULE_NATIVE_MODULE; } };
      expect(setNative).toThrow(new RegExp(`^chainrule: the native kernels could not load: require\\('${missing}'\\) failed: Cannot find module '${missing}'.*To fix it, install @chainrule/native`));
      expect(fresh.backend()).toBe('wasm-relaxed-simd');
    });

    it.each(['wasm', 'wasm-simd', 'wasm-relaxed-simd', 'reference'])('CHAINRULE_KERNELS=%s forces its set with no warning', async (value) => {
      const { fresh, warnings } = await importWithEnv({ CHAINRULE_KERNELS: value, CHAINRULE_NATIVE_MODULE: missing });
      expect(fresh.backend()).toBe(value === 'wasm' ? 'wasm-relaxed-simd' : value);
      expect(warnings).toEqual([]);
    });

    it('CHAINRULE_KERNELS=native falls back to WebAssembly with the loader\'s reason and fix', async () => {
      const { fresh, warnings } = await importWithEnv({ CHAINRULE_KERNELS: 'native', CHAINRULE_NATIVE_MODULE: missing });
      expect(fresh.backend()).toBe('wasm-relaxed-simd');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^chainrule: CHAINRULE_KERNELS=native: using the WebAssembly kernels: the native kernels could not load: require\\('${missing}'\\) failed: Cannot find module '${missing}'\\. To fix it, install @chainrule/native .*g\\+\\+, make and python3`));
    });

    it('a package that is there but is not the addon: WebAssembly, and the warning says what is wrong', async () => {
      const { fresh, warnings } = await importWithEnv({ CHAINRULE_NATIVE_MODULE: 'node:path' });
      expect(fresh.backend()).toBe('wasm-relaxed-simd');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^chainrule: using the WebAssembly kernels: 'node:path' is not this version's native kernel addon: it lacks level, .*To fix it, install @chainrule\/native/);
    });
  });

  it('without WebAssembly (and CHAINRULE_KERNELS=wasm): the reference set, one warning saying why, and ready() still resolves', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saved = env.CHAINRULE_KERNELS;
    try {
      const fresh = await freshImport(() => { vi.stubGlobal('WebAssembly', undefined); env.CHAINRULE_KERNELS = 'wasm'; }, () => {
        vi.unstubAllGlobals();
        if (saved === undefined) delete env.CHAINRULE_KERNELS; else env.CHAINRULE_KERNELS = saved;
      });
      expect(fresh.backend()).toBe('reference');
      await expect(fresh.ready()).resolves.toBe('reference');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/using the reference kernels: .*no WebAssembly/);
    } finally {
      warn.mockRestore();
    }
  });
  it('with neither the native addon nor WebAssembly: the reference set, and each missing set said once', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    const { fresh, warnings } = await importWithEnv({ CHAINRULE_NATIVE_MODULE: '@chainrule/no-such-native' }).finally(() => vi.unstubAllGlobals());
    expect(fresh.backend()).toBe('reference');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^chainrule: using the WebAssembly kernels: the faster native ones need the optional package @chainrule\/no-such-native/);
    expect(warnings[1]).toMatch(/^chainrule: using the reference kernels: .*no WebAssembly/);
  });
});

describe('outside Node (simulated: process.versions.node hidden during the import)', () => {
  const versions = Object.getOwnPropertyDescriptor(process, 'versions')!;
  const hideNode = () => Object.defineProperty(process, 'versions', { ...versions, value: { ...process.versions, node: undefined } });
  const showNode = () => Object.defineProperty(process, 'versions', versions);

  it('starts on the reference set, compiles asynchronously, and ready() installs the fast set (never native, and no warning)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fresh = await freshImport(hideNode, showNode).finally(() => warn.mockRestore());
    expect(warn).not.toHaveBeenCalled();
    expect(fresh.backend()).toBe('reference');
    expect(() => fresh.setBackend('wasm-simd')).toThrow(/'wasm-simd' kernels are not compiled yet: .*`await ready\(\)` \(or `await loadKernels\(...\)`\) before setBackend\('wasm-simd'\)/);
    expect(() => fresh.setBackend('wasm-simd-2threads')).toThrow(/needs Node's worker threads/);
    await expect(fresh.loadKernels({ threads: 2 })).rejects.toThrow(/threads: 2 needs Node's worker threads/);
    await expect(fresh.ready()).resolves.toBe('wasm-relaxed-simd');
    fresh.setBackend('wasm-simd'); // compiled by now too, for runtimes pinned to the same bits
    expect(fresh.backend()).toBe('wasm-simd');
  });

  it('where WebAssembly is missing: ready() resolves with the reference set, one warning says why, and so does setBackend', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const fresh = await freshImport(() => { hideNode(); vi.stubGlobal('WebAssembly', undefined); }, () => { showNode(); vi.unstubAllGlobals(); });
      await expect(fresh.ready()).resolves.toBe('reference');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/^chainrule: using the reference kernels: this runtime has no WebAssembly$/);
      expect(() => fresh.setBackend('wasm-simd')).toThrow(/'wasm-simd' kernels could not load: this runtime has no WebAssembly/);
    } finally {
      warn.mockRestore();
    }
  });

  it('a set chosen before the default has loaded stays chosen', async () => {
    const fresh = await freshImport(hideNode, showNode);
    fresh.setBackend('reference');
    await expect(fresh.ready()).resolves.toBe('reference');
  });
});
