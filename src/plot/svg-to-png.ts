/**
 * SVG → PNG with `@resvg/resvg-js` (a Rust SVG renderer with prebuilt binaries), loaded on first
 * use so that commands which draw nothing never load it. Text uses the system's fonts.
 */
import { TinyhushError } from '../errors.js';

/**
 * Renders `svg` to PNG bytes at `scale` times its own size (default 2, for sharp text).
 * @throws TinyhushError `MISSING_DEPENDENCY` when `@resvg/resvg-js` cannot be loaded here.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (error) {
    throw new TinyhushError('MISSING_DEPENDENCY', `cannot load @resvg/resvg-js to draw PNG files (${(error as Error).message}); `
      + 'install it with `npm install @resvg/resvg-js`, or use the SVG file');
  }
  const renderer = new resvg.Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } });
  return renderer.render().asPng();
}
