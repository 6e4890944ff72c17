"""Where a checkpoint gains and fails on the test split, in PyTorch: SI-SDR improvement per exit overall, per
noise source and per input-SNR band; per band also the ideal ratio mask's improvement (|S| / |X| clipped at
1: the ceiling of a real mask on this STFT) and what the full exit does to each part of the mixture (the
SI-SDR of its mask applied to the speech alone, and how far it attenuates the noise alone).

    python3 training/test_breakdown.py CHECKPOINT [--testset /work/cache/testset]
"""
import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
from loss import si_sdr  # noqa: E402
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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path)
    p.add_argument('--testset', type=Path, default=Path('/work/cache/testset'))
    args = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    by_source, by_band, everything = defaultdict(list), defaultdict(list), []
    for row in csv.DictReader(open(args.testset / 'manifest.csv')):
        clean, noisy = (torch.from_numpy(sf.read(args.testset / kind / row['file'], dtype='float32')[0])[None]
                        for kind in ('clean', 'noisy'))
        result = measure(model, noisy, clean)
        everything.append(result)
        by_source[noise_source(row['noise'])].append(result)
        band = next(b for b in SNR_BANDS if b[0] <= float(row['snr_db']) < b[1])
        by_band[band].append(result)
    exits = len(everything[0]) - 3
    fmt = lambda rows, cols: ' / '.join(f'{v:+.2f}' for v in np.mean(rows, axis=0)[cols])
    print(f'SI-SDRi per exit (dB), {len(everything)} files: {fmt(everything, slice(0, exits))}')
    for source, rows in sorted(by_source.items()):
        print(f'  {source} ({len(rows)} files): {fmt(rows, slice(0, exits))}')
    for (low, high), rows in sorted(by_band.items()):
        ideal, speech, attenuation = np.mean(rows, axis=0)[exits:]
        print(f'  input SNR {low}...{round(high)} dB ({len(rows)} files): {fmt(rows, slice(0, exits))}; ideal mask '
              f'{ideal:+.2f}; full mask: speech SI-SDR {speech:.1f} dB, noise attenuated {attenuation:.1f} dB')


if __name__ == '__main__':
    main()
