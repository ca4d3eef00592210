/// <reference types="node" />
/**
 * The Node-only parts of nn: models and checkpoints as files, and the terminal progress bar.
 *
 * @module @chainrule/nn/node
 */
export { saveModel, loadModel } from './files.ts';
export { saveCheckpoint, loadCheckpoint, checkpointEvery } from './checkpoint-file.ts';
export { terminalProgress, type TerminalProgressOptions } from './terminal-progress.ts';
