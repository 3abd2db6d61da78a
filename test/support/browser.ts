/**
 * A real headless Chromium for browser tests and benchmarks: Debian's `chromium` (found or
 * installed by scripts/chromium.sh, never downloaded by npm) driven through puppeteer-core.
 */
import { execFileSync } from 'node:child_process';
import puppeteer, { type Browser } from 'puppeteer-core';
import { REPO_ROOT } from './paths.js';

/** The Chromium executable; throws with scripts/chromium.sh's message saying how to get one. */
export function chromiumPath(): string {
  try {
    return execFileSync('bash', ['scripts/chromium.sh'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`No headless Chromium for the browser test: ${e.stderr ?? String(err)}`);
  }
}

/** Launches headless Chromium (no sandbox: CI runs as root). */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
