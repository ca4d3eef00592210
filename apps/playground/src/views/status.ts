/**
 * The numbers beside the views: step and epoch, the last step's loss and learning rate, losses and
 * accuracies on the training and validation points, each layer's gradient norm with the monitor's warnings,
 * and the speed. Each number also sits in a data-value attribute at full precision (for tests and copying).
 */
import type { Snapshot } from '../protocol.ts';

const field = (id: string) => document.getElementById(id)!;

/** Shows `v` (to 5 significant digits) in #id and its exact value in data-value; '–' when undefined. */
export function setNumber(id: string, v: number | undefined, digits = 5): void {
  const el = field(id);
  el.textContent = v === undefined ? '–' : String(Number(v.toPrecision(digits)));
  el.dataset.value = v === undefined ? '' : String(v);
}

export function showStatus(s: Snapshot, lastStepLoss: number | undefined): void {
  setNumber('step-count', s.step);
  setNumber('epoch-count', s.epoch);
  setNumber('step-loss', lastStepLoss);
  setNumber('lr-value', s.lr);
  setNumber('train-loss', s.trainLoss);
  setNumber('validation-loss', s.validationLoss);
  setNumber('train-accuracy', s.trainAccuracy, 3);
  setNumber('validation-accuracy', s.validationAccuracy, 3);
  field('backend').textContent = s.backend;
  showNorms(s.gradNorms);
}

/** One bar per layer on a log scale from 1e-8 to 1e2: the width says the order of magnitude. */
function showNorms(norms: Snapshot['gradNorms']): void {
  const box = field('norms');
  box.replaceChildren(...norms.map(([layer, norm]) => {
    const row = document.createElement('div');
    row.className = 'norm';
    const share = Math.min(1, Math.max(0, (Math.log10(Math.max(norm, 1e-12)) + 8) / 10));
    row.innerHTML = `<span class="norm-name"></span><span class="norm-bar"><span style="width:${(share * 100).toFixed(1)}%"></span></span><span class="norm-value"></span>`;
    row.querySelector('.norm-name')!.textContent = layer;
    row.querySelector('.norm-value')!.textContent = norm.toExponential(2);
    return row;
  }));
}

/** Adds messages to the warnings list (the monitor says each once per layer and kind). */
export function addWarnings(messages: readonly string[]): void {
  const list = field('warnings');
  for (const m of messages) {
    const li = document.createElement('li');
    li.textContent = m;
    list.append(li);
  }
}
