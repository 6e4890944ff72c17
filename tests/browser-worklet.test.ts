/**
 * `tinyhush/web` in real Chromium: an OfflineAudioContext render through `createDenoiserNode`
 * equals `createDenoiser` in Node for the same input and WASM build (mono at 48 kHz, stereo at
 * 44.1 kHz, 128-sample render quanta against one whole chunk), also across a gate-ratio change
 * on the gate fixture, and the node's controls work.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../examples/browser/server.mjs';
import { createDenoiser, type FrameReport } from '../src/index.js';
import { buildWebBundle, CHROMIUM_MISSING, chromiumPath, launchChromium, removeBundle } from './browser-harness.js';
import { loadGateFixture } from './gates-fixture.js';
import { testAudio } from './stream-models.js';

const executable = chromiumPath();
if (executable === undefined) console.warn(CHROMIUM_MISSING);
const describeIf = executable === undefined ? describe.skip : describe;

const MODEL = 'models/nsnet-ee-f32.thm';

interface RenderRequest {
  rate: number;
  channels: number[][];
  exit?: number;
}

/** Renders `channels` through the node in an OfflineAudioContext (runs in the page). */
async function renderInPage(page: Page, request: RenderRequest): Promise<{ output: number[][]; info: { latencySamples: number; wasmBuild: string } }> {
  return page.evaluate(async ({ rate, channels, exit }) => {
    const web = await import('/dist/web.js' as string);
    const n = channels[0].length;
    const context = new OfflineAudioContext(channels.length, n, rate);
    const buffer = context.createBuffer(channels.length, n, rate);
    channels.forEach((samples, c) => buffer.copyToChannel(Float32Array.from(samples), c));
    const source = context.createBufferSource();
    source.buffer = buffer;
    const node = await web.createDenoiserNode(context, {
      model: '/models/nsnet-ee-f32.thm', channels: channels.length, wasmBuild: 'simd', telemetryHz: 0,
      ...(exit !== undefined && { exit }),
    });
    source.connect(node).connect(context.destination);
    source.start();
    const rendered = await context.startRendering();
    return {
      output: Array.from({ length: channels.length }, (_, c) => Array.from(rendered.getChannelData(c))),
      info: { latencySamples: node.latencySamples, wasmBuild: node.wasmBuild },
    };
  }, request);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describeIf('tinyhush/web in Chromium', () => {
  let bundle: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    bundle = buildWebBundle();
    server = await startServer({ port: 0, distDir: bundle, routes: [['/fixtures/', 'tests/fixtures']] });
    browser = await launchChromium(executable as string);
    page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}blank.html`);
  }, 600_000); // the bundle build alone took 5.5 min on a loaded 2-core machine

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (bundle !== undefined) removeBundle(bundle);
  });

  test.each([
    { rate: 48000, channels: 1, exit: undefined },
    { rate: 44100, channels: 2, exit: 0 },
  ])('$rate Hz, $channels channel(s): the worklet render equals the Node output (≤ 1e-6)', async ({ rate, channels, exit }) => {
    const n = rate; // one second: a whole number of render quanta is not needed, any length works
    const input = Array.from({ length: channels }, (_, c) => testAudio(n, rate, 11 + c));
    const { output, info } = await renderInPage(page, { rate, channels: input.map((x) => Array.from(x)), ...(exit !== undefined && { exit }) });
    const node = createDenoiser({ model: new Uint8Array(readFileSync(MODEL)), sampleRate: rate, channels, wasmBuild: 'simd', ...(exit !== undefined && { exit }) });
    const expected = node.process(input);
    expect(info.wasmBuild).toBe('simd');
    expect(info.latencySamples).toBe(node.latencySamples);
    expect(output).toHaveLength(channels);
    for (let c = 0; c < channels; c++) {
      expect(output[c]).toHaveLength(expected[c].length);
      expect(expected[c].some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expect(maxAbsDiff(output[c], expected[c])).toBeLessThanOrEqual(1e-6);
    }
    expect(errors).toEqual([]);
  }, 120_000);

  test('gate fixture: a ratio change mid-render equals setGateRatio in Node; telemetry carries the gate shares per frame', async () => {
    const rate = 16000;
    const change = rate; // 1 s: an exact time on a render-quantum boundary (125 quanta), where the offline context suspends
    const input = testAudio(rate + rate / 2, rate, 5);
    const result = await page.evaluate(async ({ samples, rate, change }) => {
      const web = await import('/dist/web.js' as string);
      const context = new OfflineAudioContext(1, samples.length, rate);
      const buffer = context.createBuffer(1, samples.length, rate);
      buffer.copyToChannel(Float32Array.from(samples), 0);
      const source = context.createBufferSource();
      source.buffer = buffer;
      const node = await web.createDenoiserNode(context, { model: '/fixtures/gates/gates.thm', wasmBuild: 'simd', gateRatio: 1, telemetryHz: 25 });
      const gateFrames: number[] = [];
      node.addEventListener('telemetry', (e: CustomEvent<{ gateFrames: Float32Array }>) => gateFrames.push(...e.detail.gateFrames));
      source.connect(node).connect(context.destination);
      source.start();
      let applied = Number.NaN;
      const caught: string[] = [];
      context.suspend(change / rate).then(async () => {
        for (const bad of [1.5, Number.NaN, '0.5']) await node.setGateRatio(bad).catch((e: Error) => caught.push(e.name));
        applied = await node.setGateRatio(0.1);
        await context.resume();
      });
      const rendered = await context.startRendering();
      await new Promise((resolve) => setTimeout(resolve, 200)); // the last telemetry messages
      return { output: Array.from(rendered.getChannelData(0)), gates: node.gates.length, applied, gateRatio: node.gateRatio, caught, gateFrames };
    }, { samples: Array.from(input), rate, change });

    const node = createDenoiser({ model: loadGateFixture().bytes, sampleRate: rate, wasmBuild: 'simd' });
    const shares: number[] = [];
    node.onFrame = (frame: FrameReport) => shares.push(...frame.gateShares);
    const expected = new Float32Array(input.length);
    expected.set(node.process(input.subarray(0, change)), 0);
    node.setGateRatio(0.1);
    expected.set(node.process(input.subarray(change)), change);
    expect(result.caught).toEqual(['InvalidOptionError', 'InvalidOptionError', 'InvalidOptionError']);
    expect([result.applied, result.gateRatio]).toEqual([0.25, 0.25]);
    expect(result.gates).toBe(2);
    expect(maxAbsDiff(result.output, expected)).toBeLessThanOrEqual(1e-6);
    // The change did something, and the worklet's per-frame shares are Node's (events cover a prefix of the frames).
    const before = shares.slice(0, 2 * 40);
    const after = shares.slice(-2 * 40);
    expect(after.reduce((a, b) => a + b, 0)).toBeLessThan(before.reduce((a, b) => a + b, 0));
    expect(result.gateFrames.length).toBeGreaterThan(shares.length / 2);
    expect(result.gateFrames).toEqual(shares.slice(0, result.gateFrames.length));
    expect(errors).toEqual([]);
  }, 120_000);

  test('a bad option rejects with the typed error; setPolicy answers with the resolved spec or the typed error', async () => {
    const result = await page.evaluate(async () => {
      const web = await import('/dist/web.js' as string);
      const context = new OfflineAudioContext(1, 128, 48000);
      const caught = async (f: () => Promise<unknown>) => {
        try { await f(); return 'no error'; } catch (e) { return `${(e as Error).name}:${(e as { code: string }).code}`; }
      };
      const badExit = await caught(() => web.createDenoiserNode(context, { model: '/models/nsnet-ee-f32.thm', exit: 99 }));
      const badRate = await caught(() => web.createDenoiserNode(new OfflineAudioContext(1, 128, 96000), { model: '/models/nsnet-ee-f32.thm' }));
      const node = await web.createDenoiserNode(context, { model: '/models/nsnet-ee-f32.thm' });
      const resolved = await node.setPolicy({ kind: 'budget', macsPerSecond: 1e6 });
      const badPolicy = await caught(() => node.setPolicy({ kind: 'nope' }));
      const exit = await node.setExit(0);
      return { badExit, badRate, resolved: resolved.kind, badPolicy, exit: exit.exit, policy: node.policy.kind };
    });
    expect(result).toEqual({
      badExit: 'InvalidOptionError:INVALID_OPTION', badRate: 'UnsupportedRateError:UNSUPPORTED_RATE',
      resolved: 'budget', badPolicy: 'InvalidOptionError:INVALID_OPTION', exit: 0, policy: 'fixed',
    });
  }, 60_000);
});
