// The Chromium tests' own build of `tinyhush/web` and its processor, into TINYHUSH_WEB_OUT (a
// temporary folder), from the current sources: a dist/ rebuilt meanwhile cannot interfere.
import typescript from '@rollup/plugin-typescript';

const dir = process.env.TINYHUSH_WEB_OUT;
if (!dir) throw new Error('set TINYHUSH_WEB_OUT to the output folder');
const build = (input) => ({
  input,
  output: { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  plugins: [typescript({ tsconfig: './tsconfig.json', outDir: dir, declaration: false, noEmitOnError: false })],
});
export default [build({ web: 'src/web/index.ts' }), build({ 'web-processor': 'src/web/processor.ts' })];
