/// <reference types="node" />
/**
 * @chainrule/nn as Node imports it: the same exports as the main entry (index.ts), plus one side
 * effect: fit's default progress (`progress: true`) becomes the terminal bar on a TTY stderr (plain
 * lines otherwise), and `progress: 'bar'` draws it.
 */
import { registerTerminalProgress } from './progress.ts';
import { terminalProgress } from './terminal-progress.ts';

registerTerminalProgress(terminalProgress);

export * from './index.ts';
