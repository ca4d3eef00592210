/** Short seeded versions of the function-fitting examples: exp, sinc and surface learn and write their reports. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults as expDefaults, runExp } from '../src/exp.ts';
import { regressionFlags } from '../src/regression.ts';
import { defaults as sincDefaults, runSinc } from '../src/sinc.ts';
import { defaults as surfaceDefaults, runSurface } from '../src/surface.ts';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `chainrule-${name}-`));
const quiet = () => {};

describe('exp example', () => {
  it('fits e^x to MSE < 1e-2 in 600 steps and writes the report with the fit plot', async () => {
    const out = tmp('exp');
    const r = await runExp({ ...expDefaults, steps: 600, n: 500 }, { out, command: 'pnpm example exp --steps 600 --n 500', log: quiet });
    expect(r.testMse).toBeLessThan(1e-2);
    expect(r.history.stepLoss.size).toBe(600);
    const html = readFileSync(r.report.index, 'utf8');
    expect(html).toContain('pnpm example exp --steps 600 --n 500');
    expect(html).toContain('test MSE');
    expect(existsSync(join(out, 'fit-against-truth.svg'))).toBe(true);
    expect(readFileSync(join(out, 'fit-against-truth.svg'), 'utf8')).toContain('prediction');
  });

  it('is deterministic for a seed', async () => {
    const c = { ...expDefaults, steps: 100, n: 200 };
    const [a, b] = [await runExp(c, { out: tmp('exp-a'), log: quiet }), await runExp(c, { out: tmp('exp-b'), log: quiet })];
    expect(a.testMse).toBe(b.testMse);
  });
});

describe('sinc example', () => {
  it('learns sin(x)/x with the 7-layer network: MSE < 1e-2 (a tenth of the variance) in 500 steps', async () => {
    const r = await runSinc({ ...sincDefaults, steps: 500, n: 2000 }, { out: tmp('sinc'), log: quiet });
    expect(r.model.layers.length).toBe(7);
    expect(r.testMse).toBeLessThan(1e-2);
  });
});

describe('surface example', () => {
  it('learns sin(x) + cos(y) with 96-neuron layers: MSE < 2e-2 in 400 steps, heatmaps on a small grid', async () => {
    const out = tmp('surface');
    const r = await runSurface({ ...surfaceDefaults, steps: 400, n: 1000 }, { out, grid: 11, log: quiet });
    expect(r.testMse).toBeLessThan(2e-2);
    const svg = readFileSync(join(out, 'truth-prediction-and-error.svg'), 'utf8');
    for (const label of ['truth', 'prediction', 'error']) expect(svg).toContain(label);
  });
});

describe('regression flags', () => {
  it('parse into a config, and bad values fail naming the flag', () => {
    const { config, options } = regressionFlags('exp', ['--steps', '10', '--layers', '1,8,1', '--out', '/tmp/x'], expDefaults, 'reports/exp');
    expect(config).toMatchObject({ steps: 10, layers: [1, 8, 1], lr: expDefaults.lr });
    expect(options).toMatchObject({ out: '/tmp/x', command: 'pnpm example exp --steps 10 --layers 1,8,1 --out /tmp/x' });
    expect(() => regressionFlags('exp', ['--steps', 'many'], expDefaults, 'r')).toThrow(/--steps must be a whole number/);
    expect(() => regressionFlags('exp', ['--activation', 'swoosh'], expDefaults, 'r')).toThrow(/swoosh/);
  });

  it('reject layers that do not match the function', async () => {
    await expect(runExp({ ...expDefaults, layers: [2, 8, 1] }, { out: tmp('bad'), log: quiet })).rejects.toThrow(/must start with 1/);
  });
});
