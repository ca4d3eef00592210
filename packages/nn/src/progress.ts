/**
 * Progress for fit: a cli-progress bar on a terminal, otherwise (CI, pipes, logs) one plain line
 * per epoch, since a bar redrawn with \r turns into noise in a log file.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  startEpoch(epoch: number, steps: number): void;
  step(loss: number): void;
  endEpoch(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** true (default): a bar on a TTY, lines otherwise; 'bar' or 'lines' to choose; false for silence. */
  readonly progress?: boolean | 'bar' | 'lines';
  /** Where plain lines go (default console.log). */
  readonly log?: (line: string) => void;
}

export function makeProgress(options: ProgressOptions, epochs: number): Progress {
  const mode = options.progress ?? true;
  const log = options.log ?? ((line: string) => console.log(line));
  if (mode === false) return { startEpoch() {}, step() {}, endEpoch() {}, stop() {} };
  const useBar = mode === 'bar' || (mode === true && process.stderr.isTTY === true);
  if (!useBar) return { startEpoch() {}, step() {}, endEpoch: (line) => log(line), stop() {} };
  const bar = new cliProgress.SingleBar({
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} loss {loss}',
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.legacy);
  let running = false;
  return {
    startEpoch(epoch, steps) {
      bar.start(steps, 0, { epoch, epochs, loss: '-' });
      running = true;
    },
    step(loss) { bar.increment(1, { loss: loss.toPrecision(4) }); },
    endEpoch(line) {
      bar.stop();
      running = false;
      process.stderr.write(`${line}\n`);
    },
    stop() { if (running) bar.stop(); },
  };
}
