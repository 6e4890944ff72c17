"""Whole-model integer reference: runs an integer model file (dense-int / gru-int layers) frame by
frame with reference.py's integer arithmetic, as the engine does (docs/integer.md, "Engine
integration"): a layer reading "features" quantizes them (spec.quantize_input), every layer in
between is integer-only, and the exit's mask codes become f32 gains (spec.dequantize_mask).
Only the chosen exit's layers run; the others keep their state ("skippedState": "hold").

    python3 training/quant/run_int_model.py MODEL.thm FEATURES.npy    # prints each exit's mask range
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
from quant import reference, spec  # noqa: E402

GATES = ('ir', 'iz', 'in', 'hr', 'hz', 'hn')


def _dense(layer: dict, t: dict) -> dict:
    q = layer['quant']
    out = dict(W=t[layer['weight']], bias=t[layer['bias']], m=t[layer['multiplier']], s=t[layer['shift']],
               act=layer['activation'], out_bits=q['outputBits'])
    if layer['table'] is not None:
        out |= dict(pre_bits=q['preBits'], table_bits=q['tableBits'], table=t[layer['table']])
    return out


def _gru(layer: dict, t: dict) -> dict:
    q = layer['quant']
    return dict(W={g: t[layer['weights'][g]] for g in GATES}, bias_ih=t[layer['biasIh']], bias_hh=t[layer['biasHh']],
                m=t[layer['multiplier']], s=t[layer['shift']], pre_bits=q['preBits'], table_bits=q['tableBits'],
                tables={g: t[name] for g, name in layer['tables'].items()}, bits=q['bits'])


def _output_bits(layer: dict) -> int:
    return layer['quant']['bits']['h'] if layer['op'] == 'gru-int' else layer['quant']['outputBits']


class IntModel:
    """An integer model file's layers as reference.py dicts, plus per-stream GRU states."""

    def __init__(self, path):
        self.header, tensors = thm.read_model(path, int_codes=True)
        self.params = {}
        for layer in self.header['layers']:
            if layer['op'] not in ('dense-int', 'gru-int'):
                raise ValueError(f'layer {layer["name"]}: op {layer["op"]!r}; this reference runs dense-int and gru-int only')
            self.params[layer['name']] = (_dense if layer['op'] == 'dense-int' else _gru)(layer, tensors)
        self.reset()
        self.codes = {}

    def reset(self) -> None:
        """Zero state, as at stream start."""
        self.state = {l['name']: np.zeros(l['hidden'], dtype=np.int64)
                      for l in self.header['layers'] if l['op'] == 'gru-int'}

    def step(self, features, exit_index: int) -> np.ndarray:
        """features [bins] float32 -> the exit's mask [bins] float32."""
        exit_ = self.header['exits'][exit_index]
        wanted = set(exit_['layers'])
        codes = {}
        for layer in self.header['layers']:
            name = layer['name']
            if name not in wanted:
                continue
            if layer['input'] == 'features':
                q = layer['quant']
                x = spec.quantize_input(features, np.float32(q['invInputScale']), q['inputBits'])
            else:
                x = codes[layer['input']]
            if layer['op'] == 'dense-int':
                codes[name] = reference.dense(self.params[name], x)
            else:
                self.state[name] = codes[name] = reference.gru_step(self.params[name], self.state[name], x)
        self.codes = codes
        return self.float_output(exit_['output'])

    def float_output(self, name: str) -> np.ndarray:
        """Layer `name`'s last codes as f32 gains (a sigmoid layer: exit masks, speech presence)."""
        layer = next(l for l in self.header['layers'] if l['name'] == name)
        return spec.dequantize_mask(self.codes[name], _output_bits(layer))


def run_model(path, features) -> list[np.ndarray]:
    """Masks [T, bins] float32 of every exit, each exit run alone from zero state over features [T, bins]."""
    model = IntModel(path)
    masks = []
    for e in range(len(model.header['exits'])):
        model.reset()
        masks.append(np.stack([model.step(np.asarray(f, dtype=np.float32), e) for f in features]))
    return masks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('model', type=Path)
    parser.add_argument('features', type=Path, help='.npy of float32 [frames, bins]')
    args = parser.parse_args()
    for e, mask in enumerate(run_model(args.model, np.load(args.features))):
        print(f'exit {e}: {mask.shape[0]} frames, mask {mask.min():.4f}…{mask.max():.4f}')


if __name__ == '__main__':
    main()
