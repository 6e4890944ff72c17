// Bundles src/ for the package entry points: the core API and the Node add-ons as ESM and CJS, the
// CLI as ESM only (bin/tinyhush.js imports it). One build per format with all inputs, so code they
// share (errors, the WASM core) lands in one shared chunk: `instanceof TinyhushError` holds across
// `tinyhush` and `tinyhush/node`. Rollup rewrites `import.meta.url` for the CJS output.
// Type declarations are rolled up per entry (only the public API, no internal modules), once as
// .d.ts for `import` and once as .d.cts for `require`, each format with its own shared chunk.
import { builtinModules } from 'node:module';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || id === 'onnxruntime-node' || id === '@resvg/resvg-js';
const libraryInput = { index: 'src/index.ts', node: 'src/node/index.ts', web: 'src/web/index.ts' };
/** The AudioWorklet processor: one self-contained ES module, the WASM core embedded (docs/browser.md). */
const processorInput = { 'web-processor': 'src/web/processor.ts' };
const cliInput = { cli: 'src/cli/main.ts' };
/** The worker thread of `createDenoiserPool`, which finds it next to itself (src/node/pool.ts). */
const workerInput = { 'pool-worker': 'src/node/pool-worker.ts' };
/** `tinyhush/node` needs Node's types; TypeScript 7 no longer loads @types/node unasked. */
const nodeTypesBanner = (chunk) => (chunk.name === 'node' ? '/// <reference types="node" />' : '');

const code = (input, format, extension) => ({
  input,
  external,
  output: {
    dir: 'dist',
    format,
    entryFileNames: `[name].${extension}`,
    chunkFileNames: `chunks/[name]-[hash].${extension}`,
    exports: 'named',
  },
  plugins: [typescript({ tsconfig: './tsconfig.json', outDir: 'dist', declaration: false })],
});

const types = (extension) => ({
  input: libraryInput,
  external,
  output: {
    dir: 'dist',
    format: 'es',
    entryFileNames: `[name].${extension}`,
    chunkFileNames: `chunks/[name]-[hash].${extension}`,
    banner: nodeTypesBanner,
  },
  plugins: [dts({ tsconfig: './tsconfig.json', compilerOptions: { stripInternal: true } })],
});

export default [
  code({ ...libraryInput, ...cliInput, ...workerInput }, 'es', 'js'),
  code({ ...libraryInput, ...workerInput }, 'cjs', 'cjs'),
  types('d.ts'),
  types('d.cts'),
  code(processorInput, 'es', 'js'),
];
