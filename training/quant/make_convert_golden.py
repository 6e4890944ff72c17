"""Golden vectors for the TypeScript converter (src/quant/convert.ts, tests/quant-convert.test.ts):
small random float32 dense and GRU layers, their input and activation scales and bit configurations,
and what convert.py makes of them (weight codes and per-row scales, fitted bias codes, multipliers,
shifts, tables).

    python3 training/quant/make_convert_golden.py [--out tests/fixtures/golden/int-convert.json]

Cases cover sub-8-bit weights, 8- and 16-bit activations, sigmoid and tanh tables of several sizes,
narrow biases that saturate, biases so large that the accumulator bound clips them, an all-zero row
(scale 1) and an output scale so large that the multiplier underflows to (0, 1).
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quant import convert, spec  # noqa: E402

SEED = 20261128

DENSE_CASES = [  # (name, rows, cols, act, bits, in_bits, bias_size, scale_factor)
    ('w8-a16-relu', 24, 161, 'relu', dict(w=8, bias=32, out=16), 16, 0.5, 1.0),
    ('w4-a8-none', 19, 40, 'none', dict(w=4, bias=32, out=8), 8, 0.5, 0.7),
    ('w2-a8-sigmoid-p16-k10', 23, 33, 'sigmoid', dict(w=2, bias=32, out=8, pre=16, table=10), 8, 0.5, 1.0),
    ('w3-a16-tanh-p12-k12', 9, 17, 'tanh', dict(w=3, bias=32, out=16, pre=12, table=12), 16, 0.5, 1.0),
    ('w8-a16-sigmoid-p16-k12', 12, 20, 'sigmoid', dict(w=8, bias=32, out=16, pre=16, table=12), 16, 0.5, 1.0),
    ('w8-a16-relu-fit', 16, 320, 'relu', dict(w=8, bias=32, out=16), 16, 400.0, 1.0),
    ('w5-a16-none-b12', 14, 64, 'none', dict(w=5, bias=12, out=16), 16, 3.0, 1.0),
    ('w6-a8-relu-zero-row', 8, 12, 'relu', dict(w=6, bias=32, out=8), 8, 0.5, 1.0),
    ('w7-a16-none-underflow', 6, 10, 'none', dict(w=7, bias=32, out=16), 16, 0.5, 1e12),
]
GRU_CASES = [  # (name, in, hidden, bits, in_bits, bias_size)
    ('w8-a8', 20, 16, dict(ir=8, iz=8, **{'in': 8}, hr=8, hz=8, hn=8, bias=32,
                           pre=dict(r=16, z=16, n=16), table=dict(r=10, z=10, n=10), r=8, z=8, n=8, h=8), 8, 1.0),
    ('mixed-a16', 24, 12, dict(ir=4, iz=3, **{'in': 8}, hr=2, hz=5, hn=6, bias=20,
                               pre=dict(r=12, z=8, n=16), table=dict(r=10, z=8, n=12), r=8, z=16, n=12, h=16), 16, 1.0),
    ('w8-a16-fit', 192, 8, dict(ir=8, iz=8, **{'in': 8}, hr=8, hz=8, hn=8, bias=32,
                                pre=dict(r=16, z=16, n=16), table=dict(r=12, z=12, n=12), r=16, z=16, n=16, h=16), 16, 1e4),
]


def f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def dense_case(rng, name, rows, cols, act, bits, in_bits, bias_size, scale_factor):
    w = f32(rng.standard_normal((rows, cols)) / np.sqrt(cols) * 2)
    if 'zero-row' in name:
        w[3] = 0
    b = f32(rng.standard_normal(rows) * bias_size)
    in_scale = 3.0 / spec.code_max(in_bits)
    tabled = act in ('sigmoid', 'tanh')
    scale = scale_factor * (16.0 / spec.code_max(bits['pre']) if tabled else 4.0 / spec.code_max(bits['out']))
    kw = dict(pre_scale=scale) if tabled else dict(out_scale=scale)
    layer = convert.dense_layer(w, b, act, bits, in_bits, in_scale, **kw)
    return dict(name=name, rows=rows, cols=cols, act=act, bits=bits, inBits=in_bits, inScale=in_scale,
                scale=scale, weight=w.ravel().tolist(), bias=b.tolist(),
                expected=dict(W=layer['W'].ravel().tolist(), wScale=layer['w_scale'].tolist(),
                              bias=layer['bias'].tolist(), multiplier=layer['m'].tolist(), shift=layer['s'].tolist(),
                              table=layer['table'].tolist() if tabled else None))


def gru_case(rng, name, inp, hidden, bits, in_bits, bias_size):
    k = 2.5 / np.sqrt(hidden)
    w_ih, w_hh = f32(rng.uniform(-k, k, (3 * hidden, inp))), f32(rng.uniform(-k, k, (3 * hidden, hidden)))
    b_ih, b_hh = f32(rng.uniform(-k, k, 3 * hidden) * bias_size), f32(rng.uniform(-k, k, 3 * hidden) * bias_size)
    in_scale = 3.0 / spec.code_max(in_bits)
    pre_scales = {g: 16.0 / spec.code_max(bits['pre'][g]) for g in 'rzn'}
    layer = convert.gru_layer(w_ih, w_hh, b_ih, b_hh, bits, in_bits, in_scale, pre_scales)
    order = convert.GATES_IH + convert.GATES_HH
    return dict(name=name, inSize=inp, hidden=hidden, bits=bits, inBits=in_bits, inScale=in_scale, preScale=pre_scales,
                weightIh=w_ih.ravel().tolist(), weightHh=w_hh.ravel().tolist(), biasIh=b_ih.tolist(), biasHh=b_hh.tolist(),
                expected=dict(W={g: layer['W'][g].ravel().tolist() for g in order},
                              wScale={g: layer['w_scale'][g].tolist() for g in order},
                              biasIh=layer['bias_ih'].tolist(), biasHh=layer['bias_hh'].tolist(),
                              multiplier=layer['m'].ravel().tolist(), shift=layer['s'].ravel().tolist(),
                              tables={g: layer['tables'][g].tolist() for g in 'rzn'}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('tests/fixtures/golden/int-convert.json'))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    content = dict(dense=[dense_case(rng, *c) for c in DENSE_CASES], gru=[gru_case(rng, *c) for c in GRU_CASES])
    args.out.write_text(json.dumps(content, separators=(',', ':')) + '\n')
    print(f'{args.out}: {args.out.stat().st_size} bytes')


if __name__ == '__main__':
    main()
