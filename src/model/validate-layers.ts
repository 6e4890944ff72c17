/**
 * Checks the `layers` list: known ops, inputs that name earlier layers (or "features") with the
 * size the layer expects, and tensors of exactly the shapes the op reads.
 */
import { asArray, asList, asObject, fail, getInt, getOneOf, getString, type JsonObject } from './fields.js';
import { isPlainInt } from './encodings.js';
import { LIMITS } from './limits.js';
import { isIntLayer, type Activation, type LayerSpec, type TensorSpec } from './types.js';
import { checkDenseInt, checkGruInt, intOutput, type IntCodes, type IntInput } from './validate-int.js';

/** The name an input uses for the feature vector. */
export const FEATURES_INPUT = 'features';

const OPS = ['dense', 'gru', 'dwconv', 'add', 'dense-int', 'gru-int'] as const;
const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'sigmoid', 'tanh'];

/** Output size of every layer seen so far, plus "features". */
type Sizes = Map<string, number>;

/** The codes of every integer layer seen so far. */
type IntOutputs = Map<string, IntCodes>;

/** A float layer reads floats: "features" or a float layer, never an integer layer's codes. */
function floatInput(ints: IntOutputs, name: unknown, path: string): void {
  if (typeof name === 'string' && ints.has(name)) {
    fail(path, `"${FEATURES_INPUT}" or a float layer; "${name}" is an integer layer (its codes have no float form)`);
  }
}

/** An integer layer reads "features" (quantizing them) or another integer layer's codes. */
function intInput(ints: IntOutputs, name: string, path: string): IntInput {
  if (name === FEATURES_INPUT) return 'features';
  const codes = ints.get(name);
  if (codes === undefined) fail(path, `"${FEATURES_INPUT}" or an integer layer; "${name}" is a float layer`);
  return codes;
}

/** The size of the output a layer reads, or throws if it is not an earlier layer. */
function inputSize(sizes: Sizes, name: unknown, path: string): number {
  const size = typeof name === 'string' ? sizes.get(name) : undefined;
  if (size === undefined) fail(path, `"${FEATURES_INPUT}" or the name of an earlier layer`, name);
  return size;
}

function matchSize(path: string, expected: number, inputName: string, actual: number): void {
  if (expected !== actual) fail(path, `${actual}, the output size of "${inputName}"`, expected);
}

function tensorOfShape(obj: JsonObject, key: string, path: string, tensors: Map<string, TensorSpec>, shape: number[]): string {
  const name = getString(obj, key, path);
  const tensor = tensors.get(name);
  if (tensor === undefined) fail(`${path}.${key}`, 'the name of a tensor in the tensor table', name);
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    fail(`${path}.${key}`, `tensor "${name}" of shape [${shape}]; it has shape [${tensor.shape}]`);
  }
  if (isPlainInt(tensor.dtype)) {
    fail(`${path}.${key}`, `a tensor of values; "${name}" is ${tensor.dtype} (an integer array: zero points and integer layers only)`);
  }
  return name;
}

/** A layer size (in, out, hidden, channels, size): bounded so state sizes stay small integers. */
const getSize = (obj: JsonObject, key: string, at: string): number => getInt(obj, key, at, 1, LIMITS.layerSize);

function checkLayer(obj: JsonObject, path: string, sizes: Sizes, ints: IntOutputs, tensors: Map<string, TensorSpec>,
  data: Uint8Array): LayerSpec {
  const name = getString(obj, 'name', path);
  const at = `${path} ("${name}")`;
  const op = getOneOf(obj, 'op', at, OPS);
  const activation = (): Activation => getOneOf(obj, 'activation', at, ACTIVATIONS);
  const tensor = (key: string, shape: number[]): string => tensorOfShape(obj, key, at, tensors, shape);
  if (op === 'add') {
    const inputs = asArray(obj.inputs, `${at}.inputs`);
    if (inputs.length !== 2) fail(`${at}.inputs`, 'two layer names', inputs);
    const size = getSize(obj, 'size', at);
    inputs.forEach((input, i) => floatInput(ints, input, `${at}.inputs[${i}]`));
    inputs.forEach((input, i) => matchSize(`${at}.size`, size, input as string, inputSize(sizes, input, `${at}.inputs[${i}]`)));
    return { name, op, inputs: inputs as [string, string], size, activation: activation() };
  }
  const input = getString(obj, 'input', at);
  const available = inputSize(sizes, input, `${at}.input`);
  if (op === 'dense-int' || op === 'gru-int') {
    const source = intInput(ints, input, `${at}.input`);
    const inSize = getSize(obj, 'in', at);
    matchSize(`${at}.in`, inSize, input, available);
    const t = { specs: tensors, data };
    return op === 'dense-int' ? checkDenseInt(obj, at, name, input, source, inSize, getSize(obj, 'out', at), t)
      : checkGruInt(obj, at, name, input, source, inSize, getSize(obj, 'hidden', at), t);
  }
  floatInput(ints, input, `${at}.input`);
  if (op === 'dense') {
    const inSize = getSize(obj, 'in', at);
    matchSize(`${at}.in`, inSize, input, available);
    const out = getSize(obj, 'out', at);
    const layer = { name, op, input, in: inSize, out, activation: activation(),
      weight: tensor('weight', [out, inSize]), bias: tensor('bias', [out]) };
    return obj.ratioWeight === undefined ? layer : { ...layer, ratioWeight: tensor('ratioWeight', [out]) };
  }
  if (op === 'gru') {
    const inSize = getSize(obj, 'in', at);
    matchSize(`${at}.in`, inSize, input, available);
    const hidden = getSize(obj, 'hidden', at);
    return { name, op, input, in: inSize, hidden,
      weightIh: tensor('weightIh', [3 * hidden, inSize]), weightHh: tensor('weightHh', [3 * hidden, hidden]),
      biasIh: tensor('biasIh', [3 * hidden]), biasHh: tensor('biasHh', [3 * hidden]) };
  }
  const channels = getSize(obj, 'channels', at);
  matchSize(`${at}.channels`, channels, input, available);
  const kernel = getInt(obj, 'kernel', at, 1, LIMITS.dwconvKernel);
  return { name, op, input, channels, kernel, dilation: getInt(obj, 'dilation', at, 1, LIMITS.dwconvDilation), activation: activation(),
    weight: tensor('weight', [channels, kernel]), bias: tensor('bias', [channels]) };
}

/** Output size of `layer` (what a consumer's input size must equal). */
export function outputSize(layer: LayerSpec): number {
  switch (layer.op) {
    case 'dense': case 'dense-int': return layer.out;
    case 'gru': case 'gru-int': return layer.hidden;
    case 'dwconv': return layer.channels;
    case 'add': return layer.size;
  }
}

/**
 * Validates the execution list; `bins` is the feature count that "features" provides, `data` the
 * data section (integer layers' contents are checked: docs/integer.md, "Model file").
 */
export function validateLayers(value: unknown, tensors: Map<string, TensorSpec>, bins: number, data: Uint8Array): LayerSpec[] {
  const sizes: Sizes = new Map([[FEATURES_INPUT, bins]]);
  const ints: IntOutputs = new Map();
  return asList(value, 'layers', LIMITS.layers).map((item, i) => {
    const path = `layers[${i}]`;
    const layer = checkLayer(asObject(item, path), path, sizes, ints, tensors, data);
    if (sizes.has(layer.name)) fail(`${path}.name`, `a unique name other than "${FEATURES_INPUT}"`, layer.name);
    sizes.set(layer.name, outputSize(layer));
    if (isIntLayer(layer)) ints.set(layer.name, intOutput(layer));
    return layer;
  });
}
