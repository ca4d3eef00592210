/** The graph example: forward and backward drawings of a small MLP loss, and the collapsed MNIST network. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults, runGraph } from '../src/graph.ts';

/** The texts an SVG shows, entities decoded. */
const texts = (svg: string): string =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(+c)).replace(/&#x([0-9a-f]+);/gi, (_, c) => String.fromCharCode(parseInt(c, 16))).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')).join('\n');

describe('graph example', () => {
  it('writes SVG and PNG drawings whose labels show layers, ops, values and gradients', async () => {
    const out = mkdtempSync(join(tmpdir(), 'chainrule-graph-'));
    const run = await runGraph(defaults, { out, log: () => {} });
    for (const name of ['forward', 'backward', 'mlp-collapsed', 'mlp-collapsed-backward']) {
      expect(existsSync(join(out, `${name}.svg`))).toBe(true);
      expect(readFileSync(join(out, `${name}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
    const forward = texts(readFileSync(join(out, 'forward.svg'), 'utf8'));
    for (const label of ['dense0/w', 'dense0/b', 'dense1/w', 'linear', 'tanh', 'square', 'output', 'grad', 'parameter', 'gradient']) expect(forward).toContain(label);
    // The loss value is printed in the output node.
    expect(forward).toContain(run.loss.toPrecision(4).replace(/0+$/, ''));

    const backward = texts(readFileSync(join(out, 'backward.svg'), 'utf8'));
    expect(backward).toContain('backward pass');
    expect(backward).toContain('saved for backward');
    expect(backward).toMatch(/∂y\/∂dense0\/w|dense0\/w/);

    const collapsed = texts(readFileSync(join(out, 'mlp-collapsed.svg'), 'utf8'));
    for (const label of ['dense0', 'dense1', 'dense2', 'dense3', 'loss', 'w [784, 128]', '|grad w|']) expect(collapsed).toContain(label);
    expect(texts(readFileSync(join(out, 'mlp-collapsed-backward.svg'), 'utf8'))).toContain('backward pass');
    expect(readFileSync(run.report.index, 'utf8')).toContain('Forward graph with values and gradients');
  });
});
