"""The tinyhush model file (.thm, docs/model-format.md), numpy only.

write_model() produces the same bytes as the TypeScript writer (src/model/write.ts) for the same
header and tensors: compact JSON with keys in the spec's order, numbers printed as JavaScript's
JSON.stringify prints them, 64-byte alignment, zlib's CRC-32. read_model() is its inverse; it checks
the frame (magic, version, lengths, CRC) and the tensor table, not the layer graph (the TS reader does).
"""
import json
import re
import struct
import zlib

import numpy as np

MAGIC = b"TINYHUSH"
FORMAT_VERSION = 1
PREFIX_BYTES = 16
ALIGNMENT = 64

# Same tables as src/model/canonical.ts.
KEY_ORDER = {
    "header": ["format", "version", "name", "description", "architecture", "sampleRate", "stft", "features",
               "layers", "exits", "gates", "skippedState", "tensors", "provenance"],
    "stft": ["window", "windowLength", "hop", "fftSize"],
    "features": ["type", "epsilon", "bins"],
    "exit": ["name", "output", "layers"],
    "gate": ["name", "channels", "expand", "depthwise", "project"],
    "tensor": ["name", "dtype", "shape", "offset", "byteLength", "scale", "zeroPoint", "values", "nnz", "indexBits", "block"],
}
LAYER_KEY_ORDER = {
    "dense": ["name", "op", "input", "in", "out", "activation", "weight", "bias"],
    "gru": ["name", "op", "input", "in", "hidden", "weightIh", "weightHh", "biasIh", "biasHh"],
    "dwconv": ["name", "op", "input", "channels", "kernel", "dilation", "activation", "weight", "bias"],
    "add": ["name", "op", "inputs", "size", "activation"],
}


def align_up(n: int) -> int:
    return -(-n // ALIGNMENT) * ALIGNMENT


def js_number(x) -> str:
    """A number as JSON.stringify prints it (ECMAScript Number::toString; NaN and ±Infinity → null)."""
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == 0:
        return "0"                                   # -0 too
    mantissa, _, exp = repr(abs(x)).partition("e")   # repr is the shortest round-trip digit string, as in JS
    point = mantissa.find(".") if "." in mantissa else len(mantissa)
    digits = mantissa.replace(".", "")
    n = point + int(exp or 0)                        # value = 0.digits × 10^n
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if n >= 1 else "-") + str(abs(n - 1))
    return "-" + text if x < 0 else text


def _js_string(s: str) -> str:
    # JSON.stringify escapes lone surrogates; json.dumps would leave them raw (unencodable).
    return re.sub("[\ud800-\udfff]", lambda m: "\\u%04x" % ord(m.group()), json.dumps(s, ensure_ascii=False))


def _is_array_index(key: str) -> bool:
    return re.fullmatch(r"0|[1-9][0-9]*", key) is not None and int(key) < 2**32 - 1


def _js_key_order(keys):
    """JS objects enumerate array-index keys first, ascending, then the others in insertion order."""
    keys = list(keys)
    return sorted((k for k in keys if _is_array_index(k)), key=int) + [k for k in keys if not _is_array_index(k)]


def js_json(value) -> str:
    """Compact JSON exactly as JSON.stringify writes the same value."""
    if value is None:
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return js_number(value)
    if isinstance(value, str):
        return _js_string(value)
    if isinstance(value, dict):
        return "{" + ",".join(_js_string(k) + ":" + js_json(value[k]) for k in _js_key_order(value)) + "}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ",".join(js_json(v) for v in value) + "]"
    raise TypeError(f"cannot store {type(value).__name__} in a model header")


def _ordered(value, keys):
    if not isinstance(value, dict):
        return value
    return {**{k: value[k] for k in keys if k in value}, **{k: v for k, v in value.items() if k not in keys}}


def canonical_header(header: dict) -> dict:
    """Known keys in the spec's order, others after them (src/model/canonical.ts)."""
    top = _ordered(header, KEY_ORDER["header"])
    for key in ("stft", "features"):
        if key in top:
            top[key] = _ordered(top[key], KEY_ORDER[key])
    for key, order in (("exits", "exit"), ("gates", "gate"), ("tensors", "tensor")):
        if isinstance(top.get(key), list):
            top[key] = [_ordered(item, KEY_ORDER[order]) for item in top[key]]
    if isinstance(top.get("layers"), list):
        top["layers"] = [_ordered(layer, LAYER_KEY_ORDER.get(layer.get("op"), ["name", "op"]) if isinstance(layer, dict) else [])
                         for layer in top["layers"]]
    return top


def write_model(path, header: dict, tensors: dict) -> bytes:
    """Writes f32 `tensors` (name → array, stored in the order JS would iterate the dict) after
    `header` (without "tensors"); returns the file's bytes. `path` None only returns them."""
    specs, blobs, end = [], [], 0
    for name in _js_key_order(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        offset = align_up(end)
        specs.append({"name": name, "dtype": "f32", "shape": list(array.shape), "offset": offset, "byteLength": array.nbytes})
        blobs.append((offset, array.tobytes()))
        end = offset + array.nbytes
    text = js_json(canonical_header({**header, "tensors": specs})).encode("utf-8")
    data_start = align_up(PREFIX_BYTES + len(text))
    body = bytearray(data_start + end)
    body[:PREFIX_BYTES] = MAGIC + struct.pack("<II", FORMAT_VERSION, data_start - PREFIX_BYTES)
    body[PREFIX_BYTES:data_start] = text.ljust(data_start - PREFIX_BYTES, b" ")
    for offset, blob in blobs:
        body[data_start + offset:data_start + offset + len(blob)] = blob
    file = bytes(body) + struct.pack("<I", zlib.crc32(body))
    if path is not None:
        with open(path, "wb") as f:
            f.write(file)
    return file


def read_model(path):
    """Returns (header dict, {name: float32 array}); raises ValueError on a bad frame or tensor table."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < PREFIX_BYTES + 4 or data[:8] != MAGIC:
        raise ValueError(f"{path}: not a tinyhush model (too short or no TINYHUSH magic)")
    version, header_length = struct.unpack_from("<II", data, 8)
    if version != FORMAT_VERSION:
        raise ValueError(f"{path}: format version {version}; this reader supports {FORMAT_VERSION}")
    data_start = PREFIX_BYTES + header_length
    if data_start % ALIGNMENT or data_start + 4 > len(data):
        raise ValueError(f"{path}: header length {header_length} is misaligned or past the end")
    (stored,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(data[:-4]) != stored:
        raise ValueError(f"{path}: CRC-32 mismatch (file corrupt or truncated)")
    header = json.loads(data[PREFIX_BYTES:data_start].decode("utf-8"))
    data_length = len(data) - 4 - data_start
    tensors = {}
    for spec in header["tensors"]:
        if spec["dtype"] != "f32":
            raise ValueError(f"{path}: tensor {spec['name']!r} has dtype {spec['dtype']!r}; only f32 is supported")
        count = int(np.prod(spec["shape"]))
        if spec["byteLength"] != 4 * count or spec["offset"] % ALIGNMENT or spec["offset"] + spec["byteLength"] > data_length:
            raise ValueError(f"{path}: tensor {spec['name']!r} has a bad size or offset")
        array = np.frombuffer(data, dtype="<f4", count=count, offset=data_start + spec["offset"])
        tensors[spec["name"]] = array.reshape(spec["shape"]).copy()
    return header, tensors
