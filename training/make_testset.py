"""The held-out test set, version 2: fixed WAV mixtures of the test split (splits.split_files('test')), built once.

    python3 training/make_testset.py [--out ../cache/testset-v2]

Version 2 (training/README.md, "Test split v2") differs from version 1 in three ways: the references are
high-passed at 70 Hz before level and SNR are measured and rumble-dominated clips are left out
(training/cleaning.py: version 1's Mycroft Spanish references held about 70 % of their energy below 80 Hz,
which punished every denoiser that removed it); the held-out speechocean762 speakers (children and adults,
non-native English) are a speech group; and three held-out sound-effect sources (blanket ambiences,
lincity_ng city loops, wesnoth effects) join the noise. Noise is drawn by source (ESC-10 by class), not by file.

Writes, all 16 kHz mono 16-bit PCM:
- `clean/NNN.wav`, `noisy/NNN.wav`: 120 mixtures of 4-10 s (whole 10 ms hops), SNR uniform in
  [-5, 20] dB against the active speech level, mixture RMS uniform in [-35, -15] dBFS (lowered if a
  peak of either would pass 0.99), and `manifest.csv` (file, speech, noise, snr_db, level_dbfs, seconds).
- `streams/clean/NN.wav`, `streams/noisy/NN.wav`: 4 streams of 60 s where easy stretches (clean
  speech or silence) alternate with hard ones (noisy speech, SNR -5..10 dB), 3-8 s each, and
  `streams/segments.csv` (stream, start_s, end_s, kind, snr_db, noise): the adaptive exit policy is
  measured on these.

No augmentation beyond mixing. Speech: a source group is drawn (LibriSpeech 0.3, speechocean762 0.25,
Allison's Asterisk prompts 0.2, Picovoice wake words 0.125, Mycroft Spanish 0.125), then files of that group
are joined with 0.1-0.4 s pauses. Noise: 90 mixtures get real test-split noise (one source drawn uniformly
among the ESC-10 classes of fold 5, running tap, the held-out music track and the three held-out sound-effect
sources, clips of it joined), 30 (drawn at random; 25 % of the stream stretches too) the held-out synthetic
type below.

Held-out synthetic noise, "tonal machinery" (`synthetic:engine` / `synthetic:siren` in the manifests):
harmonic tones whose pitch moves: an engine (f0 35-150 Hz drifting, 12 harmonics, firing-rate
roughness, over a little low-passed rumble) or a siren (f0 sweeping 500-1600 Hz, wail or two-tone).
When the split was built, training's synthetic noise was broadband (shaped Gaussian, bursts, clicks,
babble) with at most a fixed 50/60 Hz hum, so swept harmonic tones were new to every trained model. Since
nsnet-ee's step 14000, training/augment.tonal_noise draws a wider family of moving-pitch harmonic tones (a
different generator), so for nsnet-ee this type is no longer unseen (training/README.md, "Quality on the
held-out test split", reports real and synthetic files apart).
"""
import argparse
import csv
import functools
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt

from cleaning import highpass, usable_speech
from data import active_rms, read_audio
from make_sample import whole_hops, write_pcm16
from splits import ASTERISK_ROOT, DATA_ROOT, source_group, split_files

SR = 16000
SEED = 20261127
COUNT = 120
SECONDS = (4.0, 10.0)
SNR_DB = (-5.0, 20.0)
LEVEL_DBFS = (-35.0, -15.0)
P_HELD_OUT_NOISE = 0.25
STREAMS, STREAM_SECONDS, SEGMENT_SECONDS, STREAM_SNR_DB = 4, 60.0, (3.0, 8.0), (-5.0, 10.0)
STREAM_SPEECH_DBFS = -26.0
SPEECH_GROUP_WEIGHTS = {'librispeech': 0.3, 'speechocean762': 0.25, 'asterisk': 0.2, 'picovoice_wakeword': 0.125,
                        'mycroft_precise': 0.125}
DEFAULT_OUT = Path(__file__).resolve().parents[2] / 'cache/testset-v2'
PEAK = 0.99


def label(path: str) -> str:
    """A file's name in the manifests: relative to the shared data or to the Asterisk folder."""
    p = Path(path)
    for root, prefix in ((DATA_ROOT, ''), (ASTERISK_ROOT, 'asterisk/')):
        if p.is_relative_to(root):
            return prefix + str(p.relative_to(root))
    return str(p)


def group_of(path: str) -> str:
    """Speech: the source folder (both Allison voices are 'asterisk'). Noise: the source folder, ESC-10 by class."""
    group = source_group(path)
    if group.startswith('asterisk/'):
        return 'asterisk'
    return group.split('/', 1)[1] if group.startswith('speech/') else group


def is_speech(path: str) -> bool:
    return not source_group(path).startswith('noise/')


def grouped(paths: list) -> dict:
    """Files by group; speech files whose energy is mostly rumble are left out."""
    groups = {}
    for p in paths:
        if not is_speech(p) or usable_speech(read_audio(p)):
            groups.setdefault(group_of(p), []).append(p)
    return groups


@functools.lru_cache(maxsize=None)
def read(path: str) -> np.ndarray:
    """A file as float32 without DC; speech high-passed at 70 Hz (training/cleaning.py)."""
    x = read_audio(path)
    x = x - x.mean()
    return highpass(x) if is_speech(path) else x


def fade(x: np.ndarray, seconds: float = 0.01) -> np.ndarray:
    """Raised-cosine ends, so joined noise clips and noise stretches do not click."""
    n = min(int(seconds * SR), len(x) // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
    x = x.copy()
    x[:n] *= ramp
    x[len(x) - n:] *= ramp[::-1]
    return x


def draw(rng, files: list, n: int, pause=(0.0, 0.0), fade_pieces=False):
    """n samples of randomly drawn files joined (with pauses); starts at a random offset of the first.
    Returns the signal and the labels of the files used."""
    pieces, used, total = [], [], 0
    while total < n:
        path = files[rng.integers(len(files))]
        x = read(path)
        if not pieces and len(x) > n:
            x = x[rng.integers(len(x) - n + 1):]
        x = fade(x) if fade_pieces else x
        gap = np.zeros(int(rng.uniform(*pause) * SR), np.float32)
        pieces += [x, gap]
        used.append(label(path))
        total += len(x) + len(gap)
    return np.concatenate(pieces)[:n], used


def engine(rng, n: int) -> np.ndarray:
    drift = np.cumsum(rng.standard_normal(n)) / np.sqrt(SR)            # slow random walk of the speed
    f0 = rng.uniform(35, 150) * np.exp(0.15 * drift / (np.abs(drift).max() + 1e-9))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    tone = sum(np.sin(k * phase + rng.uniform(0, 2 * np.pi)) * k ** -0.7 for k in range(1, 13))
    roughness = 1 + 0.5 * np.sin(phase / 2)                           # firing rate: half the rotation
    rumble = sosfilt(butter(2, 300, 'low', fs=SR, output='sos'), rng.standard_normal(n))
    return tone * roughness / tone.std() + 0.3 * rumble / rumble.std()


def siren(rng, n: int) -> np.ndarray:
    t = np.arange(n) / SR
    lo, hi = rng.uniform(500, 800), rng.uniform(1000, 1600)
    rate = rng.uniform(0.2, 1.5)
    if rng.random() < 0.5:                                             # wail: smooth sweep
        f0 = lo + (hi - lo) * (0.5 - 0.5 * np.cos(2 * np.pi * rate * t))
    else:                                                              # two-tone
        f0 = np.where((t * rate * 2) % 2 < 1, lo, hi)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    return sum(np.sin(k * phase) / k for k in range(1, 6))


def held_out_noise(rng, n: int):
    kind = 'engine' if rng.random() < 0.5 else 'siren'
    return (engine if kind == 'engine' else siren)(rng, n), f'synthetic:{kind}'


def noise(rng, groups: dict, n: int, held_out: bool):
    """(noise [n], its label): real test-split noise, or the held-out synthetic type."""
    if held_out:
        return held_out_noise(rng, n)
    names = sorted(groups)
    x, used = draw(rng, groups[names[rng.integers(len(names))]], n, fade_pieces=True)
    return x, '+'.join(used)


def speech(rng, groups: dict, n: int, group: str | None = None):
    names = sorted(SPEECH_GROUP_WEIGHTS)
    group = group or names[rng.choice(len(names), p=[SPEECH_GROUP_WEIGHTS[g] for g in names])]
    for _ in range(8):                                                # skip near-silent draws
        x, used = draw(rng, groups[group], n, pause=(0.1, 0.4))
        if active_rms(x) > 10 ** (-50 / 20):
            break
    return x, '+'.join(used)


def scale_noise(clean: np.ndarray, noise_: np.ndarray, snr_db: float) -> np.ndarray:
    return noise_ * active_rms(clean) / (np.sqrt(np.mean(noise_ ** 2)) + 1e-12) * 10 ** (-snr_db / 20)


def mixture(rng, speech_groups, noise_groups, held_out: bool):
    n = len(whole_hops(np.zeros(int(rng.uniform(*SECONDS) * SR))))
    clean, speech_label = speech(rng, speech_groups, n)
    noise_, noise_label = noise(rng, noise_groups, n, held_out)
    snr = rng.uniform(*SNR_DB)
    noisy = clean + scale_noise(clean, noise_, snr)
    gain = 10 ** (rng.uniform(*LEVEL_DBFS) / 20) / np.sqrt(np.mean(noisy ** 2))
    gain = min(gain, PEAK / max(np.abs(noisy).max(), np.abs(clean).max()))
    level = 20 * np.log10(gain * np.sqrt(np.mean(noisy ** 2)))
    return clean * gain, noisy * gain, {'speech': speech_label, 'noise': noise_label, 'snr_db': f'{snr:.2f}',
                                        'level_dbfs': f'{level:.2f}', 'seconds': f'{n / SR:.2f}'}


def stream(rng, speech_groups, noise_groups):
    """Alternating easy (clean speech or silence) and hard (noisy speech) stretches."""
    n = int(STREAM_SECONDS * SR)
    names = sorted(SPEECH_GROUP_WEIGHTS)
    group = names[rng.choice(len(names), p=[SPEECH_GROUP_WEIGHTS[g] for g in names])]
    clean, noisy, segments, start, hard = [], [], [], 0, bool(rng.integers(2))
    while start < n:
        length = min(n - start, int(rng.uniform(*SEGMENT_SECONDS) * SR) // 160 * 160)   # whole hops
        kind = 'noisy' if hard else ('silence' if rng.random() < 0.4 else 'clean')
        x = np.zeros(length)
        if kind != 'silence':
            x = speech(rng, speech_groups, length, group)[0]
            x = x * 10 ** (STREAM_SPEECH_DBFS / 20) / active_rms(x)
        row = {'start_s': f'{start / SR:.2f}', 'end_s': f'{(start + length) / SR:.2f}', 'kind': kind,
               'snr_db': '', 'noise': ''}
        y = x
        if kind == 'noisy':
            noise_, row['noise'] = noise(rng, noise_groups, length, rng.random() < P_HELD_OUT_NOISE)
            snr = rng.uniform(*STREAM_SNR_DB)
            row['snr_db'] = f'{snr:.2f}'
            y = x + fade(scale_noise(x, noise_, snr), 0.02)
        clean.append(x)
        noisy.append(y)
        segments.append(row)
        start += length
        hard = not hard
    clean, noisy = np.concatenate(clean), np.concatenate(noisy)
    gain = min(1.0, PEAK / max(np.abs(noisy).max(), np.abs(clean).max()))
    return clean * gain, noisy * gain, segments


def write_csv(path: Path, rows: list):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(DEFAULT_OUT))
    out = Path(ap.parse_args().out)
    files = split_files('test')
    speech_groups, noise_groups = grouped(files['speech']), grouped(files['noise'])
    missing = set(SPEECH_GROUP_WEIGHTS) - set(speech_groups)
    if missing:
        raise FileNotFoundError(f'no test speech for {sorted(missing)}; found groups {sorted(speech_groups)}')
    rng = np.random.default_rng(SEED)

    held_out = set(rng.permutation(COUNT)[:round(P_HELD_OUT_NOISE * COUNT)])
    rows = []
    for i in range(COUNT):
        clean, noisy, row = mixture(rng, speech_groups, noise_groups, i in held_out)
        name = f'{i:03d}.wav'
        write_pcm16(out / 'clean' / name, clean)
        write_pcm16(out / 'noisy' / name, noisy)
        rows.append({'file': name, **row})
    write_csv(out / 'manifest.csv', rows)

    segments = []
    for i in range(STREAMS):
        clean, noisy, rows_ = stream(rng, speech_groups, noise_groups)
        name = f'{i:02d}.wav'
        write_pcm16(out / 'streams/clean' / name, clean)
        write_pcm16(out / 'streams/noisy' / name, noisy)
        segments += [{'stream': name, **r} for r in rows_]
    write_csv(out / 'streams/segments.csv', segments)
    print(f'{out}: {COUNT} mixtures ({len(held_out)} with held-out synthetic noise), {STREAMS} streams of {STREAM_SECONDS:.0f} s')


if __name__ == '__main__':
    main()
