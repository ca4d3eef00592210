/**
 * fit's progress reporter: the calls a custom reporter receives, silence with `progress: false`, and
 * the terminal bar being Node-only (registered by index.node.ts, not by the browser-safe main entry).
 */
import { describe, expect, it, vi } from 'vitest';
import { fit, lineProgress, mlp, type EpochInfo, type ProgressReporter } from '../src/index.ts';
import { spiral } from './helpers.ts';

const data = spiral(10, 1); // 30 samples
const model = mlp([2, 8, 3]);
const base = { loss: 'crossEntropy', epochs: 3, batchSize: 16, monitor: false } as const;

/** A reporter that records every call, in order. */
function recorder(): { calls: string[]; infos: EpochInfo[]; reporter: ProgressReporter } {
  const calls: string[] = [];
  const infos: EpochInfo[] = [];
  return {
    calls,
    infos,
    reporter: {
      onEpochStart: (epoch, epochs, steps) => calls.push(`start ${epoch}/${epochs} ${steps}`),
      onStep: (loss) => calls.push(Number.isFinite(loss) ? 'step' : 'step NaN'),
      onEpochEnd: (line, info) => {
        calls.push(`end ${line.split(' - ')[0]}`);
        infos.push(info);
      },
      onEnd: () => calls.push('done'),
    },
  };
}

describe('progress reporters', () => {
  it('a custom reporter receives every call, in order', () => {
    const { calls, infos, reporter } = recorder();
    const logged: string[] = [];
    const { history } = fit(model, model.init(0), data, { ...base, progress: reporter, log: (l) => logged.push(l) });
    const epoch = (e: number) => [`start ${e}/3 2`, 'step', 'step', `end epoch ${e}/3`];
    expect(calls).toEqual([...epoch(1), ...epoch(2), ...epoch(3), 'done']);
    expect(infos.map((i) => i.epoch)).toEqual([0, 1, 2]);
    expect(infos.map((i) => i.loss)).toEqual(history.loss.toArray());
    expect(logged).toEqual([]); // a reporter of one's own replaces the lines
  });

  it('a reporter may give only some callbacks, and onEnd comes even when training stops early', () => {
    const ends: string[] = [];
    fit(model, model.init(0), data, {
      ...base, epochs: 10, progress: { onEpochEnd: (line) => ends.push(line), onEnd: () => ends.push('done') },
      callbacks: { onEpochEnd: (e) => (e.epoch === 1 ? 'stop' : undefined) },
    });
    expect(ends).toHaveLength(3);
    expect(ends[1]).toMatch(/^epoch 2\/10 - loss /);
    expect(ends[2]).toBe('done');
  });

  it('onEnd comes when a step throws', () => {
    const { calls, reporter } = recorder();
    expect(() => fit(model, model.init(0), data, {
      ...base, progress: reporter, callbacks: { onStep: () => { throw new Error('boom'); } },
    })).toThrow('boom');
    expect(calls).toEqual(['start 1/3 2', 'step', 'done']);
  });

  it('progress: false calls nothing and logs nothing', () => {
    const log = vi.fn();
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      fit(model, model.init(0), data, { ...base, progress: false, log });
      expect(log).not.toHaveBeenCalled();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('the default outside Node\'s entry is one line per epoch through log, and lineProgress is the same', () => {
    const lines: string[] = [];
    fit(model, model.init(0), data, { ...base, log: (l) => lines.push(l) });
    expect(lines.map((l) => l.split(' - ')[0])).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    const again: string[] = [];
    fit(model, model.init(0), data, { ...base, progress: lineProgress((l) => again.push(l)) });
    expect(again.map((l) => l.split(' - ')[0])).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
  });

  it("progress: 'bar' without the Node entry throws and says the bar is Node-only", () => {
    expect(() => fit(model, model.init(0), data, { ...base, progress: 'bar' })).toThrow(/terminal progress bar, which is Node-only/);
  });

  it('an unknown progress value is an error that lists the valid ones', () => {
    expect(() => fit(model, model.init(0), data, { ...base, progress: 'dots' as never })).toThrow(/progress must be true, false, 'lines', 'bar' or a ProgressReporter, got the string "dots"/);
  });

  it("Node's main entry registers the terminal reporter: lines when stderr is not a TTY, the bar on request", async () => {
    await import('../src/index.node.ts');
    const { terminalProgress } = await import('../src/node.ts');
    const tty = process.stderr.isTTY;
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
      const lines: string[] = [];
      fit(model, model.init(0), data, { ...base, log: (l) => lines.push(l) });
      expect(lines).toHaveLength(3);
      expect(written).toEqual([]);
      // With the bar, each epoch's line goes to stderr instead of log (cli-progress draws nothing when stderr is not a TTY).
      fit(model, model.init(0), data, { ...base, progress: 'bar', log: (l) => lines.push(l) });
      expect(lines).toHaveLength(3);
      expect(written.filter((w) => w.startsWith('epoch ')).map((w) => w.split(' - ')[0])).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
      const quiet: string[] = [];
      fit(model, model.init(0), data, { ...base, progress: terminalProgress({ bar: false, log: (l) => quiet.push(l) }) });
      expect(quiet).toHaveLength(3);
    } finally {
      write.mockRestore();
      Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
    }
  });
});
