/// <reference types="node" />
/** @chainrule/nn/node: the Node-only parts of nn: models as files, and the terminal progress bar. */
export { saveModel, loadModel } from './files.ts';
export { saveCheckpoint, loadCheckpoint, checkpointEvery } from './checkpoint-file.ts';
export { terminalProgress, type TerminalProgressOptions } from './terminal-progress.ts';
