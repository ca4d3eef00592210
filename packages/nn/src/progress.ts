/**
 * Progress for fit, as a reporter: plain callbacks that fit calls as training goes. The default
 * everywhere is one plain line per epoch through `log` (console.log); Node's main entry registers the
 * terminal bar (see terminal-progress.ts) as what `progress: true` means there. Nothing here touches
 * a terminal, a stream or any Node global, so this file bundles for the browser.
 */
import { describeValue } from '@chainrule/core';
import type { EpochInfo } from './fit-types.ts';

/**
 * What fit reports while it trains. Every callback is optional. For each epoch fit calls
 * onEpochStart, then onStep once per batch, then onEpochEnd; onEnd comes once at the very end, also
 * when training stops early or throws.
 */
export interface ProgressReporter {
  /** Epoch `epoch` (counted from 1) of `epochs` starts, with `steps` batches. */
  onEpochStart?(epoch: number, epochs: number, steps: number): void;
  /** A batch was trained; `loss` is its loss. */
  onStep?(loss: number): void;
  /** An epoch ended: `line` is its one-line summary ('epoch 1/5 - loss 0.4213 - … - 0.52s'), `info` the numbers behind it. */
  onEpochEnd?(line: string, info: EpochInfo): void;
  /** Training is over (normally, stopped early, or by an error). */
  onEnd?(): void;
}

/** How fit reports progress (part of {@link FitOptions}). */
export interface ProgressOptions {
  /**
   * How fit reports progress. true (default): the environment's default, one line per epoch through
   * `log` (in Node, the main entry makes it the terminal bar when stderr is a TTY); 'lines': one line
   * per epoch through `log`; 'bar': the terminal bar (Node only); false: nothing; or your own reporter.
   */
  readonly progress?: boolean | 'lines' | 'bar' | ProgressReporter;
  /** Where plain lines go (default console.log). */
  readonly log?: (line: string) => void;
}

/**
 * One line per finished epoch through `log` (default console.log); what `progress: 'lines'` uses.
 *
 * @example
 * ```ts
 * import { lineProgress } from '@chainrule/nn';
 * const lines: string[] = [];
 * const progress = lineProgress((line) => lines.push(line)); // fit(…, { …, progress })
 * ```
 */
export function lineProgress(log: (line: string) => void = (line) => console.log(line)): ProgressReporter {
  return { onEpochEnd: (line) => log(line) };
}

/** Makes the terminal reporter: `bar` true forces the bar, undefined lets it decide (a TTY or not). */
export type TerminalReporterFactory = (options: { readonly bar?: boolean; readonly log?: (line: string) => void }) => ProgressReporter;

let terminal: TerminalReporterFactory | undefined;

/** Internal: Node's main entry (index.node.ts) registers the terminal bar here. Not part of the public API. */
export function registerTerminalProgress(factory: TerminalReporterFactory): void {
  terminal = factory;
}

/** The reporter fit uses for these options; undefined for `progress: false`. */
export function progressReporter(options: ProgressOptions): ProgressReporter | undefined {
  const mode: unknown = options.progress ?? true;
  if (mode === false) return undefined;
  if (typeof mode === 'object' && mode !== null) return mode as ProgressReporter;
  if (mode === 'lines') return lineProgress(options.log);
  if (mode === true) return terminal ? terminal({ log: options.log }) : lineProgress(options.log);
  if (mode === 'bar') {
    if (!terminal) {
      throw new Error("fit: progress: 'bar' is the terminal progress bar, which is Node-only and comes with @chainrule/nn's Node entry; "
        + "here use progress: 'lines' (or true, or your own ProgressReporter), or in Node pass progress: terminalProgress({ bar: true }) "
        + "with terminalProgress from '@chainrule/nn/node'");
    }
    return terminal({ bar: true, log: options.log });
  }
  throw new Error(`fit: progress must be true, false, 'lines', 'bar' or a ProgressReporter, got ${describeValue(mode)}`);
}
