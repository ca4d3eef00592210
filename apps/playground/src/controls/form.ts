/**
 * The settings form: it shows a state and reads back what the user set, as a Candidate for validation
 * (text as typed, never a silently clamped number). Adding or removing a layer rebuilds the layer rows;
 * every other edit is read when it is committed (change: Enter or leaving the field).
 */
import {
  ACTIVATIONS, DATASETS, datasetNames, KERNELS, LOSSES, OPTIMIZERS, SCHEDULES, scheduleNames, taskOf, type PlaygroundState,
} from '../state/state.ts';
import { numberOf, type Candidate } from '../state/validate.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function fillSelect(select: HTMLSelectElement, values: readonly string[], labels: (v: string) => string = (v) => v): void {
  select.replaceChildren(...values.map((v) => new Option(labels(v), v)));
}

/** The form's controls, wired to call `onEdit` with the candidate state after each committed edit. */
export function settingsForm(onEdit: (candidate: Candidate) => void) {
  const dataset = byId<HTMLSelectElement>('dataset');
  const loss = byId<HTMLSelectElement>('loss');
  const optimizer = byId<HTMLSelectElement>('optimizer');
  const kernels = byId<HTMLSelectElement>('kernels');
  const lr = byId<HTMLInputElement>('lr');
  const schedule = byId<HTMLSelectElement>('schedule');
  const decaySteps = byId<HTMLInputElement>('decay-steps');
  const weightDecay = byId<HTMLInputElement>('weight-decay');
  const batch = byId<HTMLInputElement>('batch-size');
  const seed = byId<HTMLInputElement>('seed');
  const layers = byId<HTMLOListElement>('layers');
  const addLayer = byId<HTMLButtonElement>('add-layer');
  fillSelect(dataset, datasetNames, (v) => DATASETS[v as PlaygroundState['dataset']].label);
  fillSelect(optimizer, OPTIMIZERS);
  fillSelect(kernels, KERNELS);
  fillSelect(schedule, scheduleNames, (v) => SCHEDULES[v as PlaygroundState['schedule']]);

  const layerRow = (width: number | string, activation: string): HTMLLIElement => {
    const li = document.createElement('li');
    li.className = 'layer';
    li.innerHTML = `<input class="width" type="text" inputmode="numeric" size="4" aria-label="width"><select class="activation" aria-label="activation"></select><button type="button" class="remove" title="remove this layer">✕</button>`;
    li.querySelector<HTMLInputElement>('.width')!.value = String(width);
    const act = li.querySelector<HTMLSelectElement>('.activation')!;
    fillSelect(act, ACTIVATIONS);
    act.value = activation;
    li.querySelector('.remove')!.addEventListener('click', () => { li.remove(); edited(); });
    return li;
  };

  /** The form's values now. */
  const read = (): Candidate => ({
    dataset: dataset.value,
    layers: [...layers.querySelectorAll('li')].map((li) => ({
      width: numberOf(li.querySelector<HTMLInputElement>('.width')!.value),
      activation: li.querySelector<HTMLSelectElement>('.activation')!.value,
    })),
    loss: loss.value,
    optimizer: optimizer.value,
    lr: numberOf(lr.value),
    schedule: schedule.value,
    decaySteps: numberOf(decaySteps.value),
    weightDecay: numberOf(weightDecay.value),
    batchSize: numberOf(batch.value),
    seed: numberOf(seed.value),
    kernels: kernels.value,
  });
  const edited = () => onEdit(read());

  // A new data set of another kind takes that kind's first loss: the old one may not fit it.
  dataset.addEventListener('change', () => {
    const fits: readonly string[] = LOSSES[taskOf({ dataset: dataset.value as PlaygroundState['dataset'] })];
    if (!fits.includes(loss.value)) { fillSelect(loss, fits); loss.value = fits[0]!; }
    edited();
  });
  addLayer.addEventListener('click', () => {
    const last = layers.querySelector('li:last-child');
    layers.append(layerRow(last?.querySelector<HTMLInputElement>('.width')!.value ?? 8, last?.querySelector<HTMLSelectElement>('.activation')!.value ?? 'tanh'));
    edited();
  });
  for (const el of [loss, optimizer, kernels, lr, schedule, decaySteps, weightDecay, batch, seed, layers]) el.addEventListener('change', edited);

  return {
    /** Shows `s` in every control. */
    show(s: PlaygroundState): void {
      dataset.value = s.dataset;
      fillSelect(loss, LOSSES[taskOf(s)]);
      loss.value = s.loss;
      optimizer.value = s.optimizer;
      kernels.value = s.kernels;
      lr.value = String(s.lr);
      schedule.value = s.schedule;
      decaySteps.value = String(s.decaySteps);
      // A constant rate has no pace: the field stays, greyed, so a link keeps its value.
      decaySteps.disabled = s.schedule === 'constant';
      weightDecay.value = String(s.weightDecay);
      batch.value = String(s.batchSize);
      seed.value = String(s.seed);
      layers.replaceChildren(...s.layers.map((l) => layerRow(l.width, l.activation)));
    },
  };
}
