import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn } from '@chainrule/core';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { decodeModel, decodeSafetensors, dense, encodeModel, mlp, sequential } from '../src/index.ts';
import { loadModel, saveModel } from '../src/node.ts';
import { sameBits } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-nn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('save and load (safetensors + spec)', () => {
  const model = sequential([dense(5, { activation: 'gelu', name: 'hidden' }), dense(3, { activation: 'softmax' })], { inputs: 4 });
  const params = model.init(11);

  it('round-trips the spec and bit-identical parameters, and predictions match', () => {
    const file = join(dir, 'model.safetensors');
    saveModel(file, model, params);
    const { model: m2, params: p2 } = loadModel(file);
    expect(m2.spec.equals(model.spec)).toBe(true);
    expect([...p2.keys()]).toEqual([...params.keys()]);
    for (const k of params.keys()) expect(sameBits(p2.get(k)!, params.get(k)!)).toBe(true);
    const x = randn([3, 4], { seed: 1 });
    expect(m2.apply(p2, x).data).toEqual(model.apply(params, x).data);
    // One file: the temporary file was renamed away, and no .json beside it could disagree after a crash.
    expect(readdirSync(dir).filter((f) => f.startsWith('.model.') || f.endsWith('.json'))).toEqual([]);
  });

  it('writes the safetensors layout other tools read', () => {
    const file = join(dir, 'layout.safetensors');
    const f64 = mlp([2, 3], { dtype: 'float64' });
    const p = f64.init(0);
    saveModel(file, f64, p);
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header['dense0/w']).toEqual({ dtype: 'F64', shape: [2, 3], data_offsets: [0, 48] });
    expect(header['dense0/b']).toEqual({ dtype: 'F64', shape: [3], data_offsets: [48, 72] });
    expect(JSON.parse(header.__metadata__.spec)).toEqual(f64.toJSON());
    expect(bytes.length).toBe(8 + n + 72);
    expect(bytes.readDoubleLE(8 + n + 8)).toBe(p.get('dense0/w')!.data[1]);
  });

  it('a truncated file names the file, the tensor and the byte offsets', () => {
    const file = join(dir, 'cut.safetensors');
    saveModel(file, model, params);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    expect(() => loadModel(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is truncated: tensor 'dense1/b' needs bytes \\d+..${bytes.length} but the file ends at byte ${bytes.length - 10}`));
    writeFileSync(file, bytes.subarray(0, 5));
    expect(() => loadModel(file)).toThrow(/is truncated: it has 5 bytes, but the 8-byte header length at byte 0 needs 8/);
    writeFileSync(file, bytes.subarray(0, 40));
    expect(() => loadModel(file)).toThrow(/is truncated: the header needs bytes 8..\d+ but the file ends at byte 40/);
  });

  it('names or shapes that do not match the spec are errors naming the file and parameter', () => {
    const file = join(dir, 'other.safetensors');
    const wider = sequential([dense(6, { activation: 'gelu', name: 'hidden' }), dense(3, { activation: 'softmax' })], { inputs: 4 });
    saveModel(file, wider, wider.init(0));
    expect(() => loadModel(file, { model })).toThrow(/other.safetensors holds a model of another architecture than the one passed: layer 0 \('hidden'\) is dense 6 units, gelu \(hidden\/w \[4,6\], hidden\/b \[6\]\) in the file but dense 5 units, gelu \(hidden\/w \[4,5\], hidden\/b \[5\]\) in the model passed/);
    const renamed = sequential([dense(5, { activation: 'gelu', name: 'h' }), dense(3, { activation: 'softmax' })], { inputs: 4 });
    saveModel(file, renamed, renamed.init(0));
    expect(() => loadModel(file, { model })).toThrow(/layer 0 is named 'h' in the file but 'hidden' in the model passed/);
    const f64 = sequential([dense(5, { activation: 'gelu', name: 'hidden' }), dense(3, { activation: 'softmax' })], { inputs: 4, dtype: 'float64' });
    saveModel(file, f64, f64.init(0));
    expect(() => loadModel(file, { model })).toThrow(/the file's model is float64, the model passed float32/);
    expect(() => saveModel(file, model, params.delete('dense1/b'))).toThrow(/missing: dense1\/b/);
  });

  it('encodeModel and decodeModel do the same on bytes, with no file (what a browser uses)', () => {
    const bytes = encodeModel(model, params);
    const file = join(dir, 'bytes.safetensors');
    saveModel(file, model, params);
    expect(Array.from(readFileSync(file))).toEqual(Array.from(bytes));
    const { model: m2, params: p2 } = decodeModel(bytes);
    expect(m2.spec.equals(model.spec)).toBe(true);
    for (const k of params.keys()) expect(sameBits(p2.get(k)!, params.get(k)!)).toBe(true);
    expect(decodeSafetensors(bytes).metadata.format).toBe('chainrule');
    expect(() => decodeModel(bytes.subarray(0, 5), { source: 'https://example.org/m.safetensors' })).toThrow(/^https:\/\/example.org\/m.safetensors is truncated/);
    const plain = new TextEncoder().encode('{}');
    const empty = new Uint8Array(8 + plain.length);
    new DataView(empty.buffer).setBigUint64(0, BigInt(plain.length), true);
    empty.set(plain, 8);
    expect(() => decodeModel(empty)).toThrow(/^safetensors data is a safetensors file but not a chainrule model: its __metadata__ has no chainrule spec/);
    expect(() => encodeModel(model, params.delete('dense1/b'))).toThrow(/^encodeModel: parameter names do not match the model spec; missing: dense1\/b/);
  });
});
