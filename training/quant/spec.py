"""The fixed-point rules of docs/integer.md, numpy int64 only (tables and multipliers are built from
floats by the exporter; applying them is integer-only).

One rounding rule everywhere: rshift(v, k) = floor((v + 2^(k-1)) / 2^k), round half up.
"""
import math

import numpy as np

I64 = np.int64


def code_max(bits: int) -> int:
    """Largest code of a symmetric `bits`-bit quantity, 2^(bits-1) - 1."""
    return (1 << (bits - 1)) - 1


def sat(v, bits: int) -> np.ndarray:
    """Clamps to the symmetric range [-(2^(bits-1) - 1), 2^(bits-1) - 1]."""
    top = code_max(bits)
    return np.clip(np.asarray(v, dtype=I64), -top, top)


def rshift(v, k) -> np.ndarray:
    """Round-half-up arithmetic shift right by k >= 0 (elementwise k allowed)."""
    v = np.asarray(v, dtype=I64)
    k = np.asarray(k, dtype=I64)
    half = np.where(k > 0, np.left_shift(I64(1), np.maximum(k - 1, 0)), 0)
    return np.right_shift(v + half, k)


def rq(acc, m, s) -> np.ndarray:
    """Requantization of int32 accumulators: rshift(acc * m, s) in int64, m in [0, 2^31), s in [1, 62]."""
    return rshift(np.asarray(acc, dtype=I64) * np.asarray(m, dtype=I64), s)


def align(v, from_bits: int, to_bits: int) -> np.ndarray:
    """A power-of-two-scaled code of `from_bits` expressed at `to_bits` (shift left, or rshift)."""
    v = np.asarray(v, dtype=I64)
    return v << (to_bits - from_bits) if to_bits >= from_bits else rshift(v, from_bits - to_bits)


def table_index(p, pre_bits: int, table_bits: int) -> np.ndarray:
    """idx(p) = (p + 2^(P-1)) >> (P - K): which of the 2^K table entries a P-bit code reads."""
    return np.right_shift(np.asarray(p, dtype=I64) + (1 << (pre_bits - 1)), pre_bits - table_bits)


# ---- exporter side: floats in, integers out (the integer path never runs these) ----

def quantize_multiplier(factor: float) -> tuple[int, int]:
    """(m, s) with m / 2^s ~ factor: m = round(f * 2^31) for factor = f * 2^k, f in [0.5, 1); s = 31 - k."""
    if not factor > 0:
        raise ValueError(f'requantization factor must be > 0, got {factor}')
    f, k = math.frexp(factor)
    m = round(f * (1 << 31))
    if m == 1 << 31:
        m, k = 1 << 30, k + 1
    s = 31 - k
    if s > 62:
        return 0, 1
    if s < 1:
        raise ValueError(f'requantization factor {factor} >= 2^30 cannot be represented')
    return m, s


def quantize_multipliers(factors) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise quantize_multiplier: (m int32 array, s int32 array)."""
    pairs = [quantize_multiplier(float(f)) for f in np.asarray(factors, dtype=np.float64).ravel()]
    return np.array([p[0] for p in pairs], dtype=np.int32), np.array([p[1] for p in pairs], dtype=np.int32)


def round_half_up(x) -> np.ndarray:
    """floor(x + 0.5) as int64 (float64 in)."""
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5).astype(I64)


def weight_scales(w: np.ndarray, bits: int) -> np.ndarray:
    """Per-row symmetric scales max|w[r]| / (2^(bits-1) - 1) (f32; an all-zero row gets scale 1)."""
    peak = np.abs(w).max(axis=1)
    return np.where(peak > 0, peak / code_max(bits), 1.0).astype(np.float32)


def quantize_weight(w: np.ndarray, bits: int, scales: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(codes int8 [rows, cols], scales f32 [rows]) of a float matrix."""
    scales = weight_scales(w, bits) if scales is None else np.asarray(scales, dtype=np.float32)
    codes = sat(round_half_up(w / scales[:, None].astype(np.float64)), bits)
    return codes.astype(np.int8), scales


def quantize_bias(b: np.ndarray, acc_scale: np.ndarray, bits: int) -> np.ndarray:
    """Bias codes at accumulator scale (int32), saturated to `bits`."""
    return sat(round_half_up(b / np.asarray(acc_scale, dtype=np.float64)), bits).astype(np.int32)


def fit_bias_to_accumulator(b_q: np.ndarray, w_q: np.ndarray, in_bits: int) -> np.ndarray:
    """Saturates each row's bias so that sum|W| * xmax + |b| <= 2^31 - 1 (the overflow check)."""
    room = (1 << 31) - 1 - np.abs(w_q.astype(I64)).sum(axis=1) * code_max(in_bits)
    if (room < 0).any():
        raise ValueError('weights alone can overflow int32 at this input width (docs/integer.md)')
    return np.clip(b_q.astype(I64), -room, room).astype(np.int32)


def build_table(fn: str, pre_bits: int, pre_scale: float, table_bits: int, out_bits: int) -> np.ndarray:
    """The 2^K-entry sigmoid/tanh table (int32) for P-bit codes at scale pre_scale, K = table_bits."""
    if not 1 <= table_bits <= min(pre_bits, 12):
        raise ValueError(f'table bits {table_bits} must be in 1..min(P, 12)')
    i = np.arange(1 << table_bits, dtype=np.float64)
    step = 1 << (pre_bits - table_bits)
    centre = step // 2 if table_bits < pre_bits else 0
    v = float(pre_scale) * (i * step - (1 << (pre_bits - 1)) + centre)
    f = 1.0 / (1.0 + np.exp(-v)) if fn == 'sigmoid' else np.tanh(v)
    codes = round_half_up(f * (1 << (out_bits - 1)))
    low = 0 if fn == 'sigmoid' else -code_max(out_bits)
    return np.clip(codes, low, code_max(out_bits)).astype(np.int32)


def quantize_input(x: np.ndarray, inv_scale: np.float32, bits: int) -> np.ndarray:
    """Float features -> codes: t = f32(x * invScale), sat(floor(t + 0.5)); NaN -> 0."""
    with np.errstate(over='ignore', invalid='ignore'):  # overflow to ±inf saturates below
        t = (np.asarray(x, dtype=np.float32) * np.float32(inv_scale)).astype(np.float32)
    t = np.where(np.isnan(t), np.float32(0), t)
    t64 = np.clip(t.astype(np.float64), -2.0 ** 40, 2.0 ** 40)
    return sat(np.floor(t64 + 0.5).astype(I64), bits)


def dequantize_mask(codes, bits: int) -> np.ndarray:
    """Mask gains f32(code) * 2^-(bits-1)."""
    return (np.asarray(codes).astype(np.float32) * np.float32(2.0 ** -(bits - 1))).astype(np.float32)
