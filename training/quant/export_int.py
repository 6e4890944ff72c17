"""Float model file -> integer model file (docs/integer.md, "Model file"): every `dense` layer becomes
`dense-int` and every `gru` layer `gru-int`, converted by convert.py for a bit configuration and
activation scales (the JSON shapes of /docs/integer.md's contract, mirrored by src/quant's TS
converter, which writes the same bytes).

    python3 training/quant/export_int.py FLOAT.thm --bits BITS.json --scales SCALES.json \\
        --name N --description D [--sparse LAYER=csr|block ...] --out INT.thm

Input codes of a layer reading "features": bits["features"] bits at scale f32(scales["features"]).
Of a layer reading an integer layer: that layer's output bits and scale (its `out` scale for a
none/relu dense layer, 2^-(Bo-1) after sigmoid/tanh, 2^-(Bh-1) for a GRU). Other header fields are
copied; provenance gains {"quantization": {"from", "bits", "scales"}}.

--sparse LAYER=csr|block writes that layer's weight matrices (a GRU's six) sparse (docs/sparsity.md):
csr stores the non-zero codes, block the 4×4 blocks holding one (a last, partial block row or
column padded with zeros). Prune the float weights first: a zero weight has code 0 at any scale.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
from quant import convert  # noqa: E402

FEATURES = 'features'
SPARSE_BLOCKS = {'csr': None, 'block': (4, 4)}  # --sparse kind -> block shape (None: csr)


def _weight(tensors: dict, name: str, codes, scale, bits: int, sparse: str | None = None) -> str:
    """Adds a weight (packed, or csr / 4×4 block-sparse of its non-zero codes) and its per-row scale
    (placed right after it); returns the weight's name."""
    codes = np.asarray(codes)
    if sparse is None:
        tensors[name] = {'dtype': f'int{bits}', 'codes': codes, 'scale': f'{name}.scale'}
    else:
        block = SPARSE_BLOCKS[sparse]
        row_ptr, col_idx, values = thm.to_sparse(codes, block)
        tensors[name] = {'dtype': 'csr' if block is None else 'block-sparse', 'shape': list(codes.shape),
                         'valueDtype': f'int{bits}', **({} if block is None else {'block': list(block)}),
                         'rowPtr': row_ptr, 'colIdx': col_idx, 'values': values, 'scale': f'{name}.scale'}
    tensors[f'{name}.scale'] = np.asarray(scale, dtype=np.float32)
    return name


def _i32(tensors: dict, name: str, values) -> str:
    tensors[name] = {'dtype': 'i32', 'data': np.asarray(values, dtype=np.int32)}
    return name


def _input_quant(layer: dict, bits: dict, scales: dict) -> tuple[dict, int, float]:
    """(the boundary fields of `quant`, input bits, input scale) of a layer reading "features"."""
    in_bits = int(bits[FEATURES])
    in_scale = float(np.float32(scales[FEATURES]))
    return ({'inputBits': in_bits, 'inputScale': in_scale, 'invInputScale': float(np.float32(1.0 / in_scale))},
            in_bits, in_scale)


def _dense(layer: dict, f: dict, bits: dict, scales: dict, source, tensors: dict, sparse: str | None) -> tuple[dict, tuple]:
    name, act = layer['name'], layer['activation']
    b = bits['layers'][name]
    s = scales['layers'].get(name, {})
    boundary, in_bits, in_scale = source
    tabled = act in ('sigmoid', 'tanh')
    q = convert.dense_layer(f[layer['weight']], f[layer['bias']], act, b, in_bits, in_scale,
                            out_scale=None if tabled else float(s['out']), pre_scale=float(s['pre']) if tabled else None)
    out = {k: layer[k] for k in ('name', 'input', 'in', 'out', 'activation')}
    out['op'] = 'dense-int'
    out['weight'] = _weight(tensors, f'{name}.weight', q['W'], q['w_scale'], b['w'], sparse)
    out['bias'] = _i32(tensors, f'{name}.bias', q['bias'])
    out['multiplier'] = _i32(tensors, f'{name}.multiplier', q['m'])
    out['shift'] = _i32(tensors, f'{name}.shift', q['s'])
    out['table'] = _i32(tensors, f'{name}.table', q['table']) if tabled else None
    out['quant'] = {**boundary, 'biasBits': b['bias'], 'preBits': b['pre'] if tabled else None,
                    'preScale': float(s['pre']) if tabled else None, 'tableBits': b['table'] if tabled else None,
                    'outputBits': b['out'], 'outputScale': q['out_scale']}
    return out, ({}, b['out'], q['out_scale'])


def _gru(layer: dict, f: dict, bits: dict, scales: dict, source, tensors: dict, sparse: str | None) -> tuple[dict, tuple]:
    name = layer['name']
    b = bits['layers'][name]
    pre_scales = {g: float(v) for g, v in scales['layers'][name]['pre'].items()}
    boundary, in_bits, in_scale = source
    q = convert.gru_layer(f[layer['weightIh']], f[layer['weightHh']], f[layer['biasIh']], f[layer['biasHh']], b,
                          in_bits, in_scale, pre_scales)
    weights = {g: _weight(tensors, f'{name}.{g}', q['W'][g], q['w_scale'][g], b[g], sparse)
               for g in convert.GATES_IH + convert.GATES_HH}
    out = {k: layer[k] for k in ('name', 'input', 'in', 'hidden')}
    out['op'] = 'gru-int'
    out['weights'] = weights
    out['biasIh'] = _i32(tensors, f'{name}.biasIh', q['bias_ih'])
    out['biasHh'] = _i32(tensors, f'{name}.biasHh', q['bias_hh'])
    out['multiplier'] = _i32(tensors, f'{name}.multiplier', q['m'])
    out['shift'] = _i32(tensors, f'{name}.shift', q['s'])
    out['tables'] = {g: _i32(tensors, f'{name}.table{g.upper()}', q['tables'][g]) for g in 'rzn'}
    out['quant'] = {**boundary, 'biasBits': b['bias'], 'preBits': dict(b['pre']), 'preScale': pre_scales,
                    'tableBits': dict(b['table']), 'bits': {g: b[g] for g in 'rznh'}}
    return out, ({}, b['h'], convert.pow2_scale(b['h']))


def export_int(header: dict, floats: dict, bits: dict, scales: dict, name: str, description: str,
               sparse: dict | None = None) -> tuple[dict, dict]:
    """(integer header without "tensors", tensors for thm.write_model) of a float model, its integer
    arrays in their smallest dtypes (thm.narrow_int_arrays); `sparse` maps layer names to 'csr' or
    'block' (see --sparse)."""
    sparse = sparse or {}
    unknown = set(sparse) - {layer['name'] for layer in header['layers']}
    if unknown or not set(sparse.values()) <= set(SPARSE_BLOCKS):
        raise ValueError(f'--sparse: layers {sorted(unknown)} do not exist or a kind is not csr / block: {sparse}')
    tensors, layers, produced = {}, [], {}
    for layer in header['layers']:
        if layer['op'] not in ('dense', 'gru'):
            raise ValueError(f'layer {layer["name"]}: op {layer["op"]!r} has no integer form (dense and gru only)')
        source = _input_quant(layer, bits, scales) if layer['input'] == FEATURES else produced[layer['input']]
        convert_layer = _dense if layer['op'] == 'dense' else _gru
        out, produced[layer['name']] = convert_layer(layer, floats, bits, scales, source, tensors, sparse.get(layer['name']))
        layers.append(out)
    provenance = {**header['provenance'], 'quantization': {'from': header['name'], 'bits': bits, 'scales': scales}}
    out_header = {k: v for k, v in header.items() if k != 'tensors'}
    out_header.update(name=name, description=description, layers=layers, provenance=provenance)
    return out_header, thm.narrow_int_arrays(layers, tensors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('model', type=Path, help='float .thm (dense and gru layers)')
    parser.add_argument('--bits', type=Path, required=True, help='bit configuration JSON')
    parser.add_argument('--scales', type=Path, required=True, help='activation scales JSON')
    parser.add_argument('--name', required=True)
    parser.add_argument('--description', required=True)
    parser.add_argument('--sparse', action='append', default=[], metavar='LAYER=csr|block',
                        help='write LAYER\'s weights as csr or 4x4 block-sparse (repeatable)')
    parser.add_argument('--out', type=Path, required=True)
    args = parser.parse_args()
    header, floats = thm.read_model(args.model)
    sparse = dict(item.split('=', 1) for item in args.sparse)
    int_header, tensors = export_int(header, floats, json.loads(args.bits.read_text()), json.loads(args.scales.read_text()),
                                     args.name, args.description, sparse)
    data = thm.write_model(args.out, int_header, tensors)
    print(f'{args.out}: {len(data)} bytes ({len(int_header["layers"])} integer layers)')


if __name__ == '__main__':
    main()
