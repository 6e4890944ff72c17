"""Golden integer model for the TypeScript exporter (src/quant/quantize-model.ts, tests/quant-model.test.ts):
tests/fixtures/golden/gru.thm exported by export_int.py at a mixed configuration (sub-8-bit weights,
8- and 16-bit activations, narrow pre-activations and tables, a 24-bit bias), with scales made by the
calibration rule of docs/integer.md from the peaks in int-calibration.json.

    python3 training/quant/make_export_golden.py [--out tests/fixtures/golden]

Writes int-export.json ({ name, description, bits, scales }) and int-export.thm; the TS exporter must
write the same bytes from the same JSON.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import thm  # noqa: E402
from quant import spec  # noqa: E402
from quant.export_int import export_int  # noqa: E402

MODEL = 'tests/fixtures/golden/gru.thm'
PRE_RANGE = 16.0


def bits_config() -> dict:
    gates = lambda v: dict(r=v, z=v, n=v)  # noqa: E731
    gru = lambda w: dict(ir=w, iz=w, **{'in': w}, hr=w, hz=w, hn=w, bias=32, pre=gates(16), table=gates(12),  # noqa: E731
                         r=16, z=16, n=16, h=16)
    gru1 = gru(4) | dict(ir=2, hn=6, pre=dict(r=12, z=16, n=14), table=dict(r=8, z=12, n=10), r=8, h=12)
    gru2 = gru(5) | dict(bias=24, iz=8, z=10)
    return dict(features=16, layers={
        'fc_in': dict(w=3, bias=32, out=8),
        'gru1': gru1,
        'exit0.anc': dict(w=7, bias=32, out=16),
        'exit0.mask': dict(w=4, bias=32, out=8, pre=14, table=10),
        'gru2': gru2,
        'exit1.anc': dict(w=6, bias=20, out=12),
        'exit1.mask': dict(w=2, bias=32, out=16, pre=16, table=12),
        'fc1': dict(w=8, bias=32, out=16),
        'fc_out': dict(w=5, bias=32, out=16, pre=10, table=9),
    })


def scales_from_peaks(bits: dict, peaks: dict) -> dict:
    """The calibration rule: peak / (2^(B-1) - 1) (features rounded to f32), R / (2^(P-1) - 1) for pre-activations."""
    layers = {}
    for name, b in bits['layers'].items():
        if 'ir' in b:
            layers[name] = {'pre': {g: PRE_RANGE / spec.code_max(b['pre'][g]) for g in 'rzn'}}
        elif 'pre' in b:
            layers[name] = {'pre': PRE_RANGE / spec.code_max(b['pre'])}
        else:
            layers[name] = {'out': peaks[name] / spec.code_max(b['out'])}
    return {'features': float(np.float32(peaks['features'] / spec.code_max(bits['features']))), 'layers': layers}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', type=Path, default=Path('tests/fixtures/golden'))
    args = ap.parse_args()
    peaks = json.loads((args.out / 'int-calibration.json').read_text())['peaks']
    bits = bits_config()
    content = dict(name='golden-gru-int', description='gru.thm at mixed widths (make_export_golden.py).',
                   bits=bits, scales=scales_from_peaks(bits, peaks))
    (args.out / 'int-export.json').write_text(json.dumps(content, indent=1) + '\n')
    header, floats = thm.read_model(MODEL)
    int_header, tensors = export_int(header, floats, bits, content['scales'], content['name'], content['description'])
    data = thm.write_model(args.out / 'int-export.thm', int_header, tensors)
    print(f'{args.out / "int-export.thm"}: {len(data)} bytes')

if __name__ == '__main__':
    main()
