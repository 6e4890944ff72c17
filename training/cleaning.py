"""Clean-reference hygiene shared by training and the test split (v2): some "clean" recordings carry strong
rumble below 80 Hz (Mycroft's Spanish clips hold about 70 % of their energy there). Such energy is not
speech: a reference that keeps it punishes a denoiser for removing it, and it skews SNR and level."""
import numpy as np
from scipy.signal import butter, sosfilt

SR = 16000
HIGHPASS_HZ = 70.0
RUMBLE_HZ = 80.0
MAX_RUMBLE_FRACTION = 0.3      # clips with more of their energy below RUMBLE_HZ are dropped, not filtered
_HIGHPASS = butter(4, HIGHPASS_HZ, 'high', fs=SR, output='sos')


def highpass(x: np.ndarray) -> np.ndarray:
    """4th-order Butterworth high-pass at 70 Hz (causal), float32."""
    return sosfilt(_HIGHPASS, x).astype(np.float32)


def rumble_fraction(x: np.ndarray) -> float:
    """Share of the energy of [N] below 80 Hz."""
    power = np.abs(np.fft.rfft(x - x.mean())) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SR)
    return float(power[f < RUMBLE_HZ].sum() / (power.sum() + 1e-20))


def usable_speech(x: np.ndarray) -> bool:
    """False for a clip whose energy is mostly rumble (or that is silent)."""
    return len(x) > 0 and np.abs(x).max() > 0 and rumble_fraction(x) <= MAX_RUMBLE_FRACTION
