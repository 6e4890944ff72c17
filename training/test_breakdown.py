"""Where a checkpoint gains and fails on the test split, in PyTorch: SI-SDR improvement per exit overall, per
noise source and per input-SNR band; per band also the ideal ratio mask's improvement (|S| / |X| clipped at
1: the ceiling of a real mask on this STFT) and what the full exit does to each part of the mixture (the
SI-SDR of its mask applied to the speech alone, and how far it attenuates the noise alone).

    python3 training/test_breakdown.py CHECKPOINT [--testset ../cache/testset-v2]
    python3 training/test_breakdown.py --reports NOISY.json ENHANCED.json   # any system, from `tinyhush eval --json`

The second form gives the same per-source and per-band SI-SDR improvements for any system scored by the eval
tool on the test split (`node bench/run.mjs` leaves the reports in $TMPDIR/tinyhush-bench/SYSTEM.json), and
DNSMOS OVRL improvements where both reports have DNSMOS. Both forms also split real from synthetic noise.
"""
import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
from loss import si_sdr  # noqa: E402
from make_testset import DEFAULT_OUT  # noqa: E402
from models.nsnet_ee import load_checkpoint  # noqa: E402

SNR_BANDS = ((-5, 3), (3, 11), (11, 20.01))


def noise_source(label: str) -> str:
    """An ESC-10 class, a noise folder, or a synthetic type, from the manifest's first noise label."""
    parts = label.split('+')[0].split('/')
    return parts[2] if len(parts) > 2 and parts[1] == 'esc10' else parts[1] if len(parts) > 1 else parts[0]


@torch.no_grad()
def measure(model, noisy, clean):
    """[SI-SDRi per exit..., ideal-mask SI-SDRi, speech SI-SDR under the full mask, noise attenuation dB]."""
    x, s = stft.stft(noisy), stft.stft(clean)
    masks = model(stft.log_power(x))
    n = len(stft.istft_aligned(x)[0])
    ref, base = clean[:, :n], si_sdr(noisy, clean).item()
    gain = lambda mask: si_sdr(stft.istft_aligned(mask * x), ref).item() - base
    ideal = (s.abs() / x.abs().clamp_min(1e-9)).clamp(max=1)
    speech = stft.istft_aligned(masks[-1] * s)
    noise_in, noise_out = (noisy - clean)[:, :n], stft.istft_aligned(masks[-1] * (x - s))
    attenuation = 10 * np.log10(noise_in.pow(2).sum().item() / noise_out.pow(2).sum().clamp_min(1e-20).item())
    return [gain(m) for m in masks] + [gain(ideal), si_sdr(speech, ref).item(), attenuation]


def checkpoint_results(checkpoint: Path, testset: Path):
    """A function of a manifest row -> `measure`'s list for that test file."""
    model = load_checkpoint(checkpoint)

    def result(row):
        clean, noisy = (torch.from_numpy(sf.read(testset / kind / row['file'], dtype='float32')[0])[None]
                        for kind in ('clean', 'noisy'))
        return measure(model, noisy, clean)
    return result


def report_results(noisy_report: Path, enhanced_report: Path):
    """A function of a manifest row -> [SI-SDR improvement, DNSMOS OVRL improvement if scored], from two
    `tinyhush eval --json` reports."""
    scores = lambda path: {f['name']: f['enhanced'] for f in json.load(open(path))['files']}
    noisy, enhanced = scores(noisy_report), scores(enhanced_report)
    metrics = [lambda r: r['sisdr']] + ([lambda r: r['dnsmos']['ovrl']] if 'dnsmos' in next(iter(noisy.values()))
                                        and 'dnsmos' in next(iter(enhanced.values())) else [])
    return lambda row: [m(enhanced[row['file']]) - m(noisy[row['file']]) for m in metrics]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path, nargs='?')
    p.add_argument('--reports', type=Path, nargs=2, metavar=('NOISY', 'ENHANCED'))
    p.add_argument('--testset', type=Path, default=DEFAULT_OUT)
    args = p.parse_args()
    if (args.checkpoint is None) == (args.reports is None):
        p.error('give a CHECKPOINT or --reports NOISY ENHANCED')
    torch.set_num_threads(1)
    result = checkpoint_results(args.checkpoint, args.testset) if args.checkpoint else report_results(*args.reports)
    by_source, by_band, by_family, everything = defaultdict(list), defaultdict(list), defaultdict(list), []
    for row in csv.DictReader(open(args.testset / 'manifest.csv')):
        gains = result(row)
        everything.append(gains)
        by_source[noise_source(row['noise'])].append(gains)
        by_family['synthetic' if row['noise'].startswith('synthetic') else 'real'].append(gains)
        band = next(b for b in SNR_BANDS if b[0] <= float(row['snr_db']) < b[1])
        by_band[band].append(gains)
    exits = len(everything[0]) - 3 if args.checkpoint else 1
    fmt = lambda rows, cols: ' / '.join(f'{v:+.2f}' for v in np.mean(rows, axis=0)[cols])
    what = 'SI-SDRi per exit (dB)' if args.checkpoint else 'SI-SDRi (dB)'
    print(f'{what}, {len(everything)} files: {fmt(everything, slice(0, exits))}')
    for source, rows in sorted(by_source.items()):
        print(f'  {source} ({len(rows)} files): {fmt(rows, slice(0, exits))}')
    for family, rows in sorted(by_family.items()):
        ovrl = f'; DNSMOS OVRL {fmt(rows, slice(1, 2))}' if args.reports and len(rows[0]) > 1 else ''
        print(f'  {family} noise ({len(rows)} files): {fmt(rows, slice(0, exits))}{ovrl}')
    for (low, high), rows in sorted(by_band.items()):
        line = f'  input SNR {low}...{round(high)} dB ({len(rows)} files): {fmt(rows, slice(0, exits))}'
        if args.checkpoint:
            ideal, speech, attenuation = np.mean(rows, axis=0)[exits:]
            line += (f'; ideal mask {ideal:+.2f}; full mask: speech SI-SDR {speech:.1f} dB, '
                     f'noise attenuated {attenuation:.1f} dB')
        print(line)


if __name__ == '__main__':
    main()
