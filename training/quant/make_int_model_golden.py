"""Golden vectors for the engine on an integer model (tests/int-model.test.ts): a tiny float model with
random weights (161 bins -> dense 16 relu -> gru 16 -> gru 16, two exits with relu + sigmoid heads and
a speech-presence head), exported by export_int.py at mixed widths (2...8-bit weights, 8- and 16-bit
activations, small tables), and what the whole-model integer reference (run_int_model.py) computes
for it, every exit run alone from zero state.

    python3 training/quant/make_int_model_golden.py [--out tests/fixtures/golden]

Writes int-model.thm and int-model.json: { features [frames][161], exits: [{ masks, presence }],
alternating: masks when frame t takes exit t % 2, alternatingReset: the same with skipped GRUs reset }
(floats printed in their shortest form; masks
and presence are exact f32 values).
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import reference as float_reference  # noqa: E402
import stft  # noqa: E402
import thm  # noqa: E402
from quant import spec  # noqa: E402
from quant.export_int import export_int  # noqa: E402
from quant.run_int_model import IntModel  # noqa: E402

SEED = 20261127
FRAMES = 20
HIDDEN = 16
PRE_RANGE = 16.0  # pre-activation scales R / (2^(P-1) - 1), as the contract's calibration rule

DENSE = {  # name: (input, in, out, activation)
    'fc_in': ('features', stft.BINS, HIDDEN, 'relu'),
    'presence.out': ('gru1', HIDDEN, 1, 'sigmoid'),
    'exit0.anc': ('gru1', HIDDEN, HIDDEN, 'relu'),
    'exit0.mask': ('exit0.anc', HIDDEN, stft.BINS, 'sigmoid'),
    'exit1.anc': ('gru2', HIDDEN, HIDDEN, 'relu'),
    'exit1.mask': ('exit1.anc', HIDDEN, stft.BINS, 'sigmoid'),
}
ORDER = ['fc_in', 'gru1', 'presence.out', 'exit0.anc', 'exit0.mask', 'gru2', 'exit1.anc', 'exit1.mask']
EXITS = [
    ('exit0', 'exit0.mask', ['fc_in', 'gru1', 'presence.out', 'exit0.anc', 'exit0.mask']),
    ('exit1', 'exit1.mask', ['fc_in', 'gru1', 'presence.out', 'gru2', 'exit1.anc', 'exit1.mask']),
]
BITS = {
    'features': 16,
    'layers': {
        'fc_in': {'w': 4, 'bias': 32, 'out': 8},
        'gru1': {'ir': 5, 'iz': 4, 'in': 6, 'hr': 8, 'hz': 3, 'hn': 7, 'bias': 32,
                 'pre': {'r': 12, 'z': 16, 'n': 10}, 'table': {'r': 8, 'z': 10, 'n': 10}, 'r': 8, 'z': 12, 'n': 10, 'h': 16},
        'presence.out': {'w': 8, 'bias': 32, 'out': 8, 'pre': 8, 'table': 6},
        'exit0.anc': {'w': 3, 'bias': 32, 'out': 16},
        'exit0.mask': {'w': 8, 'bias': 32, 'out': 8, 'pre': 16, 'table': 10},
        'gru2': {'ir': 8, 'iz': 8, 'in': 8, 'hr': 6, 'hz': 6, 'hn': 2, 'bias': 24,
                 'pre': {'r': 16, 'z': 16, 'n': 16}, 'table': {'r': 12, 'z': 6, 'n': 12}, 'r': 16, 'z': 8, 'n': 16, 'h': 8},
        'exit1.anc': {'w': 2, 'bias': 32, 'out': 8},
        'exit1.mask': {'w': 6, 'bias': 16, 'out': 16, 'pre': 12, 'table': 12},
    },
}


def float_model(rng) -> tuple[dict, dict]:
    """The float header (without tensors) and tensors of the tiny model."""
    layers, tensors = [], {}
    for name in ORDER:
        if name.startswith('gru'):
            inp = 'fc_in' if name == 'gru1' else 'gru1'
            k = 1.5 / np.sqrt(HIDDEN)
            for key, shape in (('weightIh', (3 * HIDDEN, HIDDEN)), ('weightHh', (3 * HIDDEN, HIDDEN)),
                               ('biasIh', (3 * HIDDEN,)), ('biasHh', (3 * HIDDEN,))):
                tensors[f'{name}.{key}'] = rng.uniform(-k, k, shape).astype(np.float32)
            layers.append({'name': name, 'op': 'gru', 'input': inp, 'in': HIDDEN, 'hidden': HIDDEN,
                           **{key: f'{name}.{key}' for key in ('weightIh', 'weightHh', 'biasIh', 'biasHh')}})
            continue
        inp, n_in, n_out, act = DENSE[name]
        gain = 0.3 if name == 'fc_in' else 1.5
        tensors[f'{name}.weight'] = (rng.standard_normal((n_out, n_in)) * gain / np.sqrt(n_in)).astype(np.float32)
        tensors[f'{name}.bias'] = (rng.standard_normal(n_out) * 0.3).astype(np.float32)
        layers.append({'name': name, 'op': 'dense', 'input': inp, 'in': n_in, 'out': n_out, 'activation': act,
                       'weight': f'{name}.weight', 'bias': f'{name}.bias'})
    header = {
        'format': 'tinyhush-model', 'version': 1, 'name': 'int-model-float', 'description': 'golden float model (random)',
        'architecture': 'gru-mask', 'sampleRate': 16000,
        'stft': {'window': 'sqrt-hann', 'windowLength': stft.WIN, 'hop': stft.HOP, 'fftSize': stft.WIN},
        'features': {'type': 'log10-power', 'epsilon': stft.EPS, 'bins': stft.BINS},
        'layers': layers, 'exits': [{'name': n, 'output': o, 'layers': l} for n, o, l in EXITS], 'gates': [],
        'skippedState': 'hold', 'provenance': {'script': 'training/quant/make_int_model_golden.py', 'seed': SEED},
        'speechPresence': {'output': 'presence.out'},
    }
    return header, tensors


def features(rng) -> np.ndarray:
    """Log-power-like frames, with an all-zero frame and frames far outside the calibrated range."""
    x = (rng.standard_normal((FRAMES, stft.BINS)) * 2.5 - 3.0).astype(np.float32)
    x[4] = 0
    x[9] = 1e6
    x[10, ::2] = -3e4
    x[15] = 3e38
    return x


def calibrated_scales(header: dict, tensors: dict, x: np.ndarray) -> dict:
    """Peak-based activation scales (features: ordinary frames only, so the extreme ones saturate)."""
    interp = float_reference.Interpreter(header, tensors)
    peaks = {}
    for frame in torch.as_tensor(x[:4]):
        out = {'features': frame}
        for layer in header['layers']:
            out[layer['name']] = y = interp._run(layer, out)
            peaks[layer['name']] = max(peaks.get(layer['name'], 0.0), float(y.abs().max()))
    layers = {}
    for layer in header['layers']:
        name, b = layer['name'], BITS['layers'][layer['name']]
        if layer['op'] == 'gru':
            layers[name] = {'pre': {g: PRE_RANGE / spec.code_max(b['pre'][g]) for g in 'rzn'}}
        elif layer['activation'] in ('sigmoid', 'tanh'):
            layers[name] = {'pre': PRE_RANGE / spec.code_max(b['pre'])}
        else:
            layers[name] = {'out': peaks[name] / spec.code_max(b['out'])}
    return {'features': float(np.abs(x[:4]).max()) / spec.code_max(BITS['features']), 'layers': layers}


def golden_runs(path: Path, x: np.ndarray) -> dict:
    """What the integer reference computes for the model file at `path` on frames `x`: the JSON fields
    of int-model.json (every exit alone from zero state; exits alternating, with held and reset GRUs)."""
    model = IntModel(path)
    exits = []
    for e in range(len(EXITS)):
        model.reset()
        masks, presence = [], []
        for frame in x:
            masks.append(model.step(frame, e).tolist())
            presence.append(float(model.float_output('presence.out')[0]))
        exits.append({'masks': masks, 'presence': presence})
    model.reset()  # frame t takes exit t % 2: gru2 holds its state through the exit-0 frames
    alternating = [model.step(frame, t % 2).tolist() for t, frame in enumerate(x)]
    model.reset()  # the same with "skippedState": "reset": a GRU that sat out the previous frame starts from zero
    alternating_reset, ran = [], set()
    for t, frame in enumerate(x):
        model.state = {name: h if name in ran else np.zeros_like(h) for name, h in model.state.items()}
        alternating_reset.append(model.step(frame, t % 2).tolist())
        ran = set(EXITS[t % 2][2])
    return {'features': [[float(v) for v in frame] for frame in x], 'exits': exits, 'alternating': alternating,
            'alternatingReset': alternating_reset}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', type=Path, default=Path('tests/fixtures/golden'))
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    header, tensors = float_model(rng)
    x = features(rng)
    int_header, int_tensors = export_int(header, tensors, BITS, calibrated_scales(header, tensors, x),
                                         'int-model', 'golden integer model (random weights, mixed widths)')
    path = args.out / 'int-model.thm'
    thm.write_model(path, int_header, int_tensors)
    golden = golden_runs(path, x)
    (args.out / 'int-model.json').write_text(json.dumps(golden, separators=(',', ':')) + '\n')
    print(f'{path}: {path.stat().st_size} bytes; {FRAMES} frames, {len(EXITS)} exits')


if __name__ == '__main__':
    main()
