/**
 * Real Chromium for the browser tests: Debian's `chromium` driven by playwright-core, pages served
 * by the example's loopback server from a fresh build of `tinyhush/web`. `.ci/run` installs
 * chromium; without it the tests skip with a message.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Path of the chromium executable, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const CHROMIUM_MISSING = 'chromium is not installed (apt-get install -y chromium; .ci/run installs it): browser tests skipped';

/** Builds `web.js` and `web-processor.js` from the sources into a temporary folder (remove it after). */
export function buildWebBundle(): string {
  const out = mkdtempSync(join(tmpdir(), 'tinyhush-web-'));
  execFileSync(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', 'tests/browser-bundle.config.mjs', '--silent'],
    { env: { ...process.env, TINYHUSH_WEB_OUT: out }, stdio: 'pipe' });
  return out;
}

export function removeBundle(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Headless Chromium with the flags that work in containers. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
