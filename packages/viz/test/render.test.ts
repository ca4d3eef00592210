import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { allGrads, renderSvg, toDot } from '../src/index.ts';
import { renderPng } from '../src/node.ts';
import { mlpLoss } from './fixtures/mlp.ts';
import { parseSvg, svgTexts } from './helpers/xml.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Graphviz sizes SVGs in points; a browser draws 1 pt as 4/3 px.
const px = (pt: string) => (parseFloat(pt) * 4) / 3;

describe('renderSvg / renderPng', () => {
  it('renders a graph to well-formed SVG that shows values and gradients', async () => {
    const a = tensor([2, -3], { name: 'a' });
    const c = a.mul(a).sum();
    const svg = await renderSvg(toDot(c, { grads: allGrads(c), title: 'sum(a²)' }));
    const root = parseSvg(svg);
    expect(root['@width']).toMatch(/pt$/);
    const texts = svgTexts(svg).join(' | ');
    expect(texts).toContain('[2, -3]');
    expect(texts).toContain('grad [4, -6]');
    expect(texts).toContain('13');
  });

  it('renders a DOT string too, and PNG from SVG', async () => {
    const svg = await renderSvg('digraph { a -> b }');
    parseSvg(svg);
    const png = renderPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBeGreaterThan(20);
  });

  it('fits the collapsed 784-128-64-32-10 MLP and its loss on one screen', async () => {
    const { loss } = mlpLoss({ scopedLoss: true });
    const root = parseSvg(await renderSvg(toDot(loss, { collapse: true, title: 'MLP' })));
    expect(px(root['@width'])).toBeLessThanOrEqual(1920);
    expect(px(root['@height'])).toBeLessThanOrEqual(1080);
  });

  it('keeps the backward graph of the collapsed MLP on one screen', async () => {
    const { loss } = mlpLoss({ scopedLoss: true });
    const root = parseSvg(await renderSvg(toDot(loss, { collapse: true, backward: true })));
    expect(px(root['@width'])).toBeLessThanOrEqual(1920);
    expect(px(root['@height'])).toBeLessThanOrEqual(1200);
  });
});
