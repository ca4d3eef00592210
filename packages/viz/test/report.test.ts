import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { lossChart, toDot } from '../src/index.ts';
import { writeReport } from '../src/node.ts';
import { fakeHistory } from './fixtures/history.ts';
import { parseSvg } from './helpers/xml.ts';

describe('writeReport', () => {
  it('writes index.html and one SVG per figure, atomically', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'viz-report-')), 'nested', 'report');
    const a = tensor([1, 2], { name: 'a' });
    const h = fakeHistory(4, 5);
    const out = await writeReport(dir, {
      title: 'A <small> run',
      command: 'pnpm example sinc --epochs 4',
      settings: { epochs: 4, lr: 0.01, layers: [1, 16, 1] },
      metrics: { 'test loss': 0.0123456789, accuracy: 0.97 },
      figures: [
        { title: 'Loss', spec: lossChart(h.loss) },
        { title: 'Graph', graph: toDot(a.mul(a).sum()) },
        { title: 'Raw', svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>', caption: 'a square' },
        { title: 'Loss', spec: lossChart(h.loss) },
      ],
      png: true,
    });
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['graph.png', 'graph.svg', 'index.html', 'loss-4.png', 'loss-4.svg', 'loss.png', 'loss.svg', 'raw.png', 'raw.svg']);
    expect(out.index).toBe(join(dir, 'index.html'));
    for (const f of files.filter((x) => x.endsWith('.svg'))) parseSvg(readFileSync(join(dir, f), 'utf8'));
    const html = readFileSync(out.index, 'utf8');
    expect(html).toContain('<title>A &lt;small&gt; run</title>');
    expect(html).toContain('pnpm example sinc --epochs 4');
    expect(html).toContain('<th scope="row">lr</th><td>0.01</td>');
    expect(html).toContain('[1,16,1]');
    expect(html).toContain('0.0123457');
    for (const f of ['loss.svg', 'graph.svg', 'raw.svg', 'loss-4.svg']) expect(html).toContain(`src="${f}"`);
    // No server needed: nothing is fetched from the network, no scripts.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('<script');
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });

  it('shows any settings or metrics value: missing ones as a dash, lists and objects as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viz-report-values-'));
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const out = await writeReport(dir, {
      title: 'Values',
      settings: {
        limit: undefined, testLimit: null, layers: [784, 128, 10], hidden: ['relu', 'tanh'], optimizer: { name: 'adam', betas: [0.9, 0.999] },
        shuffle: true, big: 10n ** 20n, cycle, lr: 0.002, nan: NaN, inf: -Infinity,
      },
      metrics: { 'best epoch': undefined, accuracy: 0.98765432 },
    });
    const html = readFileSync(out.index, 'utf8');
    const cell = (key: string) => html.match(new RegExp(`<th scope="row">${key}</th><td>([^<]*)</td>`))?.[1];
    expect(cell('limit')).toBe('—');
    expect(cell('testLimit')).toBe('—');
    expect(cell('best epoch')).toBe('—');
    expect(cell('layers')).toBe('[784,128,10]');
    expect(cell('hidden')).toBe('[&quot;relu&quot;,&quot;tanh&quot;]');
    expect(cell('optimizer')).toBe('{&quot;name&quot;:&quot;adam&quot;,&quot;betas&quot;:[0.9,0.999]}');
    expect(cell('shuffle')).toBe('true');
    expect(cell('big')).toBe('100000000000000000000');
    expect(cell('cycle')).toBe('{&quot;name&quot;:&quot;loop&quot;,&quot;self&quot;:&quot;[circular]&quot;}');
    expect(cell('lr')).toBe('0.002');
    expect(cell('nan')).toBe('NaN');
    expect(cell('inf')).toBe('-Infinity');
    expect(cell('accuracy')).toBe('0.987654');
    expect(html).not.toContain('undefined');
  });
});
