"""The fixed validation set (v2): made once from the validation split by its own rules, so it does not move
when the training recipe (data.Mixer) changes. Real noise recordings only, as recorded; every mixture at three
input levels (-55, -30 and -10 dBFS active level, 16-bit); a quarter with 2 s of noise alone before the speech
and a quarter with 2 s of digital silence, so level and history robustness are selected for too.

    python3 training/valid_set.py     # prints what it holds; train.py and valid_wavs.py load it

Cached as training/data_cache/valid-v2.npz (gitignored); rebuilt identically from the data on a new machine.
"""
from pathlib import Path

import numpy as np
import torch

from data import CACHE_DIR, SR, SPEECH_GROUP_WEIGHTS, GroupedBank, active_rms, lead_in, quantise16
from splits import split_files

SEED = 20261127
MIXTURES = 32
SECONDS = 5.0
SNR_DB = (-5.0, 20.0)
LEVELS_DBFS = (-55.0, -30.0, -10.0)
LEAD_IN_SECONDS = 2.0
CACHE = CACHE_DIR / 'valid-v2.npz'


def _build():
    files = split_files('valid')
    speech = GroupedBank(files['speech'], True, SPEECH_GROUP_WEIGHTS)
    noise = GroupedBank(files['noise'], False)
    rng = np.random.default_rng(SEED)
    n = int(SECONDS * SR)
    noisy, clean, level, lead = [], [], [], []
    for i in range(MIXTURES):
        for _ in range(8):
            s = speech.crop(rng, n)
            if active_rms(s) > 10 ** (-50 / 20):
                break
        s = s - s.mean()
        for _ in range(8):
            v = noise.crop(rng, n)
            if v.std() > 1e-4:
                break
        v = v * active_rms(s) / (v.std() + 1e-9) * 10 ** (-rng.uniform(*SNR_DB) / 20)
        kind = ('none', 'none', 'noise', 'silence')[i % 4]
        if kind != 'none':
            s, v = lead_in(s, v, int(LEAD_IN_SECONDS * SR), kind == 'silence')
        mix = s + v
        for dbfs in LEVELS_DBFS:
            gain = min(10 ** (dbfs / 20) / active_rms(mix), 0.99 / np.abs(mix).max())
            noisy.append(quantise16(mix * gain))
            clean.append((s * gain).astype(np.float32))
            level.append(dbfs)
            lead.append(kind)
    return dict(noisy=np.stack(noisy), clean=np.stack(clean), level=np.array(level), lead=np.array(lead))


def load() -> dict:
    """{'noisy', 'clean': float32 [N, samples], 'level': dBFS [N], 'lead': 'none'|'noise'|'silence' [N]}."""
    if not CACHE.exists():
        CACHE_DIR.mkdir(exist_ok=True)
        tmp = CACHE.with_suffix('.tmp.npz')
        np.savez(tmp, **_build())
        Path(tmp).rename(CACHE)
    with np.load(CACHE) as f:
        return {k: f[k] for k in f.files}


def tensors(valid: dict):
    return torch.from_numpy(valid['noisy']), torch.from_numpy(valid['clean'])


if __name__ == '__main__':
    v = load()
    print(f"{len(v['noisy'])} mixtures of {v['noisy'].shape[1] / SR:.1f} s; levels {sorted(set(v['level']))}; "
          f"lead-ins {dict(zip(*np.unique(v['lead'], return_counts=True)))}")
