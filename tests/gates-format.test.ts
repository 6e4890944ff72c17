/** The gate fields of the model format (docs/model-format.md, "Gate decisions and the gate ratio"). */
import type { GateSpec, LayerSpec, ModelHeader } from '../src/model/types.js';
import { writeModel } from '../src/model/write.js';
import { loadGateFixture } from './gates-fixture.js';
import { ModelFormatError } from '../src/errors.js';

const { bytes, model } = loadGateFixture();
const tensors = Object.fromEntries(model.header.tensors.map((t) => [t.name, { shape: t.shape, data: model.tensor(t.name) }]));

/** The fixture's header with `edit` applied, written again. */
function edited(edit: (header: ModelHeader) => void): Uint8Array {
  const header = structuredClone(model.header);
  edit(header);
  return writeModel(header, tensors);
}
/** Writing the edited header fails (writeModel reads its output back) with a ModelFormatError matching `fragment`. */
function rejects(edit: (header: ModelHeader) => void, fragment: RegExp): void {
  let error: unknown;
  try {
    edited(edit);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelFormatError);
  expect((error as Error).message).toMatch(fragment);
}
const gate0 = (h: ModelHeader): GateSpec => h.gates[0];
const layer = (h: ModelHeader, name: string): LayerSpec => h.layers.find((l) => l.name === name)!;

test('the TS writer reproduces the Python exporter\'s file byte for byte (key order of ratioWeight and decision)', () => {
  expect(model.header.gates[0].decision).toBe('block0.gate.logits');
  expect(layer(model.header, 'block0.gate.hidden')).toMatchObject({ ratioWeight: 'block0.gate.hidden.ratioWeight' });
  const shuffled = edited((h) => {
    h.gates = h.gates.map(({ decision, ...rest }) => ({ decision, ...rest }) as GateSpec);
  });
  expect(Buffer.from(shuffled).equals(Buffer.from(bytes))).toBe(true);
});

test('a decision layer must have the gate\'s channels, no activation, come before expand and share its exits', () => {
  rejects((h) => { gate0(h).decision = 'block0.gate.hidden'; }, /block0.*decision.*24 outputs/);
  rejects((h) => { (layer(h, 'block0.gate.logits') as { activation: string }).activation = 'relu'; }, /activation "none"/);
  rejects((h) => { gate0(h).decision = 'nope'; }, /decision/);
  rejects((h) => { gate0(h).decision = 'block1.gate.logits'; }, /a layer that runs before "block0.expand"/);
  rejects((h) => { h.gates[1].decision = h.gates[0].decision; }, /at most one gate/);
  rejects((h) => {
    h.exits.unshift({ name: 'cheap', output: 'out', layers: h.exits[0].layers.filter((n) => n !== 'block0.gate.logits' && n !== 'block0.gate.hidden') });
  }, /decision, expand, depthwise and project layers all or none/);
});

test('a ratioWeight must name a tensor of shape [out]', () => {
  const hidden = (h: ModelHeader) => layer(h, 'block0.gate.hidden') as { ratioWeight: string };
  rejects((h) => { hidden(h).ratioWeight = 'block0.gate.logits.ratioWeight'; }, /ratioWeight.*shape \[4\]/);
  rejects((h) => { hidden(h).ratioWeight = 'missing'; }, /ratioWeight: expected the name of a tensor/);
});
