"""Golden vectors for the sparse integer WASM kernels (tests/int-sparse.test.ts): random integer
matrices pruned at 50-95 % (unstructured, or 4x4 blocks), in the kernels' layouts (sparse_layout.py),
with the accumulators the dense reference (reference.accumulate on the expanded matrix) computes;
and GRU step sequences on pruned weights with the hidden codes of reference.gru_sequence.

    python3 training/quant/make_sparse_golden.py [--out tests/fixtures/golden]

Writes int-sparse.json: {"gemv": [...], "gru": [...]}. Each layout is {format, rowPtr, index, values}.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from quant import convert, reference, spec  # noqa: E402
from quant.sparse_layout import BLOCK_COLS, BLOCK_ROWS, accumulate, expand, to_blocks, to_csr  # noqa: E402

SEED = 20261128

GEMV_CASES = [  # (name, format, rows, cols, sparsity, weight bits, input bits, with bias)
    ('csr-50-w8-a8', 'csr', 37, 50, 0.50, 8, 8, True),
    ('csr-75-w4-a16', 'csr', 19, 161, 0.75, 4, 16, True),
    ('csr-90-w2-a8-nobias', 'csr', 23, 33, 0.90, 2, 8, False),
    ('csr-95-w8-a16', 'csr', 66, 300, 0.95, 8, 16, True),
    ('csr-empty', 'csr', 9, 20, 1.0, 8, 16, True),
    ('block-50-w8-a16', 'block', 37, 161, 0.50, 8, 16, True),
    ('block-75-w3-a8', 'block', 21, 51, 0.75, 3, 8, True),
    ('block-90-w8-a16-nobias', 'block', 96, 192, 0.90, 8, 16, False),
    ('block-95-w6-a16', 'block', 70, 322, 0.95, 6, 16, True),
    ('block-one-column-block', 'block', 30, 4, 0.50, 8, 8, True),
    ('block-empty', 'block', 5, 48, 1.0, 8, 16, True),
]
GRU_CASES = [  # (name, format, in, hidden, steps, sparsity, bits, in_bits)
    ('csr-80-mixed-a16', 'csr', 40, 17, 10, 0.80,
     dict(ir=4, iz=3, **{'in': 8}, hr=2, hz=5, hn=6, bias=20,
          pre=dict(r=12, z=8, n=16), table=dict(r=10, z=8, n=12), r=8, z=16, n=12, h=16), 16),
    ('block-75-w8-a8', 'block', 37, 21, 10, 0.75,
     dict(ir=8, iz=8, **{'in': 8}, hr=8, hz=8, hn=8, bias=32,
          pre=dict(r=16, z=16, n=16), table=dict(r=10, z=10, n=10), r=8, z=8, n=8, h=8), 8),
]
EMPTY_ROWS = 3  # rows (CSR) or groups of four rows (blocks) of each matrix left without a stored weight


def prune_mask(rng, rows, cols, sparsity, fmt):
    """Keep-mask with round((1 - sparsity) * units) random units kept (an element, or a 4x4 grid
    block), then EMPTY_ROWS random rows of units cleared (fewer where the matrix has few)."""
    unit_rows, unit_cols = (rows, cols) if fmt == 'csr' else (-(-rows // BLOCK_ROWS), -(-cols // BLOCK_COLS))
    units = unit_rows * unit_cols
    keep = np.zeros(units, dtype=bool)
    keep[rng.choice(units, round((1 - sparsity) * units), replace=False)] = True
    keep = keep.reshape(unit_rows, unit_cols)
    keep[rng.choice(unit_rows, min(EMPTY_ROWS, unit_rows // 4), replace=False)] = False
    if fmt == 'block':
        keep = np.repeat(np.repeat(keep, BLOCK_ROWS, axis=0), BLOCK_COLS, axis=1)[:rows, :cols]
    return keep


def layout_of(W, fmt) -> dict:
    """The kernel layout of W, checked: it expands to W and its stored-element sum is the dense one."""
    layout = to_csr(W) if fmt == 'csr' else to_blocks(W)
    assert np.array_equal(expand(layout, W.shape[1]), W)
    x = np.arange(W.shape[1]) - W.shape[1] // 2
    assert np.array_equal(accumulate(layout, x, np.zeros(len(W))), reference.accumulate(W, x, np.zeros(len(W))))
    return layout


def layout_json(layout):
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in layout.items()}


def stored(layout) -> int:
    """The MACs a kernel executes: one per stored element, 16 per block."""
    return len(layout['values'])


def gemv_case(rng, name, fmt, rows, cols, sparsity, w_bits, x_bits, with_bias):
    W = rng.integers(-spec.code_max(w_bits), spec.code_max(w_bits) + 1, (rows, cols)) * prune_mask(rng, rows, cols, sparsity, fmt)
    x = rng.integers(-spec.code_max(x_bits), spec.code_max(x_bits) + 1, cols)
    bias = (spec.fit_bias_to_accumulator(rng.integers(-(1 << 24), 1 << 24, rows), W, x_bits).astype(np.int64)
            if with_bias else np.zeros(rows, dtype=np.int64))
    layout = layout_of(W, fmt)
    acc = reference.accumulate(W, x, bias)
    assert np.array_equal(accumulate(layout, x, bias), acc)
    return dict(name=name, rows=rows, cols=cols, wBits=w_bits, xBits=x_bits, stored=stored(layout),
                nonZero=int(np.count_nonzero(W)), matrix=layout_json(layout), x=x.tolist(),
                bias=bias.tolist() if with_bias else None, acc=acc.tolist())


def gru_case(rng, name, fmt, inp, hidden, steps, sparsity, bits, in_bits):
    k = 2.5 / np.sqrt(hidden)
    w_ih, w_hh = rng.uniform(-k, k, (3 * hidden, inp)), rng.uniform(-k, k, (3 * hidden, hidden))
    b_ih, b_hh = rng.uniform(-k, k, 3 * hidden), rng.uniform(-k, k, 3 * hidden)
    in_scale = 3.0 / spec.code_max(in_bits)
    xs = spec.sat(spec.round_half_up(rng.standard_normal((steps, inp)) * 1.2 / in_scale), in_bits)
    pre_scales = {g: (6.0 if g != 'n' else 3.0) / spec.code_max(bits['pre'][g]) for g in 'rzn'}
    layer = convert.gru_layer(w_ih, w_hh, b_ih, b_hh, bits, in_bits, in_scale, pre_scales)
    # Pruning the codes keeps the layer valid: fewer weights only widen the overflow check's room.
    Wih = np.concatenate([layer['W'][g] for g in convert.GATES_IH]).astype(np.int64)
    Whh = np.concatenate([layer['W'][g] for g in convert.GATES_HH]).astype(np.int64)
    Wih *= prune_mask(rng, 3 * hidden, inp, sparsity, fmt)
    Whh *= prune_mask(rng, 3 * hidden, hidden, sparsity, fmt)
    for i, g in enumerate(convert.GATES_IH):
        layer['W'][g] = Wih[i * hidden:(i + 1) * hidden]
    for i, g in enumerate(convert.GATES_HH):
        layer['W'][g] = Whh[i * hidden:(i + 1) * hidden]
    ih, hh = layout_of(Wih, fmt), layout_of(Whh, fmt)
    hs = reference.gru_sequence(layer, xs)
    return dict(name=name, inSize=inp, hidden=hidden, steps=steps, inBits=in_bits,
                preBits=[bits['pre'][g] for g in 'rzn'], tableBits=[bits['table'][g] for g in 'rzn'],
                bits=[bits[g] for g in 'rznh'], Wih=layout_json(ih), Whh=layout_json(hh),
                stored=stored(ih) + stored(hh), biasIh=layer['bias_ih'].tolist(), biasHh=layer['bias_hh'].tolist(),
                multiplier=layer['m'].ravel().tolist(), shift=layer['s'].ravel().tolist(),
                tables=[layer['tables'][g].tolist() for g in 'rzn'], xs=xs.tolist(), hs=hs.tolist())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('tests/fixtures/golden'))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    content = {'gemv': [gemv_case(rng, *c) for c in GEMV_CASES], 'gru': [gru_case(rng, *c) for c in GRU_CASES]}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / 'int-sparse.json'
    path.write_text(json.dumps(content, separators=(',', ':')) + '\n')
    print(f'{path}: {path.stat().st_size} bytes')


if __name__ == '__main__':
    main()
