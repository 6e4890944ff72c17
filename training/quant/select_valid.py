"""Selection of integer models on validation audio (issue 14): each model denoises the odd-numbered files
of the fixed validation set (none of them in the calibration set, which takes every sixth file from 000)
at exit 0 and at its full exit through the CLI, `tinyhush eval` scores them against the clean references,
and the table gives the mean SI-SDR and its paired difference to --reference, file by file (mean and
worst). The test split is never read here: this is where a model is chosen, before it is measured.

    python3 training/quant/select_valid.py --valid DIR --reference models/nsnet-ee-int8.thm MODEL.thm...

DIR: `training/valid_wavs.py`'s output (noisy/ and clean/, names 000.wav...).
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'training'))
import thm  # noqa: E402

CLI = ['node', str(REPO / 'bin/tinyhush.js')]


def exits_of(model):
    """The model's exit count, from its header."""
    header, _ = thm.read_model(model)
    return len(header['exits'])


def scores(model, exit_index, inputs, clean_dir, out):
    """SI-SDR per file (dict name -> dB) of MODEL at EXIT_INDEX; its outputs go to the new folder OUT."""
    out.mkdir()
    subprocess.run(CLI + ['denoise', *map(str, inputs), '--out-dir', str(out), '--model', str(model),
                          '--exit', str(exit_index), '--jobs', '1'], check=True, capture_output=True)
    report = out.with_suffix('.json')
    subprocess.run(CLI + ['eval', '--clean', str(clean_dir), '--enhanced', str(out), '--json', str(report)],
                   check=True, capture_output=True)
    return {f['name']: f['enhanced']['sisdr'] for f in json.loads(report.read_text())['files']}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('models', nargs='+', type=Path)
    p.add_argument('--valid', type=Path, required=True, help='validation WAVs (noisy/, clean/)')
    p.add_argument('--reference', type=Path, required=True, help='model the others are paired with')
    args = p.parse_args(argv)
    inputs = sorted(f for f in (args.valid / 'noisy').glob('*.wav') if int(f.stem) % 2 == 1)
    if not inputs:
        raise SystemExit(f'no odd-numbered WAV files in {args.valid / "noisy"}')
    print(f'{len(inputs)} validation files ({inputs[0].name} ... {inputs[-1].name}); Δ: paired with {args.reference.name}')
    print('| model | bytes | exit | SI-SDR dB | Δ mean | Δ worst file |')
    print('|---|---:|---:|---:|---:|---:|')
    with tempfile.TemporaryDirectory() as tmp:
        reference = {}  # 'exit0' / 'full' -> the reference's SI-SDR per file
        for index, model in enumerate([args.reference, *args.models]):
            last = exits_of(model) - 1
            for exit_index in (0, last):
                got = scores(model, exit_index, inputs, args.valid / 'clean', Path(tmp) / f'{index}-e{exit_index}')
                ref = reference.setdefault('exit0' if exit_index == 0 else 'full', got)
                diff = np.array([got[name] - ref[name] for name in got])
                label = 0 if exit_index == 0 else f'{last} (full)'
                print(f'| {model.name} | {model.stat().st_size} | {label} | {np.mean(list(got.values())):.3f} | '
                      f'{diff.mean():+.3f} | {diff.min():+.2f} |', flush=True)


if __name__ == '__main__':
    main()
