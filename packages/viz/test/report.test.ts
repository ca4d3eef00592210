import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { lossChart, toDot, writeReport } from '../src/index.ts';
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
});
