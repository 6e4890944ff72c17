"""The tinyhush model file (.thm, docs/model-format.md), numpy only.

write_model() produces the same bytes as the TypeScript writer (src/model/write.ts) for the same
header and tensors: compact JSON with keys in the spec's order, numbers printed as JavaScript's
JSON.stringify prints them, 64-byte alignment, zlib's CRC-32. read_model() is its inverse and
expands every encoding (packed integers, csr, block-sparse) to dense float32 as the TS decoder does;
it checks the frame (magic, version, lengths, CRC) and the tensor table, not the layer graph or the
sparse indices (the TS reader does). quantize() and to_sparse() make the parts the encodings store.
"""
import json
import re
import struct
import zlib

import numpy as np

MAGIC = b"TINYHUSH"
FORMAT_VERSIONS = (1, 2)  # 2 adds i16 / i8 / u8 arrays, 8-bit delta indices, 16-bit row pointers
PREFIX_BYTES = 16
ALIGNMENT = 64

# Same tables as src/model/canonical.ts.
KEY_ORDER = {
    "header": ["format", "version", "name", "description", "architecture", "sampleRate", "stft", "features",
               "layers", "exits", "gates", "skippedState", "tensors", "provenance", "speechPresence"],
    "stft": ["window", "windowLength", "hop", "fftSize"],
    "features": ["type", "epsilon", "bins"],
    "exit": ["name", "output", "layers"],
    "gate": ["name", "channels", "expand", "depthwise", "project", "decision"],
    "speechPresence": ["output"],
    "tensor": ["name", "dtype", "shape", "offset", "byteLength", "scale", "zeroPoint", "values", "nnz", "indexBits", "rowPtrBits", "block"],
}
LAYER_KEY_ORDER = {
    "dense": ["name", "op", "input", "in", "out", "activation", "weight", "bias", "ratioWeight"],
    "gru": ["name", "op", "input", "in", "hidden", "weightIh", "weightHh", "biasIh", "biasHh"],
    "dwconv": ["name", "op", "input", "channels", "kernel", "dilation", "activation", "weight", "bias"],
    "add": ["name", "op", "inputs", "size", "activation"],
    "dense-int": ["name", "op", "input", "in", "out", "activation", "weight", "bias", "multiplier", "shift", "table", "quant"],
    "gru-int": ["name", "op", "input", "in", "hidden", "weights", "biasIh", "biasHh", "multiplier", "shift", "tables", "quant"],
}
# Key order of the objects inside a layer: field -> (keys, {field: (keys, ...)}), as LAYER_FIELD_KEY_ORDER.
_RZN = (["r", "z", "n"], {})
_INPUT_QUANT = ["inputBits", "inputScale", "invInputScale", "biasBits", "preBits", "preScale", "tableBits"]
LAYER_FIELD_KEY_ORDER = {
    "dense-int": {"quant": (_INPUT_QUANT + ["outputBits", "outputScale"], {})},
    "gru-int": {
        "weights": (["ir", "iz", "in", "hr", "hz", "hn"], {}),
        "tables": _RZN,
        "quant": (_INPUT_QUANT + ["bits"], {"preBits": _RZN, "preScale": _RZN, "tableBits": _RZN, "bits": (["r", "z", "n", "h"], {})}),
    },
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
    for key in ("stft", "features", "speechPresence"):
        if key in top:
            top[key] = _ordered(top[key], KEY_ORDER[key])
    for key, order in (("exits", "exit"), ("gates", "gate"), ("tensors", "tensor")):
        if isinstance(top.get(key), list):
            top[key] = [_ordered(item, KEY_ORDER[order]) for item in top[key]]
    if isinstance(top.get("layers"), list):
        top["layers"] = [_ordered_layer(layer) for layer in top["layers"]]
    return top


def _ordered_tree(value, keys, fields):
    if not isinstance(value, dict):
        return value
    out = _ordered(value, keys)
    for field, (sub_keys, sub_fields) in fields.items():
        if field in out:
            out[field] = _ordered_tree(out[field], sub_keys, sub_fields)
    return out


def _ordered_layer(layer):
    if not isinstance(layer, dict):
        return layer
    op = layer.get("op")
    return _ordered_tree(layer, LAYER_KEY_ORDER.get(op, ["name", "op"]), LAYER_FIELD_KEY_ORDER.get(op, {}))


INT_BITS = {f"int{b}": b for b in range(2, 9)}
# Plain integer arrays, in the order writers try them (src/model/encodings.ts, PLAIN_INTS).
PLAIN_INTS = {"i8": "<i1", "u8": "<u1", "i16": "<i2", "i32": "<i4"}


def smallest_int_dtype(values) -> str:
    """The smallest plain integer dtype that holds every value exactly (i8 before u8)."""
    values = np.asarray(values, dtype=np.int64)
    low, high = min(0, int(values.min(initial=0))), max(0, int(values.max(initial=0)))
    return next(d for d, t in PLAIN_INTS.items() if np.iinfo(t).min <= low and high <= np.iinfo(t).max)


def _bias_dtype(bits: int) -> str:
    return smallest_int_dtype([-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1])


def _table_dtype(fn: str, bits: int) -> str:
    return smallest_int_dtype([-(2 ** (bits - 1) - 1) if fn == "tanh" else 0, 2 ** (bits - 1) - 1])


def _int_array_dtypes(layer: dict) -> list:
    """(name, dtype) of each integer array an integer layer reads: the smallest dtype holding every value
    the format allows in it (src/model/narrow-ints.ts, intArrayDtypes)."""
    bias, table = _bias_dtype, _table_dtype
    shift, multiplier = smallest_int_dtype([1, 62]), "i32"
    q = layer.get("quant", {})
    if layer.get("op") == "dense-int":
        tabled = [(layer["table"], table(layer["activation"], q["outputBits"]))] if layer["table"] is not None else []
        return [(layer["bias"], bias(q["biasBits"])), (layer["multiplier"], multiplier), (layer["shift"], shift)] + tabled
    if layer.get("op") == "gru-int":
        t, bits = layer["tables"], q["bits"]
        return [(layer["biasIh"], bias(q["biasBits"])), (layer["biasHh"], bias(q["biasBits"])), (layer["multiplier"], multiplier),
                (layer["shift"], shift), (t["r"], table("sigmoid", bits["r"])), (t["z"], table("sigmoid", bits["z"])),
                (t["n"], table("tanh", bits["n"]))]
    return []


def narrow_int_arrays(layers, tensors: dict) -> dict:
    """`tensors` with each i32 array an integer layer reads (and no tensor uses as a zero point) in its
    smallest dtype (src/model/narrow-ints.ts, narrowIntArrays); encode_tensor refuses a value outside it."""
    zero_points = {t.get("zeroPoint") for t in tensors.values() if isinstance(t, dict)}
    out = dict(tensors)
    for layer in layers:
        for name, dtype in _int_array_dtypes(layer):
            t = out.get(name)
            if isinstance(t, dict) and t.get("dtype") == "i32" and name not in zero_points:
                out[name] = {**t, "dtype": dtype}
    return out


def _version2_feature(spec: dict) -> bool:
    """Whether a table entry uses an encoding of format version 2 (src/model/version.ts)."""
    return spec["dtype"] in ("i16", "i8", "u8") or spec.get("indexBits") == 8 or spec.get("rowPtrBits") == 16


def _rows_cols(shape):
    shape = list(shape)
    return int(np.prod(shape[:-1], dtype=np.int64)) if len(shape) > 1 else 1, int(shape[-1])


def _pack_codes(codes, bits: int) -> bytes:
    """Signed `bits`-bit codes as one little-endian bit stream, least significant bit first."""
    codes = np.asarray(codes, dtype=np.int64).ravel()
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if codes.size and (codes.min() < low or codes.max() > high):
        raise ValueError(f"codes outside the {bits}-bit range [{low}, {high}]")
    unsigned = (codes & ((1 << bits) - 1)).astype(np.uint8)
    stream = np.unpackbits(unsigned[:, None], axis=1, count=8, bitorder="little")[:, :bits].ravel()
    return np.packbits(stream, bitorder="little").tobytes()


def _unpack_codes(data: bytes, offset: int, count: int, bits: int) -> np.ndarray:
    raw = np.frombuffer(data, dtype=np.uint8, count=-(-count * bits // 8), offset=offset)
    stream = np.unpackbits(raw, bitorder="little")[:count * bits].reshape(count, bits)
    codes = (stream.astype(np.int64) << np.arange(bits)).sum(axis=1)
    return np.where(codes >= 1 << (bits - 1), codes - (1 << bits), codes)


def _sparse_layout(spec: dict):
    """(index start, values start, byteLength) of a csr / block-sparse tensor (src/model/encodings.ts)."""
    rows, cols = spec["shape"]
    br, bc = spec.get("block", [1, 1])
    nnz, bits = spec["nnz"], INT_BITS.get(spec["values"])
    index_start = align_up(spec.get("rowPtrBits", 32) // 8 * (-(-rows // br) + 1))
    values_start = align_up(index_start + nnz * spec["indexBits"] // 8)
    block_row = 4 * bc if bits is None else bc * bits // 8
    stored = nnz * br * block_row if spec["dtype"] == "block-sparse" else (4 * nnz if bits is None else -(-nnz * bits // 8))
    return index_start, values_start, values_start + stored


MAX_SKIP = 255  # the widest gap one 8-bit delta index holds (src/model/sparse-gaps.ts)


def _bridge_gaps(row_ptr, col_idx, values, block_size: int):
    """Zero elements (blocks) inserted where more than MAX_SKIP columns lie between two stored elements of
    a row, or before the first (src/model/sparse-gaps.ts, bridgeGaps)."""
    values = np.asarray(values).reshape(-1, block_size)
    zero = np.zeros(block_size, dtype=values.dtype)
    ptr, cols, vals = [0], [], []
    for r in range(len(row_ptr) - 1):
        previous = -1
        for i in range(int(row_ptr[r]), int(row_ptr[r + 1])):
            c = int(col_idx[i])
            while c - previous - 1 > MAX_SKIP:
                previous += MAX_SKIP + 1
                cols.append(previous)
                vals.append(zero)
            cols.append(c)
            vals.append(values[i])
            previous = c
        ptr.append(len(cols))
    stored = np.concatenate(vals) if vals else np.zeros(0, dtype=values.dtype)
    return np.asarray(ptr, dtype=np.int64), np.asarray(cols, dtype=np.int64), stored


def _gap_bytes(row_ptr, col_idx) -> bytes:
    """8-bit delta indices of bridged parts: column − previous − 1, the first of a row from −1."""
    col_idx = np.asarray(col_idx, dtype=np.int64)
    previous = np.concatenate([[-1], col_idx[:-1]])
    starts = np.asarray(row_ptr[:-1], dtype=np.int64)
    previous[starts[starts < col_idx.size]] = -1
    skips = col_idx - previous - 1
    if skips.size and (skips.min() < 0 or skips.max() > MAX_SKIP):
        raise ValueError("column indices must increase within a row, gaps bridged")
    return skips.astype(np.uint8).tobytes()


def _sparse_form(name: str, t: dict, index_bits: int):
    """(table entry, row pointers, column indices, values) of a sparse tensor with `index_bits`-bit indices."""
    block = t.get("block")
    br, bc = block or (1, 1)
    row_ptr, col_idx, values = np.asarray(t["rowPtr"], dtype=np.int64), np.asarray(t["colIdx"], dtype=np.int64), t["values"]
    if index_bits == 8:
        row_ptr, col_idx, values = _bridge_gaps(row_ptr, col_idx, values, br * bc)
    nnz = int(col_idx.size)
    row_ptr_bits = int(t.get("rowPtrBits", 16 if nnz <= 0xFFFF else 32))
    if row_ptr_bits == 16 and nnz > 0xFFFF:
        raise ValueError(f"tensor {name!r}: {nnz} stored elements do not fit 16-bit row pointers")
    companions = {k: t[k] for k in ("scale", "zeroPoint") if t.get(k) is not None}
    spec = {"name": name, "dtype": t["dtype"], "shape": [int(d) for d in t["shape"]], "byteLength": 0, **companions,
            "values": t["valueDtype"], "nnz": nnz, "indexBits": index_bits, **({"rowPtrBits": 16} if row_ptr_bits == 16 else {})}
    if block is not None:
        spec["block"] = [int(d) for d in block]
    spec["byteLength"] = _sparse_layout(spec)[2]
    return spec, row_ptr, col_idx, values


def _encode_sparse(name: str, t: dict):
    """A csr / block-sparse tensor with the index width given, or the smallest of 8, 16, 32 (src/model/encode-tensor.ts)."""
    bc = (t.get("block") or (1, 1))[1]
    block_cols = -(-int(t["shape"][1]) // bc)
    widths = [int(t["indexBits"])] if "indexBits" in t else [b for b in (8, 16, 32) if b != 16 or block_cols <= 65536]
    forms = [_sparse_form(name, t, bits) for bits in widths]
    spec, row_ptr, col_idx, values = min(forms, key=lambda form: form[0]["byteLength"])  # the first on a tie
    index_start, values_start, _ = _sparse_layout(spec)
    blob = bytearray(spec["byteLength"])
    pointers = row_ptr.astype("<u2" if spec.get("rowPtrBits") == 16 else "<u4").tobytes()
    blob[:len(pointers)] = pointers
    bits = {8: None, 16: "<u2", 32: "<u4"}[spec["indexBits"]]
    index = _gap_bytes(row_ptr, col_idx) if bits is None else col_idx.astype(bits).tobytes()
    blob[index_start:index_start + len(index)] = index
    value_bits = INT_BITS.get(t["valueDtype"])
    stored = np.ascontiguousarray(values, dtype="<f4").tobytes() if value_bits is None else _pack_codes(values, value_bits)
    blob[values_start:values_start + len(stored)] = stored
    return spec, bytes(blob)


def encode_tensor(name: str, t):
    """(table entry without offset, bytes) of one tensor. `t` is a float array (f32) or a dict with
    the fields of src/model/encode-tensor.ts's TensorData: {"dtype": "i32", "data"}, {"dtype": "int4",
    "codes", "scale", "zeroPoint"?}, {"dtype": "csr" | "block-sparse", "shape", "valueDtype",
    "indexBits"? (8, 16, 32; omitted: the smallest), "rowPtrBits"? (16, 32; omitted: 16 where nnz allows),
    "block"?, "rowPtr", "colIdx" (absolute), "values", "scale"?, "zeroPoint"?}."""
    if not isinstance(t, dict) or t.get("dtype", "f32") == "f32":
        array = np.ascontiguousarray(t["data"] if isinstance(t, dict) else t, dtype="<f4")
        return {"name": name, "dtype": "f32", "shape": list(array.shape), "byteLength": array.nbytes}, array.tobytes()
    dtype = t["dtype"]
    if dtype in PLAIN_INTS:
        values = np.reshape(np.asarray(t["data"], dtype=np.int64), t.get("shape", np.shape(t["data"])))
        info = np.iinfo(PLAIN_INTS[dtype])
        if values.size and (values.min() < info.min or values.max() > info.max):
            raise ValueError(f"tensor {name!r}: values do not fit {dtype} [{info.min}, {info.max}]")
        array = np.ascontiguousarray(values, dtype=PLAIN_INTS[dtype])
        return {"name": name, "dtype": dtype, "shape": list(array.shape), "byteLength": array.nbytes}, array.tobytes()
    companions = {k: t[k] for k in ("scale", "zeroPoint") if t.get(k) is not None}
    if dtype in INT_BITS:
        codes = np.asarray(t["codes"]).reshape(t.get("shape", np.shape(t["codes"])))
        rows, cols = _rows_cols(codes.shape)
        blob = b"".join(_pack_codes(row, INT_BITS[dtype]) for row in codes.reshape(rows, cols))
        return {"name": name, "dtype": dtype, "shape": list(codes.shape), "byteLength": len(blob), **companions}, blob
    return _encode_sparse(name, t)


def write_model(path, header: dict, tensors: dict) -> bytes:
    """Writes `tensors` (name → float array for f32, or an encode_tensor dict; stored in the order JS
    would iterate the dict) after `header` (without "tensors"); returns the file's bytes. `path` None
    only returns them. The version is the lowest that holds the encodings (as src/model/write.ts)."""
    specs, blobs, end = [], [], 0
    for name in _js_key_order(tensors):
        spec, blob = encode_tensor(name, tensors[name])
        offset = align_up(end)
        specs.append({**spec, "offset": offset})
        blobs.append((offset, blob))
        end = offset + len(blob)
    version = 2 if any(_version2_feature(s) for s in specs) else 1
    text = js_json(canonical_header({**header, "version": version, "tensors": specs})).encode("utf-8")
    data_start = align_up(PREFIX_BYTES + len(text))
    body = bytearray(data_start + end)
    body[:PREFIX_BYTES] = MAGIC + struct.pack("<II", version, data_start - PREFIX_BYTES)
    body[PREFIX_BYTES:data_start] = text.ljust(data_start - PREFIX_BYTES, b" ")
    for offset, blob in blobs:
        body[data_start + offset:data_start + offset + len(blob)] = blob
    file = bytes(body) + struct.pack("<I", zlib.crc32(body))
    if path is not None:
        with open(path, "wb") as f:
            f.write(file)
    return file


def _dequantizer(spec: dict, raw: dict):
    """(scale, zero point) arrays of `spec`, one entry per row or one for all."""
    scale = raw[spec["scale"]].astype(np.float32)
    zero = raw[spec["zeroPoint"]] if "zeroPoint" in spec else np.zeros(scale.shape, dtype=np.int32)
    return scale, zero


def _decode(spec: dict, data: bytes, base: int, raw: dict, codes_only: bool = False) -> np.ndarray:
    """Dense float32 of an encoded tensor: x = scale[r] · (q − zeroPoint[r]) (src/model/decode-tensor.ts);
    with codes_only, the codes q of a packed-integer tensor (or of a sparse one's integer values, zero
    where nothing is stored) as int64 instead."""
    dtype, shape = spec["dtype"], spec["shape"]
    rows, cols = _rows_cols(shape)
    start = base + spec["offset"]
    if dtype in INT_BITS:
        bits = INT_BITS[dtype]
        row_bytes = -(-cols * bits // 8)
        codes = np.stack([_unpack_codes(data, start + r * row_bytes, cols, bits) for r in range(rows)])
        if codes_only:
            return codes.reshape(shape)
        scale, zero = _dequantizer(spec, raw)
        q = (codes - zero.reshape(-1, 1)).astype(np.float32)
        return (scale.reshape(-1, 1) * q).reshape(shape)
    index_start, values_start, _ = _sparse_layout(spec)
    br, bc = spec.get("block", [1, 1])
    nnz, bits = spec["nnz"], INT_BITS.get(spec["values"])
    block_grid = (-(-rows // br), -(-cols // bc))  # a last, partial block row or column is padded with zeros
    row_ptr = np.frombuffer(data, dtype="<u2" if spec.get("rowPtrBits") == 16 else "<u4", count=block_grid[0] + 1, offset=start)
    col_idx = np.frombuffer(data, dtype={8: "<u1", 16: "<u2", 32: "<u4"}[spec["indexBits"]], count=nnz, offset=start + index_start)
    if spec["indexBits"] == 8:  # deltas: column = previous + 1 + byte, the first of a row from −1
        steps = np.cumsum(col_idx.astype(np.int64) + 1)
        before = np.concatenate([[0], steps])[np.repeat(row_ptr[:-1].astype(np.int64), np.diff(row_ptr).astype(np.int64))]
        col_idx = steps - before - 1
    count = nnz * br * bc
    stored = (np.frombuffer(data, dtype="<f4", count=count, offset=start + values_start) if bits is None
              else _unpack_codes(data, start + values_start, count, bits)).reshape(nnz, br, bc)
    block_rows = np.repeat(np.arange(block_grid[0]), np.diff(row_ptr).astype(np.int64))
    padded_rows = block_grid[0] * br
    if bits is not None and not codes_only:
        scale, zero = _dequantizer(spec, raw)
        scale = np.pad(np.broadcast_to(scale, (rows,)), (0, padded_rows - rows), constant_values=1)
        zero = np.pad(np.broadcast_to(zero, (rows,)), (0, padded_rows - rows))
        scale = scale.reshape(block_grid[0], br, 1)[block_rows]
        zero = zero.reshape(block_grid[0], br, 1)[block_rows]
        stored = scale * (stored - zero).astype(np.float32)
    dense = np.zeros((block_grid[0], br, block_grid[1], bc), dtype=np.int64 if bits is not None and codes_only else np.float32)
    dense[block_rows, :, col_idx.astype(np.int64), :] = stored
    return dense.reshape(padded_rows, block_grid[1] * bc)[:rows, :cols]


def read_model(path, int_codes: bool = False):
    """Returns (header dict, {name: array}): float32 dense arrays, every encoding expanded, and int32
    for plain integer tensors (i32, i16, i8, u8, widened); with int_codes, packed-integer tensors (int2…int8) and sparse tensors of integer values
    as their int64 codes, unscaled (what integer layers read). Raises ValueError on a bad frame or tensor table; it does not check the
    layer graph or the sparse indices (the TS reader does)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < PREFIX_BYTES + 4 or data[:8] != MAGIC:
        raise ValueError(f"{path}: not a tinyhush model (too short or no TINYHUSH magic)")
    version, header_length = struct.unpack_from("<II", data, 8)
    if version not in FORMAT_VERSIONS:
        raise ValueError(f"{path}: format version {version}; this reader supports {FORMAT_VERSIONS}")
    data_start = PREFIX_BYTES + header_length
    if data_start % ALIGNMENT or data_start + 4 > len(data):
        raise ValueError(f"{path}: header length {header_length} is misaligned or past the end")
    (stored,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(data[:-4]) != stored:
        raise ValueError(f"{path}: CRC-32 mismatch (file corrupt or truncated)")
    header = json.loads(data[PREFIX_BYTES:data_start].decode("utf-8"))
    data_length = len(data) - 4 - data_start
    raw = {}
    for spec in header["tensors"]:
        if spec["offset"] % ALIGNMENT or spec["offset"] + spec["byteLength"] > data_length:
            raise ValueError(f"{path}: tensor {spec['name']!r} has a bad offset or size")
        if spec["dtype"] == "f32" or spec["dtype"] in PLAIN_INTS:
            count = int(np.prod(spec["shape"]))
            element = np.dtype(PLAIN_INTS.get(spec["dtype"], "<f4"))
            if spec["byteLength"] != element.itemsize * count:
                raise ValueError(f"{path}: tensor {spec['name']!r} has a bad size")
            array = np.frombuffer(data, dtype=element, count=count, offset=data_start + spec["offset"])
            raw[spec["name"]] = array.reshape(spec["shape"]).astype(np.float32 if spec["dtype"] == "f32" else np.int32)
        elif spec["dtype"] not in INT_BITS and spec["dtype"] not in ("csr", "block-sparse"):
            raise ValueError(f"{path}: tensor {spec['name']!r} has unknown dtype {spec['dtype']!r}")
    tensors = {spec["name"]: raw[spec["name"]] if spec["name"] in raw else _decode(spec, data, data_start, raw, int_codes)
               for spec in header["tensors"]}
    return header, tensors


def quantize(array, bits: int, per_row: bool = True):
    """Symmetric `bits`-bit quantization (zero point 0): (codes with the array's shape, float32 scales
    of shape [rows] or [1]), scale = max|x| / (2^(b−1) − 1) (1 for an all-zero row), codes rounded half to even."""
    array = np.asarray(array, dtype=np.float32)
    rows, cols = _rows_cols(array.shape)
    matrix = array.reshape(rows, cols) if per_row else array.reshape(1, -1)
    high = (1 << (bits - 1)) - 1
    peak = np.abs(matrix).max(axis=1)
    scale = np.where(peak > 0, peak / high, 1).astype(np.float32)
    codes = np.clip(np.round(matrix / scale[:, None]), -high - 1, high).astype(np.int32)
    return codes.reshape(array.shape), scale


def to_sparse(matrix, block=None):
    """Row pointers, column indices (in blocks) and stored values (blocks row-major) of the non-zero
    elements (csr, block None) or non-zero [br, bc] blocks of a 2-D array of values or codes; blocks of a
    last, partial block row or column are padded with zeros."""
    matrix = np.asarray(matrix)
    rows, cols = matrix.shape
    br, bc = block or (1, 1)
    matrix = np.pad(matrix, ((0, -rows % br), (0, -cols % bc)))
    tiles = matrix.reshape(matrix.shape[0] // br, br, matrix.shape[1] // bc, bc).transpose(0, 2, 1, 3)
    keep = np.any(tiles != 0, axis=(2, 3))
    row_ptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.uint32)
    block_rows, col_idx = np.nonzero(keep)
    return row_ptr, col_idx.astype(np.uint32), tiles[block_rows, col_idx].ravel()
