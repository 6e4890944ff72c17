"""Re-encodes an integer model file with the compact encodings of format version 2: each integer array
an integer layer reads (biases, multipliers, shifts, tables) in the smallest of i8, u8, i16, i32 that
holds the values its bit widths allow (docs/model-format.md, "Plain integer arrays"), and each csr / block-sparse tensor with the
smallest column indices (8-bit deltas, 16 or 32 bits) and row pointers (16 or 32 bits) for it. Every
other tensor keeps its encoding; the values are unchanged, so the model computes the same outputs bit
for bit. src/model/write.ts writes the same bytes from the same parts (tests/model-sparse-index.test.ts).

    python3 training/quant/compact.py IN.thm OUT.thm
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402

def _parts(spec: dict, array) -> dict:
    """The encode_tensor dict that stores `array` (codes or values) in `spec`'s encoding, sparse indices
    and row pointers of the writer's choice."""
    companions = {k: spec[k] for k in ('scale', 'zeroPoint') if k in spec}
    if spec['dtype'] in thm.INT_BITS:
        return {'dtype': spec['dtype'], 'codes': array, **companions}
    block = spec.get('block')
    row_ptr, col_idx, values = thm.to_sparse(array, block)
    return {'dtype': spec['dtype'], 'shape': spec['shape'], 'valueDtype': spec['values'],
            **({} if block is None else {'block': block}), 'rowPtr': row_ptr, 'colIdx': col_idx, 'values': values, **companions}


def compact(path_in, path_out) -> bytes:
    header, arrays = thm.read_model(path_in, int_codes=True)
    tensors = {}
    for spec in header['tensors']:
        name, array = spec['name'], arrays[spec['name']]
        if spec['dtype'] in thm.PLAIN_INTS:
            tensors[name] = {'dtype': spec['dtype'], 'data': np.asarray(array, dtype=np.int32)}
        elif spec['dtype'] == 'f32':
            tensors[name] = np.asarray(array, dtype=np.float32)
        else:
            tensors[name] = _parts(spec, array)
    return thm.write_model(path_out, {k: v for k, v in header.items() if k != 'tensors'},
                           thm.narrow_int_arrays(header['layers'], tensors))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('input', type=Path)
    p.add_argument('output', type=Path)
    args = p.parse_args()
    size = len(compact(args.input, args.output))
    print(f'{args.output}: {size} bytes ({args.input.stat().st_size} before)')


if __name__ == '__main__':
    main()
