/**
 * Bounds a model file must stay within (docs/model-format.md, "Limits"). They keep every size the
 * reader and the engine compute far inside safe integers and 32-bit WASM arithmetic, and keep a
 * small hostile file from costing seconds or gigabytes. Each is one to three orders of magnitude
 * above what the shipped models use.
 */
export const LIMITS = {
  /**
   * JSON header bytes. The shipped model's header is 6 KB; a table at the count limits below takes
   * about 1 MB, leaving 3 MB for provenance. Reading a 4 MiB header (CRC, bounds scan, UTF-8,
   * JSON.parse) takes ≈ 0.1–0.2 s on the development machine; 16 MiB took ≈ 0.5–0.8 s.
   */
  headerBytes: 4 * 1024 * 1024,
  /** Nesting depth of the JSON header (the schema itself needs 4). */
  jsonDepth: 64,
  /** UTF-8 bytes of any one JSON string (names, description, provenance values). */
  stringBytes: 64 * 1024,
  /** Layers (and gates), exits and tensors in one model (the shipped model: 10, 3, 24). */
  layers: 256,
  exits: 16,
  tensors: 4096,
  /** Dimensions of a tensor. */
  tensorRank: 8,
  /** dense in/out, gru in/hidden, dwconv channels, add size. */
  layerSize: 65536,
  /** dwconv kernel taps and dilation (frames). */
  dwconvKernel: 256,
  dwconvDilation: 4096,
  /**
   * WASM bytes one engine with one state may need (`engineMemory`): weights expanded to f32 plus
   * state, scratch and frame programs. The float model needs 4.49 MB; 256 MiB stays far below
   * the 4 GiB WASM limit and what a browser tab can allocate.
   */
  engineBytes: 256 * 1024 * 1024,
  /**
   * Bytes of a whole model file: the header, plus weights that fit the engine limit, plus room for
   * companions. Checked from the file's size before it is read (Node cannot read one over 2 GiB).
   */
  fileBytes: 512 * 1024 * 1024,
} as const;
