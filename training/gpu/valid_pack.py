"""The fixed validation set (valid_set.py) in 11 MB instead of 61, so it can travel with the GPU job and the GPU
run's log scores the same mixtures as the CPU run's.

- noisy: 16-bit by construction (valid_set quantises it), stored exactly as one 16-bit FLAC stream of all rows.
- clean: the rows of one mixture are the same signal at its three levels, so only the loudest is stored, as 24-bit
  FLAC scaled to its peak, with each row's gain to it; a rebuilt row is within 2e-7 of its peak of the original
  (float32 itself keeps 24 bits), far below anything a validation score resolves.
"""
from pathlib import Path

import numpy as np
import soundfile as sf

import valid_set

SR = 16000
FULL_24 = 2 ** 23 - 1
TOLERANCE = 2e-7              # of a row's peak


def _flac_write(path: Path, samples: np.ndarray, subtype: str):
    sf.write(str(path), samples.reshape(-1), SR, format='FLAC', subtype=subtype)


def save(folder: Path):
    v = valid_set.load()
    noisy, clean = v['noisy'], v['clean']
    codes = np.round(noisy * 32768).astype(np.int16)
    if not np.array_equal(codes.astype(np.float32) / 32768, noisy):
        raise ValueError('validation noisy rows are not 16-bit: valid_set changed, update valid_pack')
    levels = len(valid_set.LEVELS_DBFS)
    mixture = np.arange(len(clean)) // levels                      # valid_set makes each mixture's levels in a row
    loudest = np.array([m * levels + int(np.argmax(v['level'][m * levels:(m + 1) * levels]))
                        for m in range(len(clean) // levels)])
    ref = clean[loudest].astype(np.float64)
    peak = np.abs(ref).max(1)
    scale = (clean * ref[mixture]).sum(1) / (ref[mixture] ** 2).sum(1)
    ref_codes = np.round(ref / peak[:, None] * FULL_24).astype(np.int32)
    rebuilt = _clean_rows(ref_codes / FULL_24, peak, scale, mixture)
    error = (np.abs(rebuilt - clean).max(1) / np.abs(clean).max(1)).max()
    if error > TOLERANCE:
        raise ValueError(f'clean rows are not one signal per mixture at several gains (error {error:.2e})')
    folder.mkdir(parents=True, exist_ok=True)
    _flac_write(folder / 'noisy.flac', codes, 'PCM_16')
    _flac_write(folder / 'clean.flac', ref_codes << 8, 'PCM_24')   # int32 carries 24-bit samples in its top bits
    np.savez(folder / 'meta.npz', level=v['level'], lead=v['lead'], peak=peak, scale=scale, mixture=mixture,
             shape=np.array(noisy.shape), cache=np.array(valid_set.CACHE.name))
    print(f'validation set packed: {len(noisy)} rows, clean rebuilt within {error:.1e} of each peak')


def _clean_rows(ref_unit: np.ndarray, peak: np.ndarray, scale: np.ndarray, mixture: np.ndarray) -> np.ndarray:
    return (ref_unit[mixture] * (peak[mixture] * scale)[:, None]).astype(np.float32)


def restore(folder: Path, target: Path = valid_set.CACHE):
    """Write the validation set from the pack to `target`: by default valid_set's cache, where valid_set.load()
    finds it."""
    meta = np.load(folder / 'meta.npz')
    if str(meta['cache']) != valid_set.CACHE.name:
        raise ValueError(f"the pack holds {meta['cache']}, valid_set.py now uses {valid_set.CACHE.name}: rebuild the "
                         'pack (training/gpu/pack.py)')
    shape = tuple(meta['shape'])
    noisy, _ = sf.read(folder / 'noisy.flac', dtype='float32')
    ref, _ = sf.read(folder / 'clean.flac', dtype='float32')
    rows = len(meta['peak'])
    ref_unit = ref.astype(np.float64).reshape(rows, shape[1]) * (2 ** 23 / FULL_24)
    clean = _clean_rows(ref_unit, meta['peak'], meta['scale'], meta['mixture'])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix('.tmp.npz')
    np.savez(tmp, noisy=noisy.reshape(shape), clean=clean, level=meta['level'], lead=meta['lead'])
    tmp.replace(target)
