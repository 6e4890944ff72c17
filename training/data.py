"""On-the-fly mixing: clean speech + noise at random SNR and level, with augmentations (augment.py).

Each split's audio is decoded once into one int16 array, cached as .npy in training/data_cache/
(gitignored) and memory-mapped, so runs side by side share one copy in the page cache.
"""
import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch.utils.data import DataLoader, IterableDataset

import augment
from splits import split_files

SR = 16000
CACHE_DIR = Path(__file__).resolve().parent / 'data_cache'
SNR_DB = (-5.0, 20.0)
LEVEL_DBFS = (-40.0, -15.0)           # RMS of the mixture
P_REVERB, P_BAND_LIMIT, P_SECOND_NOISE, P_SPEED = 0.3, 0.15, 0.2, 0.5
SPEED = (0.7, 1.4)                    # playback-speed range of real noise crops (log-uniform)
NOISE_KINDS = (('real', 0.42), ('stationary', 0.15), ('nonstationary', 0.12), ('tonal', 0.13), ('babble', 0.18))


class AudioBank:
    """All files of a list concatenated into one int16 array. A crop at a random offset samples files in
    proportion to their length and runs on into the next file when one ends (short clips get concatenated)."""

    def __init__(self, paths: list):
        key = hashlib.sha1('\n'.join(paths).encode()).hexdigest()[:16]
        cache = CACHE_DIR / f'bank-{key}.npy'
        if not cache.exists():
            CACHE_DIR.mkdir(exist_ok=True)
            audio = np.concatenate([sf.read(p, dtype='int16')[0] for p in paths])
            tmp = cache.with_suffix('.tmp.npy')
            np.save(tmp, audio)
            tmp.rename(cache)
        self.audio = np.load(cache, mmap_mode='r')

    def crop(self, rng, n: int) -> np.ndarray:
        start = rng.integers(0, len(self.audio) - n)
        return self.audio[start:start + n].astype(np.float32) / 32768


def active_rms(x: np.ndarray, frame: int = 320) -> float:
    """RMS over the 20 ms frames within 30 dB of the loudest one (speech level without the pauses)."""
    power = (x[:len(x) // frame * frame].reshape(-1, frame) ** 2).mean(1)
    return float(np.sqrt(power[power >= power.max() * 1e-3].mean() + 1e-12))


class Mixer:
    """Makes (noisy, clean) pairs for one split. The target is the clean (reverberant, if reverb was
    applied) speech; noisy = target + noise. Deterministic for a given seed. `noise_kinds` and `p_speed` narrow
    the noise for scoring, e.g. (('real', 1.0),) and 0: real recordings only, as recorded."""

    def __init__(self, split: str, seed: int, crop_seconds: float, noise_kinds=NOISE_KINDS, p_speed: float = P_SPEED):
        files = split_files(split)
        self.speech, self.noise = AudioBank(files['speech']), AudioBank(files['noise'])
        self.n = int(round(crop_seconds * SR / 160)) * 160       # whole hops
        self.rng = np.random.default_rng(seed)
        self.rirs = augment.make_rir_bank(np.random.default_rng(seed + 1))
        self.noise_kinds, self.p_speed = noise_kinds, p_speed

    def _speech(self) -> np.ndarray:
        for _ in range(4):                                       # avoid crops that are (almost) all silence
            x = self.speech.crop(self.rng, self.n)
            if active_rms(x) > 10 ** (-50 / 20):
                break
        return x - x.mean()

    def _noise(self, kind: str) -> np.ndarray:
        rng, n = self.rng, self.n
        if kind == 'real':
            speed = np.exp(rng.uniform(*np.log(SPEED))) if rng.random() < self.p_speed else 1.0
            for _ in range(4):
                x = self.noise.crop(rng, int(n * speed))
                if x.std() > 1e-4:
                    break
            x = augment.change_speed(x, n) if speed != 1.0 else x
            return augment.random_eq(rng, x) if rng.random() < 0.5 else x
        if kind == 'stationary':
            return augment.stationary_noise(rng, n)
        if kind == 'nonstationary':
            return augment.nonstationary_noise(rng, n)
        if kind == 'tonal':
            return augment.tonal_noise(rng, n)
        return augment.babble(rng, np.stack([self.speech.crop(rng, n) for _ in range(rng.integers(3, 7))]))

    def _pick_kind(self) -> str:
        names, weights = zip(*self.noise_kinds)
        return names[self.rng.choice(len(names), p=np.array(weights) / sum(weights))]

    def example(self):
        rng = self.rng
        clean = self._speech()
        if rng.random() < P_REVERB:
            clean = augment.reverberate(clean, self.rirs[rng.integers(len(self.rirs))])
        noise = self._noise(self._pick_kind())
        noise = noise / (noise.std() + 1e-9)
        if rng.random() < P_SECOND_NOISE:
            extra = self._noise(self._pick_kind())
            noise = noise + 10 ** (rng.uniform(-10, 0) / 20) * extra / (extra.std() + 1e-9)
        snr = rng.uniform(*SNR_DB)
        noise = noise * active_rms(clean) / (noise.std() + 1e-9) * 10 ** (-snr / 20)
        if rng.random() < P_BAND_LIMIT:                          # channel: affects speech and noise alike
            clean, noise = augment.band_limit(rng, np.stack([clean, noise]))
        noisy = clean + noise
        gain = 10 ** (rng.uniform(*LEVEL_DBFS) / 20) / (np.sqrt((noisy ** 2).mean()) + 1e-9)
        gain = min(gain, 0.99 / (np.abs(noisy).max() + 1e-9))   # never clip
        return (noisy * gain).astype(np.float32), (clean * gain).astype(np.float32)

    def batch(self, size: int):
        """(noisy, clean) float32 tensors [size, samples]."""
        pairs = [self.example() for _ in range(size)]
        return torch.from_numpy(np.stack([p[0] for p in pairs])), torch.from_numpy(np.stack([p[1] for p in pairs]))


class MixtureStream(IterableDataset):
    """Endless training batches for DataLoader workers, each worker with its own Mixer seeded by
    (seed, first step, worker id): deterministic for a given worker count, fresh after a resume."""

    def __init__(self, split: str, seed: int, crop_seconds: float, batch: int, first_step: int):
        self.split, self.seed, self.crop_seconds, self.batch, self.first_step = split, seed, crop_seconds, batch, first_step

    def __iter__(self):
        worker = torch.utils.data.get_worker_info()
        seed = np.random.SeedSequence([self.seed, self.first_step, worker.id if worker else 0]).generate_state(1)[0]
        mixer = Mixer(self.split, int(seed), self.crop_seconds)
        while True:
            yield mixer.batch(self.batch)


def parallel_batches(split: str, seed: int, crop_seconds: float, batch: int, first_step: int, workers: int,
                     pin_memory: bool):
    """An iterator of (noisy, clean) batches mixed by `workers` processes (mixing is the bottleneck on a GPU)."""
    stream = MixtureStream(split, seed, crop_seconds, batch, first_step)
    return iter(DataLoader(stream, batch_size=None, num_workers=workers, pin_memory=pin_memory, prefetch_factor=4,
                           persistent_workers=True))
