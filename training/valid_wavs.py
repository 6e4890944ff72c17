"""The fixed validation set (valid_set.py) and a checkpoint's full-exit output as WAVs, so `tinyhush eval` can score
checkpoints (DNSMOS included) for model selection without touching the test split.

    python3 training/valid_wavs.py CHECKPOINT OUT [--mask-power P] [--floor-db D]
    node bin/tinyhush.js eval --clean OUT/clean --noisy OUT/noisy --enhanced OUT/enhanced --dnsmos ../shared/models/dnsmos

--mask-power P applies mask**P instead of the mask (P > 1 suppresses more): what a stronger or weaker
suppression of the same model would trade between SI-SDR and DNSMOS SIG / BAK.
--floor-db D applies g + (1 - g)·mask with g = 10^(-D/20): an attenuation limit of D dB, which lets some
noise through everywhere (DeepFilterNet's --atten-lim) instead of removing it fully.
"""
import argparse
import sys
from pathlib import Path

import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stft  # noqa: E402
import valid_set  # noqa: E402
from make_sample import write_pcm16  # noqa: E402
from models.nsnet_ee import load_checkpoint  # noqa: E402


@torch.no_grad()
def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('checkpoint', type=Path)
    p.add_argument('out', type=Path)
    p.add_argument('--mask-power', type=float, default=1.0)
    p.add_argument('--floor-db', type=float, help='attenuation limit in dB (default: none)')
    args = p.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    noisy, clean = valid_set.tensors(valid_set.load())
    x = stft.stft(noisy)
    mask = model(stft.log_power(x))[-1].pow(args.mask_power)
    if args.floor_db is not None:
        floor = 10 ** (-args.floor_db / 20)
        mask = floor + (1 - floor) * mask
    enhanced = stft.istft_aligned(mask * x)
    for kind, audio in (('clean', clean), ('noisy', noisy), ('enhanced', enhanced)):
        for i, row in enumerate(audio):
            path, x = args.out / kind / f'{i:03d}.wav', row.numpy()[:enhanced.shape[1]]
            if kind == 'clean':  # the reference is not a recording: at -10 dBFS its peaks may pass full scale
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, x, valid_set.SR, subtype='FLOAT')
            else:
                write_pcm16(path, x)


if __name__ == '__main__':
    main()
