/** What a browser bundle gets for '@chainrule/nn/node': an error that says what to use instead. */
throw new Error(
  "@chainrule/nn/node is Node-only (model files and the terminal progress bar): in a browser import from '@chainrule/nn', "
  + "save a model as bytes with encodeModel (or encodeSafetensors), read them back with decodeModel, and use fit's progress: 'lines' or your own ProgressReporter",
);

export {};
