/**
 * The strict loader: every way a file can fail to be a chainrule model gets its own error naming the
 * file and the byte offset or the thing that is wrong. The bad files are written byte by byte here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sameBits } from './helpers.ts';
import { decodeSafetensors, dense, encodeModel, encodeSafetensors, sequential } from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Safetensors bytes with exactly this header and `dataBytes` bytes of data; `dataStart` is where the data begins. */
function safetensors(header: Record<string, unknown>, dataBytes: number): { bytes: Uint8Array; dataStart: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return { bytes, dataStart: 8 + json.length };
}

/** Writes `bytes` to a fresh file in the test folder and returns its path. */
function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('the tensors must tile the data section exactly', () => {
  it('overlapping tensors: names both tensors and their bytes in the file', () => {
    const { bytes, dataStart: d } = safetensors({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12);
    const path = file('overlap.safetensors', bytes);
    expect(() => loadModel(path)).toThrow(`${path}: tensor 'b' at bytes ${d + 4}..${d + 12} overlaps tensor 'a' at bytes ${d}..${d + 8}`);
  });

  it('the same bytes claimed twice (identical offsets) is an overlap too', () => {
    const { bytes, dataStart: d } = safetensors({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, 8);
    expect(() => decodeSafetensors(bytes, 'twice.safetensors')).toThrow(new RegExp(`^twice\\.safetensors: tensor '[ab]' at bytes ${d}\\.\\.${d + 8} overlaps tensor '[ab]'`));
  });

  it('a gap between tensors, or before the first, names the unclaimed bytes', () => {
    const { bytes, dataStart: d } = safetensors({ a: f32([2], 0, 8), b: f32([2], 12, 20) }, 20);
    const path = file('gap.safetensors', bytes);
    expect(() => loadModel(path)).toThrow(`${path}: bytes ${d + 8}..${d + 12} belong to no tensor (a gap after tensor 'a', before tensor 'b')`);
    const start = safetensors({ a: f32([2], 4, 12) }, 12);
    expect(() => decodeSafetensors(start.bytes, 'start.safetensors')).toThrow(`start.safetensors: bytes ${start.dataStart}..${start.dataStart + 4} belong to no tensor (a gap at the start of the data, before tensor 'a')`);
  });

  it('trailing bytes after the last tensor are named with their offsets', () => {
    const model = sequential([dense(2)], { inputs: 2 });
    const good = encodeModel(model, model.init(0));
    const junk = new Uint8Array(good.length + 5);
    junk.set(good);
    const path = file('trailing.safetensors', junk);
    expect(() => loadModel(path)).toThrow(`${path}: 5 trailing bytes at bytes ${good.length}..${good.length + 5} after the last tensor ('dense0/b')`);
  });

  it('a tensor past the end of the file (out of range) says the file is truncated', () => {
    const { bytes, dataStart: d } = safetensors({ a: f32([2], 0, 8), b: f32([4], 8, 24) }, 16);
    const path = file('short.safetensors', bytes);
    expect(() => loadModel(path)).toThrow(`${path} is truncated: tensor 'b' needs bytes ${d + 8}..${d + 24} but the file ends at byte ${d + 16}`);
  });

  it('offsets that do not hold shape × dtype size bytes (misaligned) name the tensor, the offsets and the sizes', () => {
    const { bytes, dataStart: d } = safetensors({ a: f32([2], 0, 6), b: f32([1], 6, 10) }, 10);
    const path = file('misaligned.safetensors', bytes);
    expect(() => loadModel(path)).toThrow(`${path}: tensor 'a' in the header has data_offsets [0, 6] (6 bytes at bytes ${d}..${d + 6} of the file), but shape [2] of F32 needs 8 bytes`);
  });

  it('tensors listed out of order in the header load fine, in data order', () => {
    const { bytes, dataStart: d } = safetensors({ b: f32([1], 4, 8), a: f32([1], 0, 4) }, 8);
    new DataView(bytes.buffer).setFloat32(d, 1.5, true);
    new DataView(bytes.buffer).setFloat32(d + 4, -2, true);
    const { tensors } = decodeSafetensors(bytes);
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect([tensors.get('a')!.data[0], tensors.get('b')!.data[0]]).toEqual([1.5, -2]);
  });
});

describe('each header entry is checked and named', () => {
  const header = (entry: unknown) => file('entry.safetensors', safetensors({ w: entry }, 8).bytes);

  it('an entry without data_offsets', () => {
    const path = header({ dtype: 'F32', shape: [2] });
    expect(() => loadModel(path)).toThrow(`${path}: tensor 'w' in the header has no data_offsets; each tensor needs data_offsets: [begin, end]`);
  });

  it('data_offsets that are not [begin, end] with 0 ≤ begin ≤ end', () => {
    for (const bad of [[8, 0], [0], ['0', '8'], [-8, 0], 'oops']) {
      const path = header({ dtype: 'F32', shape: [2], data_offsets: bad });
      expect(() => loadModel(path)).toThrow(`${path}: tensor 'w' in the header has data_offsets ${JSON.stringify(bad)}; they must be [begin, end]`);
    }
  });

  it('a dtype chainrule does not read, or none', () => {
    for (const dtype of ['F16', 'I64', undefined]) {
      const path = header({ dtype, shape: [2], data_offsets: [0, 8] });
      expect(() => loadModel(path)).toThrow(`${path}: tensor 'w' in the header has dtype ${JSON.stringify(dtype)}; supported: 'F32', 'F64'`);
    }
  });

  it('a shape that is not a list of whole numbers ≥ 0', () => {
    for (const shape of [[-2], [2.5], '2', undefined]) {
      const path = header({ dtype: 'F32', shape, data_offsets: [0, 8] });
      expect(() => loadModel(path)).toThrow(`${path}: tensor 'w' in the header has invalid shape ${JSON.stringify(shape)}`);
    }
  });

  it('an entry that is not an object, and metadata that is not strings', () => {
    const path = header(42);
    expect(() => loadModel(path)).toThrow(`${path}: tensor 'w' in the header must be an object {dtype, shape, data_offsets}, got`);
    const meta = file('meta.safetensors', safetensors({ __metadata__: { spec: { kind: 'sequential' } } }, 0).bytes);
    expect(() => loadModel(meta)).toThrow(`${meta}: __metadata__.spec must be a string, got`);
  });
});

describe('loadModel tells apart what the path holds', () => {
  const model = sequential([dense(3, { name: 'hidden' }), dense(2)], { inputs: 4 });

  it('a directory', () => {
    const folder = join(dir, 'models');
    mkdirSync(folder);
    saveModel(join(folder, 'a.safetensors'), model, model.init(0));
    expect(() => loadModel(folder)).toThrow(`${folder} is a directory, not a model file; it holds a.safetensors`);
  });

  it('a missing file', () => {
    const path = join(dir, 'nothing-here.safetensors');
    expect(() => loadModel(path)).toThrow(`${path}: no such file`);
  });

  it('a JSON file, such as the spec once written beside a checkpoint', () => {
    const path = file('spec.json', JSON.stringify(model.toJSON(), null, 2));
    expect(() => loadModel(path)).toThrow(`${path} is not a safetensors file: it starts with '{' like a JSON file`);
  });

  it('a foreign safetensors file (PyTorch names, no chainrule spec): says what is missing and how to load it', () => {
    const { bytes } = safetensors({ 'fc1.weight': f32([3, 4], 0, 48), 'fc1.bias': f32([3], 48, 60) }, 60);
    const path = file('torch.safetensors', bytes);
    expect(() => loadModel(path)).toThrow(new RegExp(
      `^${escape(path)} is a safetensors file but not a chainrule model: its __metadata__ has no chainrule spec \\(no 'spec' key\\) to say which architecture the tensors \\(fc1\\.weight, fc1\\.bias\\) belong to; .*loadModel\\(path, \\{ model \\}\\)`,
    ));
    // Given a model, the names are compared: PyTorch's do not match chainrule's.
    expect(() => loadModel(path, { model })).toThrow(`${path}: parameter names do not match the model spec; missing: hidden/w, hidden/b, dense1/w, dense1/b; unexpected: fc1.weight, fc1.bias`);
  });

  it('a file of another architecture than the model passed names the first differing layer and its shapes', () => {
    const path = join(dir, 'deeper.safetensors');
    const deeper = sequential([dense(3, { name: 'hidden' }), dense(2), dense(2)], { inputs: 4 });
    saveModel(path, deeper, deeper.init(0));
    expect(() => loadModel(path, { model })).toThrow(`${path} holds a model of another architecture than the one passed: the file's model has 3 layers, the model passed 2 (layer 2, 'dense2', is only in the file)`);
    const relu = sequential([dense(3, { name: 'hidden', activation: 'relu' }), dense(2)], { inputs: 4 });
    saveModel(path, relu, relu.init(0));
    expect(() => loadModel(path, { model })).toThrow(`${path} holds a model of another architecture than the one passed: layer 0 ('hidden') is dense 3 units, relu (hidden/w [4,3], hidden/b [3]) in the file but dense 3 units, linear (hidden/w [4,3], hidden/b [3]) in the model passed`);
    const wide = sequential([dense(3, { name: 'hidden' }), dense(2)], { inputs: 5 });
    saveModel(path, wide, wide.init(0));
    expect(() => loadModel(path, { model })).toThrow(`${path} holds a model of another architecture than the one passed: the file's model takes 5 inputs, the model passed 4`);
  });

  it('a checkpoint loads as its model and params; training state beside the params is ignored only in a checkpoint', () => {
    const params = model.init(3);
    const state = params.mapEntries(([k, t]) => [`optimizer/m/${k}`, t]);
    const metadata = { format: 'chainrule', spec: JSON.stringify(model.toJSON()) };
    const path = file('run.ckpt.safetensors', encodeSafetensors(params.merge(state), { ...metadata, 'chainrule.checkpoint': '1' }));
    const loaded = loadModel(path);
    expect([...loaded.params.keys()]).toEqual([...params.keys()]);
    for (const k of params.keys()) expect(sameBits(loaded.params.get(k)!, params.get(k)!)).toBe(true);
    const stray = file('stray.safetensors', encodeSafetensors(params.merge(state), metadata));
    expect(() => loadModel(stray)).toThrow(`${stray}: parameter names do not match the model spec; unexpected: optimizer/m/hidden/w`);
  });

  it('a bad spec inside a file names the file', () => {
    const badKind = safetensors({ __metadata__: { format: 'chainrule', spec: JSON.stringify({ kind: 'sequential', inputs: 2, layers: [{ kind: 'conv9' }] }) } }, 0);
    const path = file('bad-spec.safetensors', badKind.bytes);
    expect(() => loadModel(path)).toThrow(`${path}: the model spec in __metadata__.spec is invalid: fromSpec: layer 0 has unknown kind "conv9"`);
    const notJson = file('not-json-spec.safetensors', safetensors({ __metadata__: { spec: '{kind:' } }, 0).bytes);
    expect(() => loadModel(notJson)).toThrow(`${notJson}: __metadata__.spec is not valid JSON`);
  });
});
