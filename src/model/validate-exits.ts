/**
 * Checks `exits` (each a complete, ordered layer list ending in a sigmoid mask of `bins` values,
 * cheapest first, together covering every layer) and `gates` (expand → depthwise → project chains).
 */
import { asList, asObject, fail, getInt, getString, type JsonObject } from './fields.js';
import { LIMITS } from './limits.js';
import { layerMacs } from './macs.js';
import { FEATURES_INPUT, outputSize } from './validate-layers.js';
import type { ExitSpec, GateSpec, LayerSpec } from './types.js';

function inputsOf(layer: LayerSpec): string[] {
  return (layer.op === 'add' ? layer.inputs : [layer.input]).filter((name) => name !== FEATURES_INPUT);
}

function checkMaskLayer(layer: LayerSpec, path: string, bins: number): void {
  if (outputSize(layer) !== bins) {
    fail(path, `a layer producing features.bins = ${bins} values; "${layer.name}" produces ${outputSize(layer)}`);
  }
  if (layer.op === 'gru' || layer.op === 'gru-int' || layer.activation !== 'sigmoid') {
    const actual = layer.op === 'gru' || layer.op === 'gru-int' ? `a ${layer.op}` : `"${layer.activation}"`;
    fail(path, `a layer with activation "sigmoid" (a mask in [0, 1]); "${layer.name}" is ${actual}`);
  }
}

function checkExit(value: unknown, path: string, layers: LayerSpec[], bins: number): ExitSpec {
  const obj = asObject(value, path);
  const name = getString(obj, 'name', path);
  const at = `${path} ("${name}")`;
  const index = new Map(layers.map((layer, i) => [layer.name, i]));
  const output = getString(obj, 'output', at);
  if (!index.has(output)) fail(`${at}.output`, 'the name of a layer', output);
  checkMaskLayer(layers[index.get(output)!], `${at}.output`, bins);
  const names = asList(obj.layers, `${at}.layers`, LIMITS.layers).map((n, i) => {
    if (typeof n !== 'string' || !index.has(n)) fail(`${at}.layers[${i}]`, 'the name of a layer', n);
    return n;
  });
  names.forEach((n, i) => {
    if (i > 0 && index.get(n)! <= index.get(names[i - 1])!) {
      fail(`${at}.layers`, `layers in execution order without repeats, but "${n}" comes after "${names[i - 1]}"`);
    }
  });
  const listed = new Set(names);
  if (!listed.has(output)) fail(`${at}.layers`, `to include the output layer "${output}"`);
  for (const n of names) {
    const missing = inputsOf(layers[index.get(n)!]).find((input) => !listed.has(input));
    if (missing !== undefined) fail(`${at}.layers`, `every layer that "${n}" depends on, but "${missing}" is missing`);
  }
  return { name, output, layers: names };
}

/** Validates the exits: complete, ordered, cheapest first, and covering every layer. */
export function validateExits(value: unknown, layers: LayerSpec[], bins: number): ExitSpec[] {
  const exits = asList(value, 'exits', LIMITS.exits).map((e, i) => checkExit(e, `exits[${i}]`, layers, bins));
  if (exits.length === 0) fail('exits', 'at least one exit');
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const cost = (exit: ExitSpec): number => exit.layers.reduce((sum, n) => sum + layerMacs(byName.get(n)!), 0);
  exits.forEach((exit, i) => {
    if (exits.findIndex((other) => other.name === exit.name) !== i) fail(`exits[${i}].name`, 'a unique exit name', exit.name);
    if (i > 0 && cost(exit) < cost(exits[i - 1])) {
      fail('exits', `cheapest first, but "${exit.name}" (${cost(exit)} MACs) follows "${exits[i - 1].name}" (${cost(exits[i - 1])} MACs)`);
    }
  });
  const used = new Set(exits.flatMap((exit) => exit.layers));
  const unused = layers.find((layer) => !used.has(layer.name));
  if (unused !== undefined) fail('exits', `every layer to belong to some exit, but "${unused.name}" belongs to none`);
  return exits;
}

function checkGate(value: unknown, path: string, layers: LayerSpec[], exits: ExitSpec[]): GateSpec {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const obj = asObject(value, path);
  const name = getString(obj, 'name', path);
  const at = `${path} ("${name}")`;
  const channels = getInt(obj, 'channels', at, 1, LIMITS.layerSize);
  const layerOf = <Op extends LayerSpec['op']>(key: string, op: Op): Extract<LayerSpec, { op: Op }> => {
    const layerName = getString(obj, key, at);
    const layer = byName.get(layerName);
    if (layer?.op !== op) fail(`${at}.${key}`, `the name of a ${op} layer`, layerName);
    return layer as Extract<LayerSpec, { op: Op }>;
  };
  const expand = layerOf('expand', 'dense');
  const depthwise = layerOf('depthwise', 'dwconv');
  const project = layerOf('project', 'dense');
  if (expand.out !== channels) fail(`${at}.expand`, `a dense layer with out = channels = ${channels}`, expand.out);
  if (depthwise.channels !== channels || depthwise.input !== expand.name) {
    fail(`${at}.depthwise`, `a dwconv of ${channels} channels reading "${expand.name}"; ` +
      `"${depthwise.name}" has ${depthwise.channels} reading "${depthwise.input}"`);
  }
  if (project.in !== channels || project.input !== depthwise.name) {
    fail(`${at}.project`, `a dense layer with in = ${channels} reading "${depthwise.name}"; ` +
      `"${project.name}" has in = ${project.in} reading "${project.input}"`);
  }
  const gate: GateSpec = { name, channels, expand: expand.name, depthwise: depthwise.name, project: project.name };
  return obj.decision === undefined ? gate : { ...gate, decision: checkDecision(obj, at, gate, layers, exits) };
}

/**
 * A gate's `decision`: a layer before `expand` with `channels` outputs and no activation (channel c
 * runs iff output c > 0), run by exactly the exits that run the gate's layers.
 */
function checkDecision(obj: JsonObject, at: string, gate: GateSpec, layers: LayerSpec[], exits: ExitSpec[]): string {
  const name = getString(obj, 'decision', at);
  const index = layers.findIndex((layer) => layer.name === name);
  const layer = layers[index];
  // A float layer: the decision step reads its output as f32.
  const float = layer?.op === 'dense' || layer?.op === 'dwconv' || layer?.op === 'add';
  if (!float || layer.activation !== 'none' || outputSize(layer) !== gate.channels) {
    fail(`${at}.decision`, `the name of a float layer (dense, dwconv or add) with ${gate.channels} outputs and activation "none"`, name);
  }
  if (index > layers.findIndex((l) => l.name === gate.expand)) {
    fail(`${at}.decision`, `a layer that runs before "${gate.expand}"`, name);
  }
  for (const exit of exits) {
    const listed = [name, gate.expand, gate.depthwise, gate.project].map((n) => exit.layers.includes(n));
    if (listed.some((x) => x !== listed[0])) {
      fail(`exits ("${exit.name}")`, `to list the gate "${gate.name}"'s decision, expand, depthwise and project layers all or none`);
    }
  }
  return name;
}

/** Validates the channel-gating points (empty for models without gates) against the layers and exits. */
export function validateGates(value: unknown, layers: LayerSpec[], exits: ExitSpec[]): GateSpec[] {
  const gates = asList(value, 'gates', LIMITS.layers).map((g, i) => checkGate(g, `gates[${i}]`, layers, exits));
  const gated = new Set<string>();
  gates.forEach((gate, i) => {
    if (gates.findIndex((other) => other.name === gate.name) !== i) fail(`gates[${i}].name`, 'a unique gate name', gate.name);
    for (const layer of [gate.expand, gate.depthwise, gate.project, ...(gate.decision === undefined ? [] : [gate.decision])]) {
      if (gated.has(layer)) fail(`gates[${i}]`, `each layer in at most one gate, but "${layer}" is in two`);
      gated.add(layer);
    }
  });
  return gates;
}
