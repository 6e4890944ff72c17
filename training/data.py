"""On-the-fly mixing (recipe v2): clean speech + noise at random SNR and level, with augmentations (augment.py).

Speech and real noise are drawn by source group (splits.source_group), not in proportion to file length, so
the long, gated crowd recordings do not dominate. Speech is high-passed at 70 Hz and rumble-dominated clips
are dropped (cleaning.py). Mixtures span the levels a microphone delivers (-60...-10 dBFS, 16-bit quantised
half the time), SNRs of -5...25 dB plus some noise-free examples, and lead-ins of silence or noise alone
before the speech, so that the model neither depends on the input level nor on how the stream began.

Each group's audio is decoded once into one int16 array, cached as .npy in training/data_cache/ (gitignored)
and memory-mapped, so runs side by side share one copy in the page cache.
"""
import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from torch.utils.data import DataLoader, IterableDataset

import augment
from cleaning import highpass, usable_speech
from splits import source_group, split_files

SR = 16000
CACHE_DIR = Path(__file__).resolve().parent / 'data_cache'
CACHE_VERSION = 'v2'                  # part of every cache key: bump when decoding or cleaning changes
SNR_DB = (-5.0, 25.0)
LEVEL_DBFS = (-60.0, -10.0)           # active level of the mixture
P_REVERB, P_BAND_LIMIT, P_SECOND_NOISE, P_SPEED = 0.3, 0.15, 0.2, 0.5
P_NOISE_FREE, P_QUANTISE = 0.05, 0.5
P_LEAD_IN, LEAD_IN_SECONDS, P_SILENT_LEAD_IN = 0.35, (0.5, 3.0), 0.4
SPEED = (0.7, 1.4)                    # playback-speed range of real noise crops (log-uniform)
NOISE_KINDS = (('real', 0.5), ('stationary', 0.12), ('nonstationary', 0.1), ('tonal', 0.1), ('babble', 0.18))
# Speech groups weigh alike except those with one or few voices; a missing group is simply left out.
SPEECH_GROUP_WEIGHTS = {'speech/librispeech': 0.22, 'speech/speechocean762': 0.22, 'speech/picovoice_speech2intent': 0.1,
                        'speech/picovoice_wakeword': 0.08, 'speech/mycroft_precise': 0.08, 'speech/ljspeech': 0.06,
                        'asterisk': 0.24}


def read_audio(path: str) -> np.ndarray:
    """A 16 kHz mono file as float32 in [-1, 1] (Opus decodes slightly past full scale: clip)."""
    x, rate = sf.read(path, dtype='float32', always_2d=True)
    if rate != SR:
        raise ValueError(f'{path}: {rate} Hz, expected {SR}')
    return np.clip(x.mean(1), -1, 1)


class AudioBank:
    """Files of one group concatenated into one int16 array. A crop at a random offset runs on into the next
    file when one ends (short clips get concatenated). Speech banks are cleaned (cleaning.py) when built."""

    def __init__(self, paths: list, speech: bool):
        key = hashlib.sha1('\n'.join([CACHE_VERSION, str(speech)] + paths).encode()).hexdigest()[:16]
        cache = CACHE_DIR / f'bank-{key}.npy'
        if not cache.exists():
            CACHE_DIR.mkdir(exist_ok=True)
            clips = [read_audio(p) for p in paths]
            if speech:
                clips = [highpass(x) for x in clips if usable_speech(x)]
            audio = np.concatenate(clips)
            tmp = cache.with_suffix('.tmp.npy')
            np.save(tmp, np.round(np.clip(audio, -1, 32767 / 32768) * 32768).astype(np.int16))
            tmp.rename(cache)
        self.audio = np.load(cache, mmap_mode='r')

    def crop(self, rng, n: int) -> np.ndarray:
        if len(self.audio) <= n:                                 # a group shorter than a crop: loop it
            return np.resize(np.asarray(self.audio), n).astype(np.float32) / 32768
        start = rng.integers(0, len(self.audio) - n)
        return self.audio[start:start + n].astype(np.float32) / 32768


class GroupedBank:
    """One AudioBank per source group; a crop first draws a group by weight (`weights` by group name or name
    prefix; groups not named weigh by the square root of their length in seconds), then a crop within it."""

    def __init__(self, paths: list, speech: bool, weights: dict | None = None):
        groups = {}
        for p in paths:
            groups.setdefault(source_group(p), []).append(p)
        self.names = sorted(groups)
        self.banks = [AudioBank(groups[g], speech) for g in self.names]
        w = np.array([self._weight(g, bank, weights or {}) for g, bank in zip(self.names, self.banks)])
        self.p = w / w.sum()

    def _weight(self, group: str, bank: AudioBank, weights: dict) -> float:
        """A named weight is shared by the groups under that name (e.g. 'asterisk' by its voices)."""
        for key, w in weights.items():
            if group == key or group.startswith(key + '/'):
                return w / sum(1 for g in self.names if g == key or g.startswith(key + '/'))
        return float(np.sqrt(len(bank.audio) / SR))

    def crop(self, rng, n: int) -> np.ndarray:
        return self.banks[rng.choice(len(self.banks), p=self.p)].crop(rng, n)


def active_rms(x: np.ndarray, frame: int = 320) -> float:
    """RMS over the 20 ms frames within 30 dB of the loudest one (speech level without the pauses)."""
    power = (x[:len(x) // frame * frame].reshape(-1, frame) ** 2).mean(1)
    return float(np.sqrt(power[power >= power.max() * 1e-3].mean() + 1e-12))


def quantise16(x: np.ndarray) -> np.ndarray:
    """What a 16-bit recording of x holds."""
    return (np.round(np.clip(x, -1, 32767 / 32768) * 32768) / 32768).astype(np.float32)


class Mixer:
    """Makes (noisy, clean) pairs for one split. The target is the clean (high-passed, reverberant if reverb
    was applied) speech; noisy = target + noise. Deterministic for a given seed. `noise_kinds` and `p_speed`
    narrow the noise for scoring, e.g. (('real', 1.0),) and 0: real recordings only, as recorded."""

    def __init__(self, split: str, seed: int, crop_seconds: float, noise_kinds=NOISE_KINDS, p_speed: float = P_SPEED):
        files = split_files(split)
        self.speech = GroupedBank(files['speech'], True, SPEECH_GROUP_WEIGHTS)
        self.noise = GroupedBank(files['noise'], False)
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
        if rng.random() < P_NOISE_FREE:
            noise = np.zeros_like(noise)
        if rng.random() < P_BAND_LIMIT:                          # channel: affects speech and noise alike
            clean, noise = augment.band_limit(rng, np.stack([clean, noise]))
        if rng.random() < P_LEAD_IN:                             # the stream starts before the talker does
            seconds = rng.uniform(*LEAD_IN_SECONDS)
            clean, noise = lead_in(clean, noise, int(seconds * SR), rng.random() < P_SILENT_LEAD_IN)
        noisy = clean + noise
        gain = 10 ** (rng.uniform(*LEVEL_DBFS) / 20) / (active_rms(noisy) + 1e-9)
        gain = min(gain, 0.99 / (np.abs(noisy).max() + 1e-9))   # never clip
        noisy, clean = (noisy * gain).astype(np.float32), (clean * gain).astype(np.float32)
        return (quantise16(noisy) if rng.random() < P_QUANTISE else noisy), clean

    def batch(self, size: int):
        """(noisy, clean) float32 tensors [size, samples]."""
        pairs = [self.example() for _ in range(size)]
        return torch.from_numpy(np.stack([p[0] for p in pairs])), torch.from_numpy(np.stack([p[1] for p in pairs]))


def lead_in(clean: np.ndarray, noise: np.ndarray, length: int, silent: bool):
    """Silence the speech for the first `length` samples (at most all but 1 s), leaving noise alone, or
    everything (digital silence) if `silent`, with a 20 ms fade into the rest."""
    n = len(clean)
    length = min(length, n - SR)
    ramp = np.ones(n, np.float32)
    ramp[:length] = 0
    fade = min(320, n - length)
    ramp[length:length + fade] = np.linspace(0, 1, fade, endpoint=False)
    return clean * ramp, noise * ramp if silent else noise


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
