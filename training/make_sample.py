"""The README demo sample and the short test mixtures: Allison Smith's Asterisk prompts (CC BY-SA 3.0,
credited in examples/README.md) mixed at 5 dB SNR with noise synthesized here (fan hum, babble-like
modulated noise). Nothing comes from the shared data folder.

Reproduce (from the repository root):
    sh training/fetch_asterisk.sh ../cache/asterisk        # Debian asterisk-core-sounds-en-g722 → WAV
    python3 training/make_sample.py

Writes examples/noisy-sample.wav (about 9.5 s) and tests/fixtures/mixtures/{clean,noisy}-{1,2,3}.wav,
all 16 kHz mono 16-bit; noisy-N = clean-N + noise (up to 16-bit rounding).
"""
import argparse
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt

from data import active_rms
from splits import ASTERISK_ROOT

SR = 16000
SEED = 5
SNR_DB = 5.0
SPEECH_DBFS = -24.0                      # active speech level of the clean signal
ALLISON = ASTERISK_ROOT / 'en_US_f_Allison'
DEMO_PROMPTS = ('please-try-call-later', 'vm-nobodyavail', 'pls-hold-while-try')
FIXTURES = (('cannot-complete-as-dialed', 'fan'), ('vm-savemessage', 'babble'), ('check-number-dial-again', 'both'))


def read_prompt(name: str) -> np.ndarray:
    path = ALLISON / f'{name}.wav'
    if not path.exists():
        raise FileNotFoundError(f'{path} not found: run training/fetch_asterisk.sh ../cache/asterisk '
                                f'(or set TINYHUSH_ASTERISK to its wav/ folder)')
    x, rate = sf.read(path, dtype='float32')
    assert rate == SR, f'{path}: {rate} Hz, expected {SR}'
    return x - x.mean()


def fan_hum(rng, n: int) -> np.ndarray:
    """A fan: blade-pass tone with harmonics and a little pitch wander, over low-passed rushing air."""
    t = np.arange(n) / SR
    f0 = 118 + 2 * np.sin(2 * np.pi * 0.13 * t)                  # motor speed drifts slowly
    phase = 2 * np.pi * np.cumsum(f0) / SR
    tone = sum(np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 6))
    air = sosfilt(butter(2, 900, 'low', fs=SR, output='sos'), rng.standard_normal(n))
    swell = 1 + 0.2 * np.sin(2 * np.pi * 0.3 * t)
    return (0.5 * tone / tone.std() + air / air.std()) * swell


def babble_like(rng, n: int, talkers: int = 5) -> np.ndarray:
    """Speech-shaped noise, each 'talker' gated by its own syllable-rate (3-6 Hz) random envelope."""
    band = butter(2, (250, 3500), 'bandpass', fs=SR, output='sos')
    syllables = butter(2, 6, 'low', fs=SR, output='sos')
    out = np.zeros(n)
    for _ in range(talkers):
        envelope = np.maximum(sosfilt(syllables, rng.standard_normal(n)), 0)
        out += sosfilt(band, rng.standard_normal(n)) * envelope / (envelope.std() + 1e-9)
    return out


def noise_of(kind: str, rng, n: int) -> np.ndarray:
    parts = {'fan': [fan_hum], 'babble': [babble_like], 'both': [fan_hum, babble_like]}[kind]
    return sum(unit(f(rng, n)) for f in parts)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x ** 2))


def mix(clean: np.ndarray, noise: np.ndarray, snr_db: float, speech_dbfs: float):
    """Scales clean to `speech_dbfs` active level and noise to `snr_db` below it; returns (clean, noisy)."""
    clean = clean * 10 ** (speech_dbfs / 20) / active_rms(clean)
    noise = unit(noise) * active_rms(clean) * 10 ** (-snr_db / 20)
    return clean, clean + noise


def write_pcm16(path: Path, x: np.ndarray):
    """16-bit PCM, scaled by 32768 like soundfile reads it back; refuses to clip."""
    peak = np.abs(x).max()
    if peak >= 1:
        raise ValueError(f'{path}: peak {peak:.3f} would clip; lower the level')
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.round(x * 32768).clip(-32768, 32767).astype(np.int16), SR, subtype='PCM_16')


def pause(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.float32)


def whole_hops(x: np.ndarray, hop: int = 160) -> np.ndarray:
    """Zero-pads to a multiple of the model hop, so tests can compare frame by frame."""
    return np.concatenate([x, np.zeros(-len(x) % hop, x.dtype)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--root', default='.', help='repository root')
    root = Path(ap.parse_args().root)
    rng = np.random.default_rng(SEED)

    speech = whole_hops(np.concatenate([pause(0.6)] + [np.concatenate([read_prompt(p), pause(0.5)]) for p in DEMO_PROMPTS]))
    _, noisy = mix(speech, noise_of('both', rng, len(speech)), SNR_DB, SPEECH_DBFS)
    write_pcm16(root / 'examples/noisy-sample.wav', noisy)
    print(f'examples/noisy-sample.wav: {len(noisy) / SR:.2f} s')

    for i, (prompt, kind) in enumerate(FIXTURES, 1):
        speech = whole_hops(np.concatenate([pause(0.1), read_prompt(prompt), pause(0.1)]))
        clean, noisy = mix(speech, noise_of(kind, rng, len(speech)), SNR_DB, SPEECH_DBFS)
        for name, x in (('clean', clean), ('noisy', noisy)):
            write_pcm16(root / f'tests/fixtures/mixtures/{name}-{i}.wav', x)
        print(f'mixture {i}: {prompt} + {kind}, {len(clean) / SR:.2f} s')


if __name__ == '__main__':
    main()
