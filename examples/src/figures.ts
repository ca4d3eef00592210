/** The figures every training example shows: loss, metrics, learning rate and gradient norms. */
import type { History } from '@chainrule/nn';
import { gradientNormChart, learningRateChart, lossChart, metricChart } from '@chainrule/viz';
import type { Figure } from '@chainrule/viz/node';

/** Every `every`-th value, so a plot of 10 000 steps stays a light SVG (for smooth curves: the lr). */
const thin = (values: readonly number[], every: number) => values.filter((_, i) => i % every === 0);

/**
 * The mean of each window of `every` values (geometric with `log`, for log axes): noisy per-step
 * curves stay readable, where picking one value per window would draw its spikes.
 */
function windowMeans(values: readonly number[], every: number, log = false): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += every) {
    const w = values.slice(start, start + every);
    out.push(log ? Math.exp(w.reduce((s, v) => s + Math.log(v), 0) / w.length) : w.reduce((s, v) => s + v, 0) / w.length);
  }
  return out;
}
const stepsOf = (n: number, every: number) => Array.from({ length: Math.ceil(n / every) }, (_, i) => i * every);

export function trainingFigures(history: History, options: { perStep?: boolean } = {}): Figure[] {
  const stepLoss = history.stepLoss.toArray();
  const every = Math.max(1, Math.ceil(stepLoss.length / 600));
  const figures: Figure[] = [];
  if (options.perStep || history.loss.size < 3) {
    figures.push({ title: 'Training loss per step', spec: lossChart({ train: windowMeans(stepLoss, every, true), x: stepsOf(stepLoss.length, every), xTitle: 'step', logY: true }) });
  }
  if (history.loss.size >= 2) {
    figures.push({ title: 'Loss per epoch', spec: lossChart({ train: history.loss.toArray(), validation: history.valLoss.size ? history.valLoss.toArray() : undefined, x: history.loss.toArray().map((_, i) => i + 1) }) });
  }
  history.metrics.forEach((values, name) => {
    const val = history.valMetrics.get(name);
    figures.push({ title: `${name} per epoch`, spec: metricChart({ name, train: values.toArray(), validation: val?.toArray(), x: values.toArray().map((_, i) => i + 1) }) });
  });
  figures.push({ title: 'Learning rate', spec: learningRateChart({ lr: thin(history.stepLr.toArray(), every), steps: stepsOf(history.stepLr.size, every) }) });
  const norms = Object.fromEntries(history.stepGradNorms.map((v) => windowMeans(v.toArray(), every, true)).entries());
  if (Object.keys(norms).length) {
    figures.push({ title: 'Gradient norm per layer', spec: gradientNormChart({ norms, steps: stepsOf(history.stepLoss.size, every) }) });
  }
  return figures;
}
