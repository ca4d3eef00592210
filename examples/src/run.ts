/** `pnpm example <name> [flags]`: runs examples/src/<name>.ts. */
const examples = ['exp', 'sinc', 'surface', 'mnist', 'mnist-cnn', 'custom-op', 'graph', 'calculus', 'demo'];
const [name, ...argv] = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));

if (!name || !examples.includes(name)) {
  console.error(`usage: pnpm example <${examples.join('|')}> [flags]   (add --help for an example's flags)`);
  process.exit(name ? 1 : 0);
}
const mod = (await import(`./${name}.ts`)) as { main?: (argv: string[]) => Promise<void> | void };
try {
  await mod.main?.(argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
