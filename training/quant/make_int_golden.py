"""Golden vectors for the integer WASM kernels (tests/int-kernels.test.ts): small random float layers
converted at several bit-width configurations (convert.py), random input codes, and what the integer
reference (reference.py) computes for them.

    python3 training/quant/make_int_golden.py [--out tests/fixtures/golden]

Writes int-dense.json, int-gru.json, int-requant.json and int-input.json (float features to codes). Integer arrays are JSON lists; weight codes
are already i8 rows (the kernels' memory layout: GRU matrices concatenated in gate order r, z, n).
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quant import convert, reference, spec  # noqa: E402

SEED = 20261127

DENSE_CASES = [  # (name, rows, cols, act, bits, in_bits)
    ('w8-a8-relu', 37, 50, 'relu', dict(w=8, bias=32, out=8), 8),
    ('w4-a16-none', 19, 161, 'none', dict(w=4, bias=32, out=16), 16),
    ('w2-a8-sigmoid-p16-k10', 23, 33, 'sigmoid', dict(w=2, bias=32, out=8, pre=16, table=10), 8),
    ('w6-a16-tanh-p8-k8', 8, 7, 'tanh', dict(w=6, bias=24, out=12, pre=8, table=8), 16),
    ('w8-a16-none-b12', 21, 64, 'none', dict(w=8, bias=12, out=16), 16),
    ('w3-a16-relu-o4', 16, 32, 'relu', dict(w=3, bias=32, out=4), 16),
]
GRU_CASES = [  # (name, in, hidden, steps, bits, in_bits)
    ('w8-all-a8', 29, 21, 8, dict(ir=8, iz=8, **{'in': 8}, hr=8, hz=8, hn=8, bias=32,
                                  pre=dict(r=16, z=16, n=16), table=dict(r=10, z=10, n=10), r=8, z=8, n=8, h=8), 8),
    ('mixed-a16', 40, 17, 10, dict(ir=4, iz=3, **{'in': 8}, hr=2, hz=5, hn=6, bias=20,
                                   pre=dict(r=12, z=8, n=16), table=dict(r=10, z=8, n=12), r=8, z=16, n=12, h=16), 16),
    ('mixed-h8-n16', 16, 24, 12, dict(ir=7, iz=6, **{'in': 5}, hr=8, hz=4, hn=3, bias=32,
                                      pre=dict(r=16, z=16, n=8), table=dict(r=8, z=12, n=8), r=6, z=10, n=16, h=8), 8),
]


def float_dense(rng, rows, cols):
    return rng.standard_normal((rows, cols)) / np.sqrt(cols) * 2, rng.standard_normal(rows) * 0.5


def dense_case(rng, name, rows, cols, act, bits, in_bits):
    w, b = float_dense(rng, rows, cols)
    in_scale = 3.0 / spec.code_max(in_bits)
    x = spec.sat(spec.round_half_up(rng.standard_normal(cols) / in_scale), in_bits)
    pre = w @ (x * in_scale) + b
    peak = float(np.abs(pre).max())
    # Scales a little under the peak so that some outputs saturate.
    if act in ('sigmoid', 'tanh'):
        layer = convert.dense_layer(w, b, act, bits, in_bits, in_scale, pre_scale=0.8 * peak / spec.code_max(bits['pre']))
    else:
        layer = convert.dense_layer(w, b, act, bits, in_bits, in_scale, out_scale=0.8 * peak / spec.code_max(bits['out']))
    y = reference.dense(layer, x)
    return dict(name=name, rows=rows, cols=cols, act=act, inBits=in_bits, outBits=bits['out'],
                preBits=bits.get('pre', 0), tableBits=bits.get('table', 0),
                W=layer['W'].ravel().tolist(), bias=layer['bias'].tolist(), multiplier=layer['m'].tolist(),
                shift=layer['s'].tolist(), table=layer['table'].tolist() if 'table' in layer else [],
                x=x.tolist(), y=y.tolist())


def gru_case(rng, name, inp, hidden, steps, bits, in_bits):
    k = 2.5 / np.sqrt(hidden)
    w_ih, w_hh = rng.uniform(-k, k, (3 * hidden, inp)), rng.uniform(-k, k, (3 * hidden, hidden))
    b_ih, b_hh = rng.uniform(-k, k, 3 * hidden), rng.uniform(-k, k, 3 * hidden)
    in_scale = 3.0 / spec.code_max(in_bits)
    xs = spec.sat(spec.round_half_up(rng.standard_normal((steps, inp)) * 1.2 / in_scale), in_bits)
    pre_scales = {g: (6.0 if g != 'n' else 3.0) / spec.code_max(bits['pre'][g]) for g in 'rzn'}
    layer = convert.gru_layer(w_ih, w_hh, b_ih, b_hh, bits, in_bits, in_scale, pre_scales)
    hs = reference.gru_sequence(layer, xs)
    return dict(name=name, inSize=inp, hidden=hidden, steps=steps, inBits=in_bits,
                preBits=[bits['pre'][g] for g in 'rzn'], tableBits=[bits['table'][g] for g in 'rzn'],
                bits=[bits[g] for g in 'rznh'], weightBits=[bits[g] for g in convert.GATES_IH + convert.GATES_HH],
                Wih=np.concatenate([layer['W'][g] for g in convert.GATES_IH]).ravel().tolist(),
                Whh=np.concatenate([layer['W'][g] for g in convert.GATES_HH]).ravel().tolist(),
                biasIh=layer['bias_ih'].tolist(), biasHh=layer['bias_hh'].tolist(),
                multiplier=layer['m'].ravel().tolist(), shift=layer['s'].ravel().tolist(),
                tables=[layer['tables'][g].tolist() for g in 'rzn'], xs=xs.tolist(), hs=hs.tolist())


def requant_cases(rng):
    """rq on hand-picked ties and extremes plus random draws; round-half-up decides every tie."""
    acc = [-3, -2, -1, 0, 1, 2, 3, 5, -5, (1 << 31) - 1, -(1 << 31) + 1, 12345, -12345]
    m = [1 << 30] * 9 + [(1 << 31) - 1, (1 << 31) - 1, 1 << 30, 1 << 30]
    s = [31] * 9 + [62, 62, 33, 33]
    acc += rng.integers(-(1 << 31) + 1, 1 << 31, 200).tolist()
    m += rng.integers(0, 1 << 31, 200).tolist()
    s += rng.integers(1, 63, 200).tolist()
    return dict(acc=acc, multiplier=m, shift=s, out=spec.rq(acc, m, s).tolist())


def input_cases(rng):
    """quantize_input on exact ties (t = k / 2), out-of-range values and random features, at 8 and 16 bits."""
    cases = []
    for bits, inv_scale in ((8, 4.0), (16, 1000.0)):
        x = np.concatenate([np.arange(-20, 21) / 8.0, [1e6, -1e6, 3e38, -3e38], rng.uniform(-14, 4, 100)])
        x = x.astype(np.float32)
        inv = np.float32(inv_scale)
        cases.append(dict(bits=bits, invScale=float(inv), x=[float(v) for v in x],
                          codes=spec.quantize_input(x, inv, bits).tolist()))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('tests/fixtures/golden'))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    files = {'int-dense.json': [dense_case(rng, *c) for c in DENSE_CASES],
             'int-gru.json': [gru_case(rng, *c) for c in GRU_CASES],
             'int-requant.json': requant_cases(rng),
             'int-input.json': input_cases(rng)}
    args.out.mkdir(parents=True, exist_ok=True)
    for file, content in files.items():
        (args.out / file).write_text(json.dumps(content, separators=(',', ':')) + '\n')
        print(f'{args.out / file}: {(args.out / file).stat().st_size} bytes')


if __name__ == '__main__':
    main()
