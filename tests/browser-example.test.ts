/**
 * The browser example (examples/browser/) in real Chromium: the page loads, processes the sample
 * file through the worklet node offline, and logs no console error; the live path starts too.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServer } from '../examples/browser/server.mjs';
import { buildWebBundle, CHROMIUM_MISSING, chromiumPath, launchChromium, removeBundle } from './browser-harness.js';

const executable = chromiumPath();
if (executable === undefined) console.warn(CHROMIUM_MISSING);
const describeIf = executable === undefined ? describe.skip : describe;

describeIf('examples/browser in Chromium', () => {
  let bundle: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    bundle = buildWebBundle();
    server = await startServer({ port: 0, distDir: bundle });
    browser = await launchChromium(executable as string);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (bundle !== undefined) removeBundle(bundle);
  });

  test('the page processes the sample file and plays it live without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 960, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Ready'), undefined, { timeout: 60_000 });
    expect(await page.locator('#mode option').count()).toBeGreaterThan(2);
    await page.click('#process');
    await page.waitForFunction(() => /^(Processed|\w*Error)/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await page.textContent('#status')).toMatch(/^Processed sample\.wav: 9\.5 s of audio at \d+ Hz/);
    expect(await page.isEnabled('#play-denoised')).toBe(true);
    // Live: the sample loops through the node; telemetry reaches the page.
    await page.click('#sample');
    await page.waitForFunction(() => document.getElementById('macs')?.textContent !== '–', undefined, { timeout: 60_000 });
    await page.click('#denoise-off');
    await page.click('#denoise-on');
    if (process.env.TINYHUSH_SCREENSHOT) {
      const dir = process.env.TINYHUSH_SCREENSHOT;
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
      await page.waitForTimeout(3000);
      await page.screenshot({ path: join(dir, 'browser-example.png'), fullPage: true });
    }
    expect(errors).toEqual([]);
  }, 240_000);
});
