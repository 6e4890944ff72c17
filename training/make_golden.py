"""Golden vectors for the engine tests: small random-weight models of each architecture and what
training/reference.py computes for them.

    python3 training/make_golden.py [--out tests/fixtures/golden]

Writes <kind>.thm and <kind>.json for kind = gru (gru-mask, 3 exits) and conv (conv-mask, 2 gated
residual blocks, plus a gated run). JSON: { input, hop, exits: [{ masks, enhanced }], macsPerFrame,
gated?: { gateMasks, masks, enhanced, macsPerFrame } } (gated.macsPerFrame counts only the channels
that run); every sample and mask value is a float32 printed in its shortest form.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

import reference
import stft
import thm

SEED = 20260501
SECONDS = 0.4                 # 40 frames: long enough for the recurrences, small files
RATE = 16000
COMMON = {
    'format': 'tinyhush-model', 'version': 1,
    'sampleRate': RATE,
    'stft': {'window': 'sqrt-hann', 'windowLength': stft.WIN, 'hop': stft.HOP, 'fftSize': stft.WIN},
    'features': {'type': 'log10-power', 'epsilon': stft.EPS, 'bins': stft.BINS},
}


def test_input(rng: np.random.Generator) -> np.ndarray:
    """0.4 s of two gliding, amplitude-modulated tones plus white noise, about −24 dBFS."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    tones = 0.05 * np.sin(2 * np.pi * (220 * t + 150 * t ** 2)) * (1 + 0.8 * np.sin(2 * np.pi * 3 * t))
    tones += 0.03 * np.sin(2 * np.pi * 1800 * t) * (t > 0.2)
    return (tones + 0.02 * rng.standard_normal(t.size)).astype(np.float32)


class Builder:
    """Collects layers and their random tensors; weights ~ N(0, gain²/fan_in) keep activations unsaturated."""

    def __init__(self, rng: np.random.Generator, features: np.ndarray):
        self.rng, self.features = rng, features
        self.layers, self.tensors = [], {}

    def _tensor(self, name: str, value: np.ndarray) -> str:
        self.tensors[name] = value.astype(np.float32)
        return name

    def dense(self, name, input_, n_in, n_out, activation, gain=1.0, centre_features=False):
        w = self.rng.standard_normal((n_out, n_in)) * gain / np.sqrt(n_in)
        b = 0.1 * self.rng.standard_normal(n_out)
        if centre_features:            # what a folded input normalisation does: zero-mean pre-activations
            b -= w @ self.features.mean(0)
        self.layers.append({'name': name, 'op': 'dense', 'input': input_, 'in': n_in, 'out': n_out,
                            'activation': activation, 'weight': self._tensor(f'{name}.weight', w),
                            'bias': self._tensor(f'{name}.bias', b)})

    def gru(self, name, input_, n_in, hidden, gain=1.5):
        t = {k: self._tensor(f'{name}.{k}', v) for k, v in {
            'weight_ih': self.rng.standard_normal((3 * hidden, n_in)) * gain / np.sqrt(n_in),
            'weight_hh': self.rng.standard_normal((3 * hidden, hidden)) * gain / np.sqrt(hidden),
            'bias_ih': 0.1 * self.rng.standard_normal(3 * hidden),
            'bias_hh': 0.1 * self.rng.standard_normal(3 * hidden)}.items()}
        self.layers.append({'name': name, 'op': 'gru', 'input': input_, 'in': n_in, 'hidden': hidden,
                            'weightIh': t['weight_ih'], 'weightHh': t['weight_hh'],
                            'biasIh': t['bias_ih'], 'biasHh': t['bias_hh']})

    def dwconv(self, name, input_, channels, kernel, dilation, activation):
        w = self.rng.standard_normal((channels, kernel)) / np.sqrt(kernel)
        b = 0.1 * self.rng.standard_normal(channels)
        self.layers.append({'name': name, 'op': 'dwconv', 'input': input_, 'channels': channels,
                            'kernel': kernel, 'dilation': dilation, 'activation': activation,
                            'weight': self._tensor(f'{name}.weight', w), 'bias': self._tensor(f'{name}.bias', b)})

    def add(self, name, a, b, size, activation='none'):
        self.layers.append({'name': name, 'op': 'add', 'inputs': [a, b], 'size': size, 'activation': activation})


def gru_model(b: Builder) -> dict:
    """fc_in → gru1 → [exit0 head] → gru2 → [exit1 head] → fc1 → fc_out: three exits."""
    b.dense('fc_in', 'features', stft.BINS, 24, 'relu', gain=2.0, centre_features=True)
    b.gru('gru1', 'fc_in', 24, 24)
    b.dense('exit0.anc', 'gru1', 24, 16, 'relu', gain=2.0)
    b.dense('exit0.mask', 'exit0.anc', 16, stft.BINS, 'sigmoid', gain=3.0)
    b.gru('gru2', 'gru1', 24, 32)
    b.dense('exit1.anc', 'gru2', 32, 16, 'relu', gain=2.0)
    b.dense('exit1.mask', 'exit1.anc', 16, stft.BINS, 'sigmoid', gain=3.0)
    b.dense('fc1', 'gru2', 32, 32, 'relu', gain=2.0)
    b.dense('fc_out', 'fc1', 32, stft.BINS, 'sigmoid', gain=2.0)
    trunk = ['fc_in', 'gru1']
    exits = [{'name': 'exit0', 'output': 'exit0.mask', 'layers': trunk + ['exit0.anc', 'exit0.mask']},
             {'name': 'exit1', 'output': 'exit1.mask', 'layers': trunk + ['gru2', 'exit1.anc', 'exit1.mask']},
             {'name': 'full', 'output': 'fc_out', 'layers': trunk + ['gru2', 'fc1', 'fc_out']}]
    return {'name': 'golden-gru', 'description': 'Random-weight gru-mask model for the engine golden test.',
            'architecture': 'gru-mask', 'exits': exits}


def conv_model(b: Builder) -> dict:
    """in → 2 residual blocks (expand → causal dilated dwconv → project, + skip) → out: one exit, two gates."""
    b.dense('in', 'features', stft.BINS, 16, 'relu', gain=2.0, centre_features=True)
    gates, previous = [], 'in'
    for i, dilation in enumerate((1, 2)):
        p = f'block{i}'
        b.dense(f'{p}.expand', previous, 16, 32, 'relu', gain=2.0)
        b.dwconv(f'{p}.dw', f'{p}.expand', 32, 3, dilation, 'relu')
        b.dense(f'{p}.project', f'{p}.dw', 32, 16, 'none', gain=1.5)
        b.add(f'{p}.add', previous, f'{p}.project', 16)
        gates.append({'name': p, 'channels': 32, 'expand': f'{p}.expand', 'depthwise': f'{p}.dw',
                      'project': f'{p}.project'})
        previous = f'{p}.add'
    b.dense('out', previous, 16, stft.BINS, 'sigmoid', gain=1.0)
    exits = [{'name': 'full', 'output': 'out', 'layers': [layer['name'] for layer in b.layers]}]
    return {'name': 'golden-conv', 'description': 'Random-weight conv-mask model for the engine golden test.',
            'architecture': 'conv-mask', 'exits': exits, 'gates': gates}


def header_of(spec: dict, b: Builder) -> dict:
    """Header keys in the order docs/model-format.md gives (the writer adds the tensor table)."""
    h = {k: COMMON[k] for k in ('format', 'version')}
    h.update(name=spec['name'], description=spec['description'], architecture=spec['architecture'],
             sampleRate=COMMON['sampleRate'], stft=COMMON['stft'], features=COMMON['features'],
             layers=b.layers, exits=spec['exits'], gates=spec.get('gates', []))
    h['skippedState'] = 'hold'
    h['provenance'] = {'generator': 'training/make_golden.py', 'seed': SEED, 'weights': 'random'}
    return h


def f32_list(a: np.ndarray):
    """Nested lists of float32 values in their shortest decimal form (JS parses them back exactly)."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim > 1:
        return [f32_list(row) for row in a]
    return [float(np.format_float_positional(v, unique=True, trim='-')) if v != 0 else 0.0 for v in a]


def run(header, tensors, x, gate_masks=None) -> list:
    return [dict(zip(('masks', 'enhanced'), map(f32_list, reference.enhance(header, tensors, x, i, gate_masks))))
            for i in range(len(header['exits']))]


def write_case(out: Path, kind: str, spec_fn, rng, x, gate_masks=None):
    _, feats = reference.features(torch.as_tensor(x))
    b = Builder(rng, feats.numpy())
    spec = spec_fn(b)
    path = out / f'{kind}.thm'
    thm.write_model(path, header_of(spec, b), b.tensors)
    header, tensors = thm.read_model(path)           # golden values come from the file as written
    doc = {'input': f32_list(x), 'hop': stft.HOP, 'exits': run(header, tensors, x),
           'macsPerFrame': [reference.macs_per_frame(header, i) for i in range(len(header['exits']))]}
    if gate_masks is not None:
        gated = run(header, tensors, x, gate_masks)[0]
        doc['gated'] = {'gateMasks': [list(map(int, m)) for m in gate_masks], **gated,
                        'macsPerFrame': reference.macs_per_frame(header, 0, gate_masks)}
    (out / f'{kind}.json').write_text(json.dumps(doc, separators=(',', ':')) + '\n')
    spread = np.asarray([m for e in doc['exits'] for m in e['masks']])
    print(f'{kind}: {path.stat().st_size} B model, masks mean {spread.mean():.3f} std {spread.std():.3f}, '
          f'{((spread > 0.05) & (spread < 0.95)).mean():.0%} in (0.05, 0.95), macs/frame {doc["macsPerFrame"]}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='tests/fixtures/golden')
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    x = test_input(rng)
    write_case(out, 'gru', gru_model, rng, x)
    # block0: every other channel off; block1: the first eight off
    gate_masks = [np.arange(32) % 2 == 0, np.arange(32) >= 8]
    write_case(out, 'conv', conv_model, rng, x, gate_masks)


if __name__ == '__main__':
    main()
