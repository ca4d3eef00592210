/**
 * The fenced code blocks of the documentation, and what each one is for. The info string after the
 * language says it: ```ts runs as it is; ```ts fragment is a deliberate fragment, not run; ```js
 * train.mjs (a file name) is a program packaging/test/consumer.test.ts runs from the packed tarballs.
 * Blocks in other languages (sh, json …) are not code to run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every page whose code must run, relative to the repository root. */
export const DOCUMENTS = [
  'README.md',
  'packages/core/README.md',
  'packages/nn/README.md',
  'packages/datasets/README.md',
  'packages/viz/README.md',
  'docs/concepts.md',
] as const;

export type BlockKind = 'run' | 'fragment' | 'program' | 'other';

export interface CodeBlock {
  /** The page, relative to the repository root. */
  readonly document: string;
  /** The line of the opening fence (1-based), to find the block from a failure. */
  readonly line: number;
  readonly language: string;
  /** What follows the language: '', 'fragment' or a file name. */
  readonly info: string;
  readonly kind: BlockKind;
  readonly code: string;
}

const SCRIPT_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

function kindOf(language: string, info: string): BlockKind {
  if (!SCRIPT_LANGUAGES.has(language)) return 'other';
  if (info === '') return 'run';
  if (info === 'fragment') return 'fragment';
  if (/^[\w-]+\.[cm]?[jt]s$/.test(info)) return 'program';
  throw new Error(`the info string '${language} ${info}' is neither 'fragment' nor a program's file name`);
}

/** The blocks of one page, in order. Throws on an unclosed fence, naming its line. */
export function codeBlocks(root: string, document: string): CodeBlock[] {
  const lines = readFileSync(join(root, document), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*(.*?)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${document}:${i + 1}: the code block opened here is never closed`);
    const [language, info] = [open[1]!, open[2]!];
    try {
      blocks.push({ document, line: i + 1, language, info, kind: kindOf(language, info), code: lines.slice(i + 1, end).join('\n') + '\n' });
    } catch (e) {
      throw new Error(`${document}:${i + 1}: ${(e as Error).message}`);
    }
    i = end;
  }
  return blocks;
}
