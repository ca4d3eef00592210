/**
 * Finding a kernel binary's bytes: embedded in the package (./build/binaries.ts, written by ../build.mjs),
 * or given by the user as bytes, a file path or `file:` URL (Node), or a URL to fetch. Each comes with what
 * to call it and how to fix it, for the error messages of ./load.ts.
 */
import * as embedded from './build/binaries.ts';
import { inNode, nodeBuiltin } from './runtime.ts';

/** Kernel bytes, or where to get them: a URL (or URL string) to fetch, or in Node a file path or `file:` URL. */
export type KernelBinary = URL | string | ArrayBuffer | ArrayBufferView;

/** One binary to compile, with what to call it and how to fix it in error messages. */
export interface Binary {
  bytes: Uint8Array<ArrayBuffer>;
  /** 'the 123 bytes given', '/srv/k.wasm', 'https://…/k.wasm (123 bytes)', 'the embedded kernels-simd.wasm'. */
  what: string;
  /** What to do when it is not usable. */
  fix: string;
  /** What it must be: the relaxed-SIMD binary (true), the plain one (false), either (undefined). */
  relaxed: boolean | undefined;
}

/** Where the package ships the .wasm files (named in error messages). */
const SHIPPED_AT = 'dist/backend/wasm/build/';
const OMIT = 'or omit `wasm` to use the kernels embedded in the package';

/** The Error for a source that gave no usable kernels: what was looked for, why it failed, the fix. */
export const refuse = (what: string, why: string, fix: string) => new Error(`chainrule: cannot load the kernels from ${what}: ${why}. Fix: ${fix}.`);

/** The shipped file of a variant, as ../build.mjs names it. */
export const fileName = (relaxed: boolean, shared: boolean) => `kernels-${relaxed ? 'relaxed-simd' : 'simd'}${shared ? '-shared' : ''}.wasm`;

export const isBinary = (x: unknown): x is KernelBinary =>
  typeof x === 'string' || x instanceof URL || x instanceof ArrayBuffer || ArrayBuffer.isView(x);

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

export function embeddedBinary(relaxed: boolean, shared: boolean): Binary {
  const text = relaxed ? (shared ? embedded.relaxedSimdShared : embedded.relaxedSimd) : (shared ? embedded.simdShared : embedded.simd);
  return {
    bytes: fromBase64(text),
    what: `the embedded ${fileName(relaxed, shared)}`,
    fix: 'rebuild the kernels of @chainrule/core (pnpm --filter @chainrule/core build)',
    relaxed,
  };
}

const hasScheme = (s: string) => /^[a-z][a-z\d+.-]+:/i.test(s); // two letters at least: C:\ is a path

/** Gets the bytes of `source`; `file` is the shipped file it should be, for the fix in error messages. */
export async function readBinary(source: KernelBinary, file: string, relaxed: boolean | undefined): Promise<Binary> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const view = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { bytes: view.slice(), what: `the ${view.length} bytes given`, fix: `give the bytes of ${SHIPPED_AT}${file} from @chainrule/core, ${OMIT}`, relaxed };
  }
  const text = source.toString();
  if (inNode && (!hasScheme(text) || text.startsWith('file:'))) {
    const fs = nodeBuiltin<{ promises: { readFile(path: string | URL): Promise<Uint8Array> } }>('node:fs');
    const path = nodeBuiltin<{ resolve(...paths: string[]): string }>('node:path');
    const url = nodeBuiltin<{ fileURLToPath(url: string | URL): string }>('node:url');
    const fix = `put ${SHIPPED_AT}${file} from @chainrule/core there, ${OMIT}`;
    if (!fs || !path || !url) throw new Error(`chainrule: cannot read ${text}: this Node has no process.getBuiltinModule (Node ≥ 20.16 has); pass the bytes instead, ${OMIT}`);
    const resolved = hasScheme(text) ? url.fileURLToPath(text) : path.resolve(text);
    let data: Uint8Array;
    try { data = await fs.promises.readFile(resolved); } catch (e) {
      throw refuse(resolved, `reading it failed (${(e as Error).message})`, fix);
    }
    return { bytes: new Uint8Array(data), what: resolved, fix, relaxed };
  }
  let href = text;
  try { href = new URL(text, (globalThis as { location?: { href: string } }).location?.href).href; } catch { /* keep it as given */ }
  const fix = `serve ${SHIPPED_AT}${file} from @chainrule/core at that URL, ${OMIT}`;
  if (typeof fetch !== 'function') throw new Error(`chainrule: cannot fetch ${href}: this runtime has no fetch; pass the bytes instead, ${OMIT}`);
  let response: Response;
  try { response = await fetch(href); } catch (e) {
    throw refuse(href, `fetching it failed (${(e as Error).message})`, fix);
  }
  if (!response.ok) throw refuse(href, `fetching it failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, fix);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, what: `${href} (${bytes.length} bytes)`, fix, relaxed };
}
