"""Validation mixtures and a checkpoint's full-exit output as WAVs, so `tinyhush eval` can score checkpoints
(DNSMOS included) for model selection without touching the test split.

    python3 training/valid_wavs.py CHECKPOINT OUT [--count 48] [--seconds 8] [--mask-power P] [--floor-db D] [--real-noise]
    node bin/tinyhush.js eval --clean OUT/clean --noisy OUT/noisy --enhanced OUT/enhanced --dnsmos ../shared/models/dnsmos

The mixtures are fixed (validation split, seed 777): every checkpoint is scored on the same files.
--mask-power P applies mask**P instead of the mask (P > 1 suppresses more): what a stronger or weaker
suppression of the same model would trade between SI-SDR and DNSMOS SIG / BAK.
--floor-db D applies g + (1 - g)·mask with g = 10^(-D/20): an attenuation limit of D dB, which lets some
noise through everywhere (DeepFilterNet's --atten-lim) instead of removing it fully.
--real-noise mixes only the validation split's real noise recordings, as recorded (seed 778): a score that
does not move when the synthetic noise families of training change, which makes it the one to select on.
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
from data import Mixer  # noqa: E402
from make_sample import write_pcm16  # noqa: E402
from models.nsnet_ee import load_checkpoint  # noqa: E402

SEED, REAL_NOISE_SEED = 777, 778


@torch.no_grad()
def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path)
    p.add_argument('out', type=Path)
    p.add_argument('--count', type=int, default=48)
    p.add_argument('--seconds', type=float, default=8.0)
    p.add_argument('--mask-power', type=float, default=1.0)
    p.add_argument('--floor-db', type=float, help='attenuation limit in dB (default: none)')
    p.add_argument('--real-noise', action='store_true', help='real noise recordings only, no speed change')
    args = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    if args.real_noise:
        mixer = Mixer('valid', REAL_NOISE_SEED, args.seconds, noise_kinds=(('real', 1.0),), p_speed=0.0)
    else:
        mixer = Mixer('valid', SEED, args.seconds)
    noisy, clean = mixer.batch(args.count)
    x = stft.stft(noisy)
    mask = model(stft.log_power(x))[-1].pow(args.mask_power)
    if args.floor_db is not None:
        floor = 10 ** (-args.floor_db / 20)
        mask = floor + (1 - floor) * mask
    enhanced = stft.istft_aligned(mask * x)
    for kind, audio in (('clean', clean), ('noisy', noisy), ('enhanced', enhanced)):
        for i, row in enumerate(audio):
            write_pcm16(args.out / kind / f'{i:03d}.wav', row.numpy()[:enhanced.shape[1]])


if __name__ == '__main__':
    main()
