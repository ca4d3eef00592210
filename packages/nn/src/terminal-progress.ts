/// <reference types="node" />
/**
 * The terminal progress bar (Node only): a cli-progress bar on stderr when it is a terminal,
 * otherwise (CI, pipes, logs) one plain line per epoch, since a bar redrawn with \r turns into noise
 * in a log file. Node's main entry makes it fit's default; pass it yourself as `progress` otherwise.
 */
import cliProgress from 'cli-progress';
import { lineProgress, type ProgressReporter } from './progress.ts';

/** Options of {@link terminalProgress}. */
export interface TerminalProgressOptions {
  /** true: always draw the bar; false: plain lines; default: the bar when stderr is a TTY. */
  readonly bar?: boolean;
  /** Where plain lines go when there is no bar (default console.log). With the bar, epoch lines go to stderr. */
  readonly log?: (line: string) => void;
}

/**
 * A ProgressReporter for a terminal: a bar per epoch on stderr, or plain lines when stderr is not a TTY.
 *
 * @example
 * ```ts
 * import { terminalProgress } from '@chainrule/nn/node';
 * // model, params, x and y as in fit's example
 * fit(model, params, { x, y }, { loss: 'mse', epochs: 10, progress: terminalProgress({ bar: true }) });
 * ```
 */
export function terminalProgress(options: TerminalProgressOptions = {}): ProgressReporter {
  const useBar = options.bar ?? process.stderr.isTTY === true;
  if (!useBar) return lineProgress(options.log);
  const bar = new cliProgress.SingleBar({
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} loss {loss}',
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.legacy);
  let running = false;
  return {
    onEpochStart(epoch, epochs, steps) {
      bar.start(steps, 0, { epoch, epochs, loss: '-' });
      running = true;
    },
    onStep(loss) { bar.increment(1, { loss: loss.toPrecision(4) }); },
    onEpochEnd(line) {
      bar.stop();
      running = false;
      process.stderr.write(`${line}\n`);
    },
    onEnd() {
      if (running) bar.stop();
      running = false;
    },
  };
}
