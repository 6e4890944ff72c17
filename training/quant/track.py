"""How closely the fake-quantized float layers (fake.py) track the integer reference (reference.py):
max difference in output LSBs over random layers at the golden configurations.

    python3 training/quant/track.py
"""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quant import convert, fake, reference, spec  # noqa: E402
from quant.make_int_golden import DENSE_CASES, GRU_CASES  # noqa: E402

TRIALS = 20


def dense_gap(rng, rows, cols, act, bits, in_bits):
    w, b = rng.standard_normal((rows, cols)) / np.sqrt(cols) * 2, rng.standard_normal(rows) * 0.5
    in_scale = 3.0 / spec.code_max(in_bits)
    x = spec.sat(spec.round_half_up(rng.standard_normal(cols) / in_scale), in_bits)
    peak = float(np.abs(w @ (x * in_scale) + b).max())
    tabled = act in ('sigmoid', 'tanh')
    scale = 0.8 * peak / spec.code_max(bits['pre' if tabled else 'out'])
    kw = dict(pre_scale=scale) if tabled else dict(out_scale=scale)
    layer = convert.dense_layer(w, b, act, bits, in_bits, in_scale, **kw)
    lin = torch.nn.Linear(cols, rows).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(w))
        lin.bias.copy_(torch.from_numpy(b))
        y = fake.FakeDense(lin, act, bits, in_bits, in_scale, **kw)(torch.from_numpy(x.astype(np.float64)))
    return np.abs(y.numpy() - reference.dense(layer, x)).max()


def gru_gap(rng, inp, hidden, steps, bits, in_bits):
    k = 2.5 / np.sqrt(hidden)
    gru = torch.nn.GRU(inp, hidden, batch_first=True).double()
    with torch.no_grad():
        for p in gru.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-k, k, tuple(p.shape))))
    in_scale = 3.0 / spec.code_max(in_bits)
    xs = spec.sat(spec.round_half_up(rng.standard_normal((steps, inp)) * 1.2 / in_scale), in_bits)
    pre = {g: (6.0 if g != 'n' else 3.0) / spec.code_max(bits['pre'][g]) for g in 'rzn'}
    layer = convert.gru_layer(*(p.detach().numpy() for p in gru.parameters()), bits, in_bits, in_scale, pre)
    with torch.no_grad():
        hs = fake.FakeGRU(gru, bits, in_bits, in_scale, pre)(torch.from_numpy(xs[None].astype(np.float64)))[0]
    return np.abs(hs.numpy() - reference.gru_sequence(layer, xs)).max()


def main():
    rng = np.random.default_rng(1)
    for name, *case in DENSE_CASES:
        print(f'dense {name}: max |fake - integer| = {max(dense_gap(rng, *case) for _ in range(TRIALS)):g} LSB')
    for name, *case in GRU_CASES:
        print(f'gru {name}: max |fake - integer| = {max(gru_gap(rng, *case) for _ in range(TRIALS)):g} LSB')


if __name__ == '__main__':
    main()
