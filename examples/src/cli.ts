/** Flag parsing shared by the examples: `--epochs 10 --layers 784,128,64,32,10`. */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; description: string }>;

/** Parses argv against a spec; `--help` prints the flags and their defaults, unknown flags fail clearly. */
export function flags<S extends FlagSpec>(example: string, argv: string[], spec: S): { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : string } {
  const options = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, { type: v.type, default: v.default }]));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } } as never, strict: true, allowPositionals: false });
  } catch (e) {
    throw new Error(`${example}: ${(e as Error).message}. Flags: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    console.log(`pnpm example ${example} [flags]\n` + Object.entries(spec).map(([k, v]) => `  --${k.padEnd(12)} ${v.description} (default ${String(v.default)})`).join('\n'));
    process.exit(0);
  }
  return parsed.values as never;
}

export const numberFlag = (example: string, name: string, value: string, { min = -Infinity, integer = false } = {}): number => {
  const v = Number(value);
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new Error(`${example}: --${name} must be ${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got '${value}'`);
  }
  return v;
};

export const listFlag = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** The command line that reproduces this run, for reports. */
export const commandLine = (example: string, argv: string[]): string => ['pnpm example', example, ...argv].join(' ');
