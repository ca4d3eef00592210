/** The native kernel set (Node only, opt-in): see ./load.ts. */
export { loadNativeKernels, nativeLevels, type LoadNativeOptions } from './load.ts';
export type { NativeAddon } from './addon.ts';
