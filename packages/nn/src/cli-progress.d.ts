// The few parts of cli-progress 3.12 that progress.ts uses (the package ships no types).
declare module 'cli-progress' {
  interface BarOptions { format?: string; hideCursor?: boolean; clearOnComplete?: boolean; stream?: NodeJS.WritableStream }
  class SingleBar {
    constructor(options: BarOptions, preset?: object);
    start(total: number, value: number, payload?: object): void;
    increment(step?: number, payload?: object): void;
    stop(): void;
  }
  const Presets: { legacy: object; shades_classic: object };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
