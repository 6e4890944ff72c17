// Bundles src/ into ESM + CJS for the package entry points: the core API, the Node add-ons and
// the CLI. One build per format with all three inputs, so code they share (errors, the WASM core)
// lands in one shared chunk: `instanceof TinyhushError` holds across `tinyhush` and `tinyhush/node`.
// Rollup rewrites `import.meta.url` for the CJS output.
import { builtinModules } from 'node:module';
import typescript from '@rollup/plugin-typescript';

const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || id === 'onnxruntime-node';
const input = { index: 'src/index.ts', node: 'src/node/index.ts', cli: 'src/cli/main.ts' };
const formats = [
  { format: 'es', extension: 'js', declaration: true },
  { format: 'cjs', extension: 'cjs', declaration: false },
];

export default formats.map(({ format, extension, declaration }) => ({
  input,
  external,
  output: {
    dir: 'dist',
    format,
    entryFileNames: `[name].${extension}`,
    chunkFileNames: `chunks/[name]-[hash].${extension}`,
    exports: 'named',
    sourcemap: true,
  },
  plugins: [typescript({
    tsconfig: './tsconfig.json',
    outDir: 'dist',
    declaration,
    ...(declaration ? { declarationDir: 'dist' } : {}),
  })],
}));
