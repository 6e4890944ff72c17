"""Augmentations that widen the noise and channel distribution beyond the few real noise recordings.

All functions take a numpy Generator and work on float32 [N] or [B, N] arrays at 16 kHz.
"""
import numpy as np
from scipy.signal import fftconvolve, resample

SR = 16000


def _shaped_noise(rng, n: int) -> np.ndarray:
    """Gaussian noise with a random spectral tilt (white ... brown-ish) and a random resonance."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0)
    tilt_db_per_octave = rng.uniform(-6, 3)
    gain = (f / 1000) ** (tilt_db_per_octave / (20 * np.log10(2)))
    if rng.random() < 0.5:                               # one broad resonance, e.g. a fan or engine band
        centre, width = np.exp(rng.uniform(np.log(100), np.log(6000))), rng.uniform(0.2, 1.0)
        gain *= 1 + rng.uniform(1, 10) * np.exp(-0.5 * (np.log(f / centre) / width) ** 2)
    return np.fft.irfft(spec * gain, n).astype(np.float32)


def stationary_noise(rng, n: int) -> np.ndarray:
    """Coloured stationary noise, sometimes with mains hum (50/60 Hz harmonics)."""
    x = _shaped_noise(rng, n)
    if rng.random() < 0.3:
        t = np.arange(n) / SR
        f0 = rng.choice([50.0, 60.0])
        hum = sum(rng.uniform(0, 1) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.3)) for k in range(1, 8))
        x = x / (x.std() + 1e-9) + rng.uniform(0.5, 3) * hum / (np.std(hum) + 1e-9)
    return x.astype(np.float32)


def _segments(rng, n: int, shortest: float, longest: float):
    """Consecutive slices covering [0, n), each shortest..longest seconds long. Each length is drawn only when
    the caller asks for the next slice, so the caller's draws for a slice come before the next length."""
    pos = 0
    while pos < n:
        length = int(rng.uniform(shortest, longest) * SR)
        yield slice(pos, pos + length)
        pos += length


def nonstationary_noise(rng, n: int) -> np.ndarray:
    """Coloured noise with a random envelope: bursts, slow swells, or sparse clicks/knocks."""
    x = _shaped_noise(rng, n)
    kind = rng.integers(3)
    if kind == 0:                                        # on/off bursts of 50 ms .. 1 s
        env = np.zeros(n, np.float32)
        for segment in _segments(rng, n, 0.05, 1.0):
            if rng.random() < 0.5:
                env[segment] = rng.uniform(0.3, 1)
    elif kind == 1:                                      # slow amplitude modulation 0.2-4 Hz
        t = np.arange(n) / SR
        env = 1 + 0.9 * np.sin(2 * np.pi * rng.uniform(0.2, 4) * t + rng.uniform(0, 6.3))
    else:                                                # impulsive: decaying clicks
        env = np.zeros(n, np.float32)
        for start in rng.integers(0, n, rng.integers(2, 40)):
            length = min(n - start, int(rng.uniform(0.005, 0.2) * SR))
            env[start:start + length] += np.exp(-np.arange(length) / (length / 5 + 1)) * rng.uniform(0.2, 1)
    return (x * env).astype(np.float32)


def tonal_noise(rng, n: int) -> np.ndarray:
    """Harmonic tones with a moving pitch, the noise family that speech-like masks keep: alarms, beeps,
    sirens, whistles, engines, ringing, played or sung notes. 1-12 partials with a random roll-off (sometimes
    odd ones only, sometimes slightly inharmonic) on an f0 of 80 Hz-2 kHz that is held, glides, wobbles or
    steps between notes; sounding continuously, beeping or as decaying notes; sometimes over coloured noise."""
    t = np.arange(n) / SR
    f0 = np.exp(rng.uniform(np.log(80), np.log(2000)))
    kind = rng.integers(4)
    if kind == 0:                                        # held
        track = np.full(n, f0)
    elif kind == 1:                                      # glide of up to an octave either way
        track = f0 * 2 ** (rng.uniform(-1, 1) * t / t[-1])
    elif kind == 2:                                      # vibrato ... wail: 0.2-8 Hz, up to an octave deep
        track = f0 * 2 ** (rng.uniform(0.02, 1) * np.sin(2 * np.pi * rng.uniform(0.2, 8) * t + rng.uniform(0, 6.3)))
    else:                                                # steps between 2-7 notes of a chromatic scale
        notes = f0 * 2 ** (rng.integers(-12, 13, rng.integers(2, 8)) / 12)
        track = np.empty(n)
        for segment in _segments(rng, n, 0.08, 1.0):
            track[segment] = rng.choice(notes)
    phase = 2 * np.pi * np.cumsum(track) / SR
    stride = 2 if rng.random() < 0.3 else 1
    stretch = 1 + rng.uniform(0, 0.02) if rng.random() < 0.3 else 1.0
    rolloff = rng.uniform(0, 2)
    x = np.zeros(n)
    for k in range(1, stride * rng.integers(1, 13) + 1, stride):
        ratio = k ** stretch
        x += np.sin(ratio * phase + rng.uniform(0, 6.3)) * k ** -rolloff * (ratio * track < SR / 2)
    envelope = rng.integers(3)
    if envelope == 1:                                    # beeping: on/off 50-800 ms
        gate = np.zeros(n)
        for segment in _segments(rng, n, 0.05, 0.8):
            gate[segment] = rng.random() < 0.5
        x *= gate
    elif envelope == 2:                                  # struck or plucked: a decaying note every 0.1-1 s
        decay = np.zeros(n)
        for start in np.cumsum(rng.uniform(0.1, 1.0, int(t[-1] / 0.1) + 1) * SR).astype(int):
            if start >= n:
                break
            decay[start:] = np.exp(-np.arange(n - start) / (rng.uniform(0.05, 0.6) * SR))
        x *= decay
    x /= x.std() + 1e-9
    if rng.random() < 0.3:                               # over a bed of coloured noise
        bed = _shaped_noise(rng, n)
        x += 10 ** (rng.uniform(-20, -5) / 20) * bed / (bed.std() + 1e-9)
    return x.astype(np.float32)


def change_speed(x: np.ndarray, n: int) -> np.ndarray:
    """[M] played back faster or slower (pitch and tempo together) as n samples, band-limited resampling."""
    return resample(x, n).astype(np.float32)


def babble(rng, crops: np.ndarray) -> np.ndarray:
    """Sum of several speech crops [K, N] at random relative levels (other speakers talking)."""
    gains = 10 ** (rng.uniform(-6, 0, len(crops)) / 20) / (crops.std(axis=1) + 1e-6)
    return (gains[:, None] * crops).sum(0).astype(np.float32)


def make_rir_bank(rng, count: int = 200, max_seconds: float = 0.6) -> list:
    """Synthetic room impulse responses: direct path, sparse early reflections and an exponentially
    decaying noise tail with RT60 0.15-0.9 s, a random direct-to-reverberant ratio and low-pass decay."""
    bank = []
    for _ in range(count):
        rt60 = rng.uniform(0.15, 0.9)
        n = int(min(max_seconds, rt60) * SR)
        t = np.arange(n) / SR
        tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)     # -60 dB at rt60
        tail = np.convolve(tail, np.ones(3) / 3, mode='same')       # air/wall absorption: darker tail
        tail[:int(rng.uniform(0.002, 0.01) * SR)] = 0                # gap before the diffuse part
        rir = tail * 10 ** (-rng.uniform(0, 15) / 20) / (np.abs(tail).max() + 1e-9)
        for _ in range(rng.integers(3, 10)):                         # early reflections
            rir[rng.integers(20, min(n, int(0.05 * SR)))] += rng.uniform(-0.6, 0.6)
        rir[0] = 1.0
        bank.append((rir / np.sqrt((rir ** 2).sum())).astype(np.float32))
    return bank


def reverberate(x: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """Convolve [N] with an RIR, keeping the first N samples (causal, same length)."""
    return fftconvolve(x, rir)[:len(x)].astype(np.float32)


def band_limit(rng, x: np.ndarray) -> np.ndarray:
    """Random telephone/codec-like band-pass on [..., N]: low cut 50-300 Hz, high cut 3.4-7.5 kHz."""
    n = x.shape[-1]
    f = np.fft.rfftfreq(n, 1 / SR)
    lo, hi = rng.uniform(50, 300), rng.uniform(3400, 7500)
    gain = 1 / (1 + (lo / np.maximum(f, 1)) ** 4) / (1 + (f / hi) ** 8)    # 4th/8th-order-like skirts
    return np.fft.irfft(np.fft.rfft(x, axis=-1) * gain, n, axis=-1).astype(np.float32)


def random_eq(rng, x: np.ndarray) -> np.ndarray:
    """A gentle random spectral tilt (+-3 dB/octave) on [N] to vary the colour of real noise."""
    n = len(x)
    f = np.maximum(np.fft.rfftfreq(n, 1 / SR), 50.0)
    gain = (f / 1000) ** (rng.uniform(-3, 3) / (20 * np.log10(2)))
    return np.fft.irfft(np.fft.rfft(x) * gain, n).astype(np.float32)
