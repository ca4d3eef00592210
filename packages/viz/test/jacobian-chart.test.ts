/** jacobianChart: a Jacobian or Hessian as a heatmap with labelled axes, a colour scale centred at 0 and a colour bar. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { chartSvg, jacobianChart } from '../src/index.ts';
import { chartPng, writeReport } from '../src/node.ts';
import { parseSvg, svgTexts } from './helpers/xml.ts';

/** Each heatmap cell's value (from its aria label) and fill colour as [r, g, b]. */
function cells(svg: string): { row: string; column: string; value: number; rgb: number[] }[] {
  return [...svg.matchAll(/<path aria-label="input: ([^;]*); output: ([^;]*); value: ([^"]*)" role="graphics-symbol" aria-roledescription="rect mark"[^>]*fill="rgb\(([^)]*)\)"/g)]
    .map((m) => ({ column: m[1]!, row: m[2]!, value: Number(m[3]!.replace('−', '-')), rgb: m[4]!.split(',').map(Number) }));
}

describe('jacobianChart', () => {
  it('draws one cell per entry, outputs down and inputs across, with titled axes and a colour bar', async () => {
    const svg = await chartSvg(jacobianChart({ matrix: [[3, 0, 0.5], [-1, 2, -3]], rowLabels: ['y0', 'y1'], columnLabels: ['x0', 'x1', 'x2'] }));
    parseSvg(svg);
    const texts = svgTexts(svg);
    for (const t of ['Jacobian', '2 × 3; largest |entry| 3', 'output', 'input', 'value', 'y0', 'y1', 'x0', 'x1', 'x2', '0.5', '-3']) expect(texts, `missing '${t}'`).toContain(t);
    const drawn = cells(svg);
    expect(drawn).toHaveLength(6);
    expect(drawn.find((c) => c.row === 'y1' && c.column === 'x2')!.value).toBe(-3);
    expect(svg).toMatch(/aria-roledescription="legend" aria-label="Gradient legend titled 'value'/);
  });

  it('centres the diverging scale at 0: 0 is near white, ±a mirror each other, the bar is symmetric', async () => {
    // Data from −1 to 3: the colour bar still runs from −3 to 3, so equal colours mean equal magnitudes.
    const svg = await chartSvg(jacobianChart({ matrix: [[3, 0], [-1, 1]] }));
    expect(svg).toContain('with values from −3 to 3');
    const at = (v: number) => cells(svg).find((c) => c.value === v)!.rgb;
    expect(Math.min(...at(0))).toBeGreaterThan(225);
    const [r1, , b1] = at(1), [rm, , bm] = at(-1), [r3, g3, b3] = at(3);
    expect(r1).toBeGreaterThan(b1!);
    expect(bm).toBeGreaterThan(rm!);
    // +1 and −1 are equally far from white; +3 is the darkest red.
    const fromWhite = (c: number[]) => Math.hypot(...c.map((x) => 255 - x));
    expect(Math.abs(fromWhite(at(1)) - fromWhite(at(-1)))).toBeLessThan(0.25 * fromWhite(at(1)));
    expect(r3! + g3! + b3!).toBeLessThan(r1! + at(1)[1]! + b1!);
  });

  it('takes a Tensor shaped [...out, ...in] with outputRank, and any iterable of rows', async () => {
    const J = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]); // out [2], in [2, 2]
    const spec = jacobianChart({ matrix: J, outputRank: 1, title: 'Hessian', rowTitle: 'parameter', columnTitle: 'parameter' });
    const values = (spec.data as { values: { row: string; column: string; v: number }[] }).values;
    expect(values).toHaveLength(8);
    expect(values.filter((c) => c.row === '1').map((c) => c.v)).toEqual([5, 6, 7, 8]);
    expect(svgTexts(await chartSvg(spec))).toContain('Hessian');
    const fromList = jacobianChart({ matrix: new Set([Float64Array.from([1, -1])]) });
    expect((fromList.data as { values: unknown[] }).values).toHaveLength(2);
  });

  it('keeps a large matrix readable: no cell text, thinned labels', async () => {
    const n = 60;
    const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i - j) / (1 + Math.abs(i - j))));
    const svg = await chartSvg(jacobianChart({ matrix }));
    expect(cells(svg)).toHaveLength(n * n);
    expect(svg).not.toContain('aria-roledescription="text mark"');
    const shown = svgTexts(svg).filter((t) => /^\d+$/.test(t));
    expect(shown.length).toBeGreaterThan(4);
    expect(shown.length).toBeLessThanOrEqual(2 * 21);
  });

  it('goes into a report and renders to PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viz-jacobian-'));
    await writeReport(dir, { title: 'Derivatives', figures: [{ title: 'Jacobian', spec: jacobianChart({ matrix: [[1, -2]] }) }] });
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('src="jacobian.svg"');
    parseSvg(readFileSync(join(dir, 'jacobian.svg'), 'utf8'));
    const png = await chartPng(jacobianChart({ matrix: [[1, -2], [0, 4]] }));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses bad input, naming the argument', () => {
    expect(() => jacobianChart({ matrix: [] })).toThrow('jacobianChart: matrix has no rows; there is nothing to draw');
    expect(() => jacobianChart({ matrix: [[1, 2], [3]] })).toThrow('jacobianChart: row 1 has 1 entries, expected 2 (as row 0); a matrix is rectangular');
    expect(() => jacobianChart({ matrix: [[1, NaN]] })).toThrow('jacobianChart: matrix[0][1] is NaN; this chart cannot draw NaN or Infinity');
    expect(() => jacobianChart({ matrix: tensor([[[1]]]) })).toThrow(/jacobianChart: matrix is a Tensor of shape \[1, 1, 1\]; say how many leading axes are the output's with outputRank/);
    expect(() => jacobianChart({ matrix: tensor([[1]]), outputRank: 3 })).toThrow('jacobianChart: outputRank must be a whole number from 0 to 2 (matrix\'s rank), got the number 3');
    expect(() => jacobianChart({ matrix: [[1]], outputRank: 1 })).toThrow(/outputRank applies to a Tensor matrix only/);
    expect(() => jacobianChart({ matrix: [[1, 2]], columnLabels: ['a'] })).toThrow('jacobianChart: 1 columnLabels for 2 columns; give one each');
    expect(() => jacobianChart({ matrix: [[1], [2]], rowLabels: ['a', 'a'] })).toThrow(/jacobianChart: rowLabels repeat \(a, a\)/);
    expect(() => jacobianChart({ matrix: [[1]], title: 3 as never })).toThrow('jacobianChart: title must be a string, got the number 3');
    expect(() => jacobianChart(5 as never)).toThrow(/jacobianChart: expected an object such as \{ matrix: jacobian\(f, x\) \}, got the number 5/);
  });
});
