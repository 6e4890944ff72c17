"""A float model file's layers through the fake-quant layers of fake.py at a bit configuration and
activation scales given as JSON (the contract of `tinyhush quantize` and export_int.py), so that what
trains is what export_int.py writes: every layer reads its producer's codes at the producer's output
bits and scale, exactly as export_int.py wires them.
"""
import numpy as np
import torch
from torch import nn

from . import fake
from .convert import pow2_scale
from .export_int import FEATURES


class FakeQuantModel(nn.Module):
    """Fake-quant layers around the modules of `model` named by `header`'s dense and gru layers
    (`model.get_submodule(name)`); forward(features [B, T, bins]) -> the gains [B, T, bins] of every exit
    in `header['exits']`, in that order."""

    def __init__(self, model: nn.Module, header: dict, bits: dict, scales: dict):
        super().__init__()
        self.layer_specs = header['layers']
        self.exit_outputs = [e['output'] for e in header['exits']]
        self.feature_bits = int(bits[FEATURES])
        self.feature_scale = float(np.float32(scales[FEATURES]))
        produced = {FEATURES: (self.feature_bits, self.feature_scale)}
        self.fake = nn.ModuleDict()
        self.out_bits = {}
        for layer in self.layer_specs:
            name, b = layer['name'], bits['layers'][layer['name']]
            s = scales['layers'].get(name, {})
            in_bits, in_scale = produced[layer['input']]
            module = model.get_submodule(name)
            if layer['op'] == 'gru':
                pre = {g: float(v) for g, v in s['pre'].items()}
                self.fake[self._key(name)] = fake.FakeGRU(module, b, in_bits, in_scale, pre)
                produced[name] = (b['h'], pow2_scale(b['h']))
            elif layer['op'] == 'dense':
                act = layer['activation']
                tabled = act in ('sigmoid', 'tanh')
                self.fake[self._key(name)] = fake.FakeDense(
                    module, act, b, in_bits, in_scale, out_scale=None if tabled else float(s['out']),
                    pre_scale=float(s['pre']) if tabled else None)
                produced[name] = (b['out'], pow2_scale(b['out']) if tabled else float(s['out']))
            else:
                raise ValueError(f'layer {name}: op {layer["op"]!r} has no fake-quant form (dense and gru only)')
            self.out_bits[name] = produced[name][0]

    @staticmethod
    def _key(name: str) -> str:
        return name.replace('.', '/')  # ModuleDict keys may not hold dots

    def forward(self, features: torch.Tensor) -> list:
        codes = {FEATURES: fake.to_codes(features, self.feature_scale, self.feature_bits)}
        for layer in self.layer_specs:
            codes[layer['name']] = self.fake[self._key(layer['name'])](codes[layer['input']])
        return [codes[o] * 2.0 ** -(self.out_bits[o] - 1) for o in self.exit_outputs]
