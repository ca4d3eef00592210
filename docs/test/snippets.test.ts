/**
 * The documentation's code runs as written: every ts/js block of the root README, the package
 * READMEs and docs/concepts.md (see code-blocks.ts) is written into docs/.snippets/, where
 * @chainrule/* resolve to their TypeScript sources, type-checked in one strict tsc run, and run by
 * tsx in a fresh temporary folder (so files it writes land there). A snippet cannot drift from the API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, DOCUMENTS, type CodeBlock } from './code-blocks.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const snippets = join(root, 'docs', '.snippets');
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx/cli');
const tsc = join(dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin', 'tsc');
/** Fragments (```ts fragment) are allowed, but only this many: the rest of the code must run. */
const MAX_FRAGMENTS = 2;
const run = promisify(execFile);

const blocks = DOCUMENTS.flatMap((document) => codeBlocks(root, document));
const runnable = blocks.filter((b) => b.kind === 'run');
const fileOf = (b: CodeBlock) => `${b.document.replace(/(^packages\/|^docs\/|\/README|\.md$)/g, '').replace(/\W+/g, '-')}-L${b.line}.${b.language.startsWith('t') ? 'ts' : 'mjs'}`;
const where = (b: CodeBlock) => `${b.document}:${b.line}`;

beforeAll(() => {
  rmSync(snippets, { recursive: true, force: true });
  mkdirSync(snippets, { recursive: true });
  for (const b of runnable) writeFileSync(join(snippets, fileOf(b)), b.code);
  writeFileSync(join(snippets, 'tsconfig.json'), JSON.stringify({
    extends: '../../tsconfig.base.json',
    compilerOptions: { noEmit: true, types: ['node'], customConditions: ['@chainrule/source'] },
    include: ['*.ts'],
  }));
});

describe('the documentation’s code blocks', () => {
  it('every page has code to run, and few blocks are fragments', () => {
    for (const document of DOCUMENTS) expect(runnable.filter((b) => b.document === document).length, document).toBeGreaterThan(0);
    const fragments = blocks.filter((b) => b.kind === 'fragment').map(where);
    expect(fragments.length, `fragments: ${fragments.join(', ')}`).toBeLessThanOrEqual(MAX_FRAGMENTS);
  });

  it('programs named by a file are the root README’s, which packaging/test/consumer.test.ts runs', () => {
    const programs = blocks.filter((b) => b.kind === 'program');
    expect(programs.filter((b) => b.document !== 'README.md').map(where)).toEqual([]);
    expect(programs.map((b) => b.info).sort()).toEqual(['app.js', 'train.mjs', 'train.ts']);
  });

  it('every TypeScript block type-checks (strict, against the sources)', async () => {
    let errors = '';
    try {
      await run(process.execPath, [tsc, '-p', snippets], { encoding: 'utf8' });
    } catch (e) {
      errors = String((e as { stdout?: string }).stdout || e);
    }
    // Each file is named after its page and line, e.g. concepts-L40.ts is docs/concepts.md line 40.
    expect(errors).toBe('');
  });

  it.each(runnable.map((b) => [where(b), b] as const))('%s runs', async (_name, block) => {
    const cwd = mkdtempSync(join(tmpdir(), 'chainrule-snippet-'));
    try {
      await run(process.execPath, [tsx, '--conditions=@chainrule/source', join(snippets, fileOf(block))], {
        cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' },
      });
    } catch (e) {
      const { stderr, stdout } = e as { stderr?: string; stdout?: string };
      throw new Error(`the block at ${where(block)} failed:\n${stderr || stdout || e}`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
