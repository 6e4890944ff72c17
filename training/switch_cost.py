"""What switching exits costs: SI-SDR improvement of exit 0, the full exit, and outputs that switch between
them in random 0.1-1 s stretches (loss.switch_schedule, seed fixed) as the budget and adaptive policies do,
with the deep GRU holding its state while skipped (the engine's default) or running on every frame; and
the level difference between the two exits' outputs, which is what a switch costs.

    python3 training/switch_cost.py CHECKPOINT [--testset ../cache/testset-v2] [--files N]

A switched output scores about halfway between its two exits when the exits agree in output level; when
their levels differ, each switch is a level step and SI-SDR sinks toward or below the cheaper exit's
(training/README.md, "Exit switching").
"""
import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
from loss import si_sdr, switch_schedule  # noqa: E402
from make_testset import DEFAULT_OUT  # noqa: E402
from models.nsnet_ee import load_checkpoint  # noqa: E402


def best_gain_db(enhanced, clean):
    """The gain (dB) that best matches an output to the clean speech in the least-squares sense."""
    return 20 * np.log10((enhanced * clean).sum().item() / (enhanced * enhanced).sum().item())


@torch.no_grad()
def measure(model, noisy, clean, rng):
    """SI-SDR improvements (dB) of exit 0, full, switched with gru2 run on every frame, switched with it
    held; and exit 0's best gain minus the full exit's (dB)."""
    x = stft.stft(noisy)
    schedule = switch_schedule(rng, 1, x.shape[1])
    h1 = model.shallow(stft.log_power(x))
    exit0, full = model.exit0(h1), model.full_head(model.gru2(h1)[0])
    on = schedule[0, :, 0].nonzero()[:, 0]
    held = torch.zeros_like(full)                 # gru2 sees only the frames it runs on: its state holds between
    if len(on):
        held[:, on] = model.full_head(model.gru2(h1[:, on])[0])
    base = si_sdr(noisy, clean).item()
    masks = (exit0, full, torch.where(schedule, full, exit0), torch.where(schedule, held, exit0))
    outputs = [stft.istft_aligned(m * x) for m in masks]
    ref = clean[:, :outputs[0].shape[1]]
    gains = [si_sdr(y, ref).item() - base for y in outputs]
    return gains + [best_gain_db(outputs[0], ref) - best_gain_db(outputs[1], ref)]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path)
    p.add_argument('--testset', type=Path, default=DEFAULT_OUT)
    p.add_argument('--files', type=int, help='first N files only (default: all)')
    args = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    rng = np.random.default_rng(0)
    rows = list(csv.DictReader(open(args.testset / 'manifest.csv')))[:args.files]
    results = []
    for row in rows:
        clean, noisy = (torch.from_numpy(sf.read(args.testset / kind / row['file'], dtype='float32')[0])[None]
                        for kind in ('clean', 'noisy'))
        results.append(measure(model, noisy, clean, rng))
    mean, level = np.mean(results, axis=0), np.array(results)[:, 4]
    print(f'SI-SDRi over {len(rows)} test files: exit0 {mean[0]:.2f}, full {mean[1]:.2f}, '
          f'switched (gru2 always run) {mean[2]:.2f}, switched (gru2 held) {mean[3]:.2f} dB; '
          f'exit0 output level minus full: mean {level.mean():+.2f} dB, std {level.std():.2f} dB')


if __name__ == '__main__':
    main()
