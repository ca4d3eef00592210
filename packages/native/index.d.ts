// The addon's exports are typed where they are used: @chainrule/core's src/backend/native/addon.ts (NativeAddon).
declare const addon: Record<string, (...args: unknown[]) => unknown>;
export = addon;
