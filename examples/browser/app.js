// The browser example: tinyhush's AudioWorklet node between a source (microphone or a file) and
// the speakers, with live telemetry; plus an offline render of a whole file for A/B listening.
// Served by server.mjs: /dist/ is the built package, /models/ the model files.
import { createDenoiserNode } from '/dist/web.js';

const MODEL_URL = '/models/nsnet-ee-int8.thm';
const HISTORY = 300; // telemetry points in the chart (30 s at 10 per second)
const $ = (id) => document.getElementById(id);

let context; // the live AudioContext
let node; // its denoiser node
let source; // the node's current input
let sampleBytes; // the file to play or process (ArrayBuffer)
let sampleName = 'sample.wav';
let offline; // { original, denoised } AudioBuffers of the last offline render
const points = []; // { macsPerSecond } per telemetry event
const recent = []; // the last second of telemetry reports: rates over a whole second, not one 10-frame event

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

/** The mode menu: each exit, then the budget and adaptive policies. */
function fillModes(exits) {
  const mode = $('mode');
  mode.replaceChildren(...exits.map((exit, i) => new Option(`exit ${i} (${exit.name}, ${(exit.macsPerFrame * 100 / 1e6).toFixed(1)} M MACs/s)`, `exit:${i}`)),
    new Option('budget policy', 'budget'), new Option('adaptive policy', 'adaptive'));
  mode.value = `exit:${exits.length - 1}`;
}

function budgetMacs(exits) {
  const low = exits[0].macsPerFrame * 100;
  const high = exits[exits.length - 1].macsPerFrame * 100;
  return low + ((high - low) * Number($('budget').value)) / 100;
}

/** Applies the mode menu to `target` (the live node or an offline one). */
async function applyMode(target) {
  const value = $('mode').value;
  $('budget-box').hidden = value !== 'budget';
  $('budget-value').textContent = `${(budgetMacs(target.exits) / 1e6).toFixed(1)} M MACs/s`;
  if (value.startsWith('exit:')) await target.setExit(Number(value.slice(5)));
  else if (value === 'budget') await target.setPolicy({ kind: 'budget', macsPerSecond: budgetMacs(target.exits) });
  else await target.setPolicy({ kind: 'adaptive' });
}

function drawChart() {
  const canvas = $('chart');
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  const full = node ? node.exits[node.exits.length - 1].macsPerFrame * 100 : 1;
  g.strokeStyle = '#ddd';
  g.fillStyle = '#888';
  g.font = '11px system-ui';
  for (const f of [0.25, 0.5, 0.75, 1]) {
    const y = height - 16 - f * (height - 28);
    g.beginPath(); g.moveTo(40, y); g.lineTo(width, y); g.stroke();
    g.fillText(`${((f * full) / 1e6).toFixed(1)}M`, 2, y + 4);
  }
  g.fillText('model MACs/s, last 30 s', 44, height - 3);
  g.strokeStyle = '#1f77b4';
  g.lineWidth = 2;
  g.beginPath();
  points.forEach((p, i) => {
    const x = 40 + ((width - 42) * (i + HISTORY - points.length)) / (HISTORY - 1);
    const y = height - 16 - Math.min(1.05, p.macsPerSecond / full) * (height - 28);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
}

function drawHistogram(histogram) {
  const canvas = $('histogram');
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  const total = histogram.reduce((a, b) => a + b, 0) || 1;
  const w = (width - 20) / histogram.length;
  g.font = '11px system-ui';
  histogram.forEach((count, i) => {
    const h = (count / total) * (height - 40);
    g.fillStyle = '#1f77b4';
    g.fillRect(10 + i * w + 4, height - 20 - h, w - 8, h);
    g.fillStyle = '#444';
    g.fillText(`exit ${i}: ${Math.round((100 * count) / total)}%`, 10 + i * w + 4, height - 6);
  });
  g.fillText('frames per exit', 10, 12);
}

function onTelemetry(event) {
  const t = event.detail;
  if (recent.length > 0 && t.audioSeconds < recent[recent.length - 1].audioSeconds) recent.length = 0; // reset
  recent.push(t);
  if (recent.length > 11) recent.shift();
  const first = recent[0];
  if (t.audioSeconds > first.audioSeconds) {
    points.push({ macsPerSecond: (t.macs - first.macs) / (t.audioSeconds - first.audioSeconds) });
    if (points.length > HISTORY) points.shift();
    $('macs').textContent = `${(points[points.length - 1].macsPerSecond / 1e6).toFixed(2)} M`;
  }
  $('rtf').textContent = t.realTimeFactor.toFixed(3);
  $('speech').textContent = t.speechProbability === undefined ? '–' : t.speechProbability.toFixed(2);
  drawChart();
  drawHistogram(t.exitHistogram);
}

async function liveContext() {
  if (context === undefined) {
    context = new AudioContext();
    node = await createDenoiserNode(context, { model: MODEL_URL });
    node.addEventListener('telemetry', onTelemetry);
    node.connect(context.destination);
    $('latency').textContent = `${(node.latencySeconds * 1000).toFixed(1)} ms`;
    $('build').textContent = node.wasmBuild;
    await applyMode(node);
  }
  await context.resume();
  return context;
}

function disconnectSource() {
  if (source === undefined) return;
  if (source.stop) source.stop();
  if (source.mediaStream) source.mediaStream.getTracks().forEach((track) => track.stop());
  source.disconnect();
  source = undefined;
}

async function playLive(makeSource, label) {
  try {
    const ctx = await liveContext();
    disconnectSource();
    source = await makeSource(ctx);
    source.connect(node);
    await node.resetTelemetry();
    status(`Playing ${label} through tinyhush at ${ctx.sampleRate} Hz.`);
  } catch (error) {
    status(`${error.name}: ${error.message}`, true);
  }
}

async function loadSample() {
  if (sampleBytes === undefined) sampleBytes = await (await fetch('/sample.wav')).arrayBuffer();
  return sampleBytes;
}

/** Renders the whole file through a fresh node in an OfflineAudioContext; keeps both for A/B. */
async function processFile() {
  try {
    status(`Processing ${sampleName}…`);
    const probe = new OfflineAudioContext(1, 1, 48000);
    const decoded = await probe.decodeAudioData((await loadSample()).slice(0));
    const ctx = new OfflineAudioContext(1, decoded.length, decoded.sampleRate);
    const offlineNode = await createDenoiserNode(ctx, { model: MODEL_URL, telemetryHz: 0 });
    await applyMode(offlineNode);
    const player = ctx.createBufferSource();
    player.buffer = decoded;
    player.connect(offlineNode).connect(ctx.destination);
    player.start();
    const started = performance.now();
    const denoised = await ctx.startRendering();
    const seconds = (performance.now() - started) / 1000;
    offline = { original: decoded, denoised };
    $('play-original').disabled = false;
    $('play-denoised').disabled = false;
    status(`Processed ${sampleName}: ${decoded.duration.toFixed(1)} s of audio at ${decoded.sampleRate} Hz in ${seconds.toFixed(2)} s `
      + `(${(seconds / decoded.duration).toFixed(3)} s per second of audio; latency ${(offlineNode.latencySeconds * 1000).toFixed(1)} ms).`);
  } catch (error) {
    status(`${error.name}: ${error.message}`, true);
  }
}

async function playOffline(which) {
  const ctx = await liveContext();
  disconnectSource();
  const player = ctx.createBufferSource();
  player.buffer = offline[which];
  player.connect(ctx.destination); // already processed: straight to the speakers
  player.start();
  source = player;
  status(`Playing the ${which} file.`);
}

function setDenoise(enabled) {
  $('denoise-on').classList.toggle('on', enabled);
  $('denoise-off').classList.toggle('on', !enabled);
  if (node) node.setEnabled(enabled);
}

$('mic').onclick = () => playLive(async (ctx) => ctx.createMediaStreamSource(await navigator.mediaDevices.getUserMedia({
  audio: { noiseSuppression: false, echoCancellation: false, autoGainControl: false },
})), 'the microphone');
$('sample').onclick = () => playLive(async (ctx) => {
  const player = ctx.createBufferSource();
  player.buffer = await ctx.decodeAudioData((await loadSample()).slice(0));
  player.loop = true;
  player.start();
  return player;
}, sampleName);
$('file').onchange = async () => {
  const file = $('file').files[0];
  if (file === undefined) return;
  sampleBytes = await file.arrayBuffer();
  sampleName = file.name;
  status(`${file.name} loaded: play it live or process it.`);
};
$('stop').onclick = () => { disconnectSource(); status('Stopped.'); };
$('denoise-on').onclick = () => setDenoise(true);
$('denoise-off').onclick = () => setDenoise(false);
$('mode').onchange = () => { if (node) applyMode(node).then(() => node.resetTelemetry()); };
$('budget').oninput = () => { if (node) applyMode(node); };
$('process').onclick = processFile;
$('play-original').onclick = () => playOffline('original');
$('play-denoised').onclick = () => playOffline('denoised');

// The mode menu needs the model's exits: read them from a node on a throwaway offline context.
(async () => {
  try {
    const probe = await createDenoiserNode(new OfflineAudioContext(1, 128, 48000), { model: MODEL_URL, telemetryHz: 0 });
    fillModes(probe.exits);
    probe.dispose();
    drawChart();
    drawHistogram(probe.exits.map(() => 0));
    status('Ready: pick a source, or process the sample file.');
  } catch (error) {
    status(`${error.name}: ${error.message}`, true);
  }
})();
