/**
 * What the playground's browser tests share: the app built with Vite into a folder of their own (so test
 * files running side by side never write over each other's build), served by a tiny static server, and
 * Debian's Chromium driven by playwright-core; pages open with every console error, warning and page
 * error collected.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { serveStatic } from './static-server.ts';

export const app = join(dirname(fileURLToPath(import.meta.url)), '..');
export const testOutput = join(app, 'test-output');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get -o DPkg::Lock::Timeout=900 install -y chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ServedApp {
  readonly browser: Browser;
  readonly base: string;
  close(): Promise<void>;
}

/** Builds the app into `outDir` (relative to the app), serves it and launches Chromium. */
export async function startApp(outDir = 'dist'): Promise<ServedApp> {
  const out = join(app, outDir);
  await build({ root: app, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  const { server, url } = await serveStatic(out);
  if (!existsSync(CHROMIUM)) { server.close(); throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: ${INSTALL} (or set CHROMIUM_PATH)`); }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  return { browser, base: url, close: async () => { await browser.close(); (server as Server).close(); } };
}

/** A page at `query`, with every console error and warning, page error and failed request collected in `problems`. */
export async function openPage(served: ServedApp, query: string, viewport = { width: 1280, height: 760 }): Promise<{ page: Page; problems: string[] }> {
  const page = await served.browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(served.base + query);
  return { page, problems };
}
