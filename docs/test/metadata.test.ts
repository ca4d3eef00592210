/** What each published package says about itself: the MIT licence (the root's text), its README, and the metadata fields a registry shows. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe.each(['core', 'nn', 'datasets', 'viz'])('@chainrule/%s', (name) => {
  const dir = `packages/${name}`;
  const manifest = JSON.parse(read(`${dir}/package.json`)) as Record<string, any>;

  it('carries the root LICENSE, unchanged, and ships it with its README', () => {
    expect(read(`${dir}/LICENSE`), `${dir}/LICENSE differs from the root LICENSE: copy it again`).toBe(read('LICENSE'));
    expect(manifest.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE']));
  });

  it('declares MIT, a description, keywords, a homepage and its folder in the repository', () => {
    expect(manifest.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the chainrule authors\n/);
    expect(manifest.description.length).toBeGreaterThan(20);
    expect(manifest.keywords.length).toBeGreaterThan(2);
    expect(manifest.homepage).toMatch(new RegExp(`/packages/${name}#readme$`));
    expect(manifest.repository).toMatchObject({ type: 'git', directory: dir });
  });

  it('has a README with an install line and a link to the API reference', () => {
    expect(existsSync(join(root, dir, 'README.md'))).toBe(true);
    const readme = read(`${dir}/README.md`);
    expect(readme).toContain(`npm install @chainrule/${name}`);
    expect(readme).toMatch(/\]\(\.\.\/\.\.\/docs\/?(README\.md)?\)/);
  });
});
