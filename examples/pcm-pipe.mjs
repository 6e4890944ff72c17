// Denoises raw 16-bit PCM from stdin to stdout, e.g. inside a media server:
//   ffmpeg -i call.webm -f s16le -ac 1 -ar 48000 - | node examples/pcm-pipe.mjs 48000 > clean.raw
import { pipeline } from 'node:stream/promises';
import { createDenoiseStream } from 'tinyhush/node';

const sampleRate = Number(process.argv[2] ?? 48000);
await pipeline(process.stdin, createDenoiseStream({ sampleRate, channels: 1, format: 's16le' }), process.stdout);
