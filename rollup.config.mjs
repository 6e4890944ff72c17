// Bundles src/ into ESM + CJS for the package entry points (core API and the Node add-ons).
import typescript from '@rollup/plugin-typescript';

const external = (id) => id.startsWith('node:') || id === 'onnxruntime-node';
const entries = { index: 'src/index.ts', node: 'src/node/index.ts', cli: 'src/cli/main.ts' };

export default Object.entries(entries).flatMap(([name, input]) => [
  {
    input, external,
    output: { file: `dist/${name}.js`, format: 'es', sourcemap: true },
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: name === 'index', declarationDir: 'dist', outDir: 'dist' })],
  },
  {
    input, external,
    output: { file: `dist/${name}.cjs`, format: 'cjs', sourcemap: true, exports: 'named' },
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist' })],
  },
]);
