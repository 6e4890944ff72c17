#!/usr/bin/env node
/**
 * Tiny static server for the browser example (and the Chromium tests), loopback only:
 *   /            examples/browser/ (the page)
 *   /dist/       the built package (`tinyhush/web`, `web-processor.js`), from `npm run build`
 *   /models/     the bundled model files
 *   /sample.wav  examples/noisy-sample.wav
 * Run: `npm run example:browser` (builds, then serves http://127.0.0.1:8017/).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = resolve(fileURLToPath(new URL('.', import.meta.url)));
const repo = resolve(here, '../..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wav': 'audio/wav', '.thm': 'application/octet-stream', '.map': 'application/json',
  '.png': 'image/png', '.json': 'application/json',
};

/** The file a URL path maps to, or undefined (outside the served folders). */
function fileFor(path, distDir, extraRoutes) {
  const routes = [...extraRoutes, ['/dist/', distDir], ['/models/', join(repo, 'models')], ['/', here]];
  if (path === '/sample.wav') return join(repo, 'examples/noisy-sample.wav');
  if (path === '/') return join(here, 'index.html');
  for (const [prefix, dir] of routes) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : undefined;
  }
  return undefined;
}

/**
 * Starts the server on 127.0.0.1 (`port` 0: any free port). Resolves with its base URL and a
 * `close()`.
 * @param {{ port?: number, distDir?: string, routes?: [string, string][] }} [options] `distDir`: where the
 *   built package is (default dist/); `routes`: more [URL prefix, folder] pairs (the benchmark's peers).
 */
export function startServer({ port = 8017, distDir = join(repo, 'dist'), routes = [] } = {}) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = fileFor(path, resolve(distDir), routes.map(([prefix, dir]) => [prefix, resolve(dir)]));
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolveStart({ url: `http://127.0.0.1:${bound}/`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!existsSync(join(repo, 'dist/web-processor.js'))) {
    console.error('dist/web-processor.js is missing: run `npm run build` first (npm run example:browser does)');
    process.exit(1);
  }
  const { url } = await startServer({ port: Number(process.env.PORT ?? 8017) });
  console.log(`tinyhush browser example: ${url} (Ctrl-C to stop)`);
}
