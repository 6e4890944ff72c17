"""Stand-in for the `soundfile` package on the GPU machine, which lacks it: `read()` only, the one call
training/data.py makes, through libsndfile by ctypes. ctypes is in the standard library, so nothing has to be
built for the machine's (unknown) Python version, as cffi would. The libsndfile loaded is $TINYHUSH_LIBSNDFILE, the
pack's copy (gzipped) of the self-contained build inside the soundfile wheel this machine uses (Opus, FLAC and Vorbis
built in, needs only glibc >= 2.27), so the GPU machine decodes exactly as this machine does; without the variable,
the system's libsndfile.so.1.
"""
import ctypes
import gzip
import os
import shutil
import tempfile

import numpy as np

_SFM_READ = 0x10


class _Info(ctypes.Structure):
    _fields_ = [('frames', ctypes.c_int64), ('samplerate', ctypes.c_int), ('channels', ctypes.c_int),
                ('format', ctypes.c_int), ('sections', ctypes.c_int), ('seekable', ctypes.c_int)]


def _load(path: str | None) -> ctypes.CDLL:
    if not path or not path.endswith('.gz'):
        return ctypes.CDLL(path or 'libsndfile.so.1')
    with gzip.open(path) as src, tempfile.NamedTemporaryFile(suffix='.so', delete=False) as dst:
        shutil.copyfileobj(src, dst)
    try:
        return ctypes.CDLL(dst.name)
    finally:
        os.unlink(dst.name)                        # the loaded mapping stays valid


_lib = _load(os.environ.get('TINYHUSH_LIBSNDFILE'))
_lib.sf_open.restype = ctypes.c_void_p
_lib.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_Info)]
_lib.sf_readf_float.restype = ctypes.c_int64
_lib.sf_readf_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
_lib.sf_close.argtypes = [ctypes.c_void_p]
_lib.sf_strerror.restype = ctypes.c_char_p
_lib.sf_strerror.argtypes = [ctypes.c_void_p]
_lib.sf_version_string.restype = ctypes.c_char_p

__libsndfile_version__ = _lib.sf_version_string().decode()


def read(path, dtype: str = 'float32', always_2d: bool = False):
    """(samples, samplerate) like soundfile.read: float32 in [-1, 1), [frames, channels] if `always_2d` or the
    file has several channels, else [frames]. The format is found from the file's content, not its name."""
    if dtype != 'float32':
        raise ValueError(f'this stand-in reads float32 only, not {dtype}')
    info = _Info()
    handle = _lib.sf_open(os.fsencode(path), _SFM_READ, ctypes.byref(info))
    if not handle:
        raise RuntimeError(f'{path}: {_lib.sf_strerror(None).decode()}')
    try:
        out = np.empty((info.frames, info.channels), np.float32)
        frames = _lib.sf_readf_float(handle, out.ctypes.data, info.frames)
    finally:
        _lib.sf_close(handle)
    out = out[:frames]
    return (out if always_2d or info.channels > 1 else out[:, 0]), info.samplerate
