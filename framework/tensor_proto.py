"""``TensorProto``s without protobuf: ``tfx.make_tensor_proto`` and ``tfx.make_ndarray``.

``TensorProto`` has TensorFlow's fields (``dtype`` is the DataType enum number,
``tensor_shape.dim[i].size``, ``tensor_content`` or one of the ``*_val`` lists), prints as
TensorFlow's text format, and reads and writes TensorFlow's wire format
(``SerializeToString`` / ``FromString``), so its bytes are interchangeable with a real
``tensorflow.TensorProto``'s. ``make_tensor_proto`` chooses between the packed
``tensor_content`` and the ``*_val`` lists as TensorFlow does.
"""
import struct

import numpy as np  # conversion at the edges: a proto is host data

from . import dtypes as _dt

__all__ = ["TensorProto", "TensorShapeProto", "make_tensor_proto", "make_ndarray",
           "DATA_TYPES"]

DATA_TYPES = _dt._ENUM  # dtype name -> DataType enum number
_ENUM_NAMES = {"float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF"}
_BY_NUMBER = {v: k for k, v in DATA_TYPES.items()}

# Which list holds each dtype's values when tensor_content does not.
_VAL_FIELD = {"float32": "float_val", "float64": "double_val", "int32": "int_val",
              "uint8": "int_val", "int16": "int_val", "int8": "int_val", "uint16": "int_val",
              "string": "string_val", "complex64": "scomplex_val", "int64": "int64_val",
              "bool": "bool_val", "complex128": "dcomplex_val", "float16": "half_val",
              "bfloat16": "half_val", "uint32": "uint32_val", "uint64": "uint64_val"}
_CONTENT_TYPES = frozenset(["float16", "bfloat16", "float32", "float64", "int8", "int16",
                            "int32", "int64", "uint8", "uint32", "uint64"])

# (field number, kind) in field-number order; kinds name the wire encoding.
_FIELDS = [("dtype", 1, "enum"), ("tensor_shape", 2, "shape"), ("version_number", 3, "int"),
           ("tensor_content", 4, "bytes"), ("float_val", 5, "f32"), ("double_val", 6, "f64"),
           ("int_val", 7, "int"), ("string_val", 8, "strings"), ("scomplex_val", 9, "f32"),
           ("int64_val", 10, "int"), ("bool_val", 11, "bool"), ("dcomplex_val", 12, "f64"),
           ("half_val", 13, "int"), ("uint32_val", 16, "uint"), ("uint64_val", 17, "uint")]
_LISTS = [name for name, _, kind in _FIELDS if kind in ("f32", "f64", "int", "strings", "bool",
                                                         "uint") and name != "version_number"]


def enum_name(number):
    name = _BY_NUMBER.get(number, "")
    return _ENUM_NAMES.get(name, "DT_" + name.upper() if name else str(number))


class TensorShapeProto:
    """``dim``: a list of ``Dim(size, name)``; ``unknown_rank``."""

    class Dim:
        __slots__ = ("size", "name")

        def __init__(self, size=0, name=""):
            self.size, self.name = int(size), name

        def __eq__(self, other):
            return (self.size, self.name) == (other.size, other.name)

    def __init__(self, dims=(), unknown_rank=False):
        self.dim = [TensorShapeProto.Dim(d) for d in dims]
        self.unknown_rank = unknown_rank

    def __eq__(self, other):
        return self.dim == other.dim and self.unknown_rank == other.unknown_rank

    def _wire(self):
        out = b""
        for d in self.dim:
            body = (_key(1, 0) + _varint(d.size) if d.size else b"") + (
                _key(2, 2) + _varint(len(d.name.encode())) + d.name.encode() if d.name else b"")
            out += _key(2, 2) + _varint(len(body)) + body
        if self.unknown_rank:
            out += _key(3, 0) + b"\x01"
        return out


class TensorProto:
    """TensorFlow's TensorProto message (the fields tfx reads and writes)."""

    def __init__(self):
        self.dtype = 0
        self.tensor_shape = TensorShapeProto()
        self.version_number = 0
        self.tensor_content = b""
        for name in _LISTS:
            setattr(self, name, [])

    def __eq__(self, other):
        return isinstance(other, TensorProto) and all(
            getattr(self, n) == getattr(other, n) for n, _, _ in _FIELDS)

    def __str__(self):
        lines = [f"dtype: {enum_name(self.dtype)}", "tensor_shape {"]
        for d in self.tensor_shape.dim:
            lines += ["  dim {"] + ([f"    size: {d.size}"] if d.size else []) + ["  }"]
        if self.tensor_shape.unknown_rank:
            lines.append("  unknown_rank: true")
        lines.append("}")
        if self.version_number:
            lines.append(f"version_number: {self.version_number}")
        if self.tensor_content:
            lines.append(f'tensor_content: "{_escape(self.tensor_content)}"')
        for name in _LISTS:
            single = name in ("float_val", "scomplex_val")
            for v in getattr(self, name):
                lines.append(f"{name}: {_text(np.float32(v) if single else v)}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__

    def SerializeToString(self):  # noqa: N802 - protobuf's name
        out = b""
        for name, number, kind in _FIELDS:
            value = getattr(self, name)
            if kind == "shape":
                body = value._wire()
                out += _key(number, 2) + _varint(len(body)) + body
            elif kind in ("enum", "int") and name in ("dtype", "version_number"):
                out += _key(number, 0) + _varint(value) if value else b""
            elif kind == "bytes":
                out += _key(number, 2) + _varint(len(value)) + value if value else b""
            elif kind == "strings":
                for s in value:
                    out += _key(number, 2) + _varint(len(s)) + s
            elif value:
                body = _packed(kind, value)
                out += _key(number, 2) + _varint(len(body)) + body
        return out

    @classmethod
    def FromString(cls, data):  # noqa: N802 - protobuf's name
        p = cls()
        p.ParseFromString(data)
        return p

    def ParseFromString(self, data):  # noqa: N802 - protobuf's name
        self.__init__()
        by_number = {number: (name, kind) for name, number, kind in _FIELDS}
        for number, wire, value in _read_fields(bytes(data)):
            if number not in by_number:
                continue  # a field tfx does not model (resource handles, variants)
            name, kind = by_number[number]
            if kind == "shape":
                self.tensor_shape = _read_shape(value)
            elif name in ("dtype", "version_number"):
                setattr(self, name, _signed(value, 32))
            elif kind == "bytes":
                self.tensor_content = value
            elif kind == "strings":
                self.string_val.append(value)
            else:
                getattr(self, name).extend(_unpack(kind, wire, value))
        return len(data)


# ---- wire format ------------------------------------------------------------------------------

def _varint(v):
    v &= (1 << 64) - 1  # negative numbers: ten bytes of two's complement, as protobuf writes
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(number, wire):
    return _varint(number << 3 | wire)


def _packed(kind, values):
    if kind == "f32":
        return struct.pack(f"<{len(values)}f", *values)
    if kind == "f64":
        return struct.pack(f"<{len(values)}d", *values)
    return b"".join(_varint(int(v)) for v in values)


def _read_varint(data, pos):
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _signed(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _read_fields(data):
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + n], pos + n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _unpack(kind, wire, value):
    if kind == "f32":
        return list(struct.unpack(f"<{len(value) // 4}f", value))
    if kind == "f64":
        return list(struct.unpack(f"<{len(value) // 8}d", value))
    if wire == 0:
        raw = [value]
    else:
        raw, pos = [], 0
        while pos < len(value):
            v, pos = _read_varint(value, pos)
            raw.append(v)
    if kind == "bool":
        return [bool(v) for v in raw]
    if kind == "uint":
        return raw
    return [_signed(v, 64) for v in raw]


def _read_shape(data):
    shape = TensorShapeProto()
    for number, _, value in _read_fields(data):
        if number == 2:
            d = TensorShapeProto.Dim()
            for n, _, v in _read_fields(value):
                if n == 1:
                    d.size = _signed(v, 64)
                elif n == 2:
                    d.name = v.decode()
            shape.dim.append(d)
        elif number == 3:
            shape.unknown_rank = bool(value)
    return shape


def _escape(b):
    out = []
    for c in b:
        ch = chr(c)
        if ch in "\"'\\":
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append(f"\\{c:03o}")
    return "".join(out)


def _text(v):
    """A value as protobuf's text format prints it (floats in their shortest form)."""
    if isinstance(v, bytes):
        return f'"{_escape(v)}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        r = str(v)
        return r[:-2] if r.endswith(".0") else r
    return str(v)


# ---- building and reading -----------------------------------------------------------------------

def _as_array(values, dtype):
    from .core.tensor import convert_to_tensor
    if values is None:
        raise ValueError("None values not supported.")
    return np.asarray(convert_to_tensor(values, dtype).numpy())


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False):
    """A TensorProto holding ``values`` (any tensor-like) as ``dtype``, of ``shape``.

    With ``shape`` and fewer values than it holds, the proto keeps the values and
    ``make_ndarray`` repeats the last one; more values than it holds is a ValueError.
    ``verify_shape`` requires the values' own shape; ``allow_broadcast`` also allows a single
    value (TypeError otherwise)."""
    d = _dt.as_dtype(dtype) if dtype is not None else None
    arr = _as_array(values, d)
    d = _dt.from_numpy(arr.dtype) if d is None else d
    if shape is None:
        shape = arr.shape
    else:
        shape = tuple(int(s) for s in shape)
        if (verify_shape or allow_broadcast) and arr.shape != shape and not (
                allow_broadcast and arr.size == 1):
            raise TypeError(f"Expected Tensor's shape: {shape}, but got {arr.shape}.")
    size = int(np.prod(shape, dtype=np.int64))
    if arr.size > size:
        raise ValueError(f"Too many elements provided. Takes at most {size}, but got "
                         f"{arr.size}.")
    p = TensorProto()
    p.dtype = DATA_TYPES[d.name]
    p.tensor_shape = TensorShapeProto(shape)
    flat = arr.reshape(-1)
    if d.name in _CONTENT_TYPES and arr.size == size and size > 1:
        p.tensor_content = flat.astype(arr.dtype.newbyteorder("<")).tobytes()
    elif d.name in ("float16", "bfloat16"):
        p.half_val = flat.view(np.uint16).tolist()
    elif d.is_complex:
        getattr(p, _VAL_FIELD[d.name]).extend(
            np.stack([flat.real, flat.imag], -1).reshape(-1).tolist())
    else:
        getattr(p, _VAL_FIELD[d.name]).extend(flat.tolist())
    return p


def make_ndarray(tensor):
    """The NumPy array a TensorProto (or a tensor) holds."""
    if not isinstance(tensor, TensorProto):
        if hasattr(tensor, "numpy"):
            return tensor.numpy()
        raise TypeError(f"make_ndarray expects a TensorProto, got {type(tensor).__name__}")
    name = _BY_NUMBER.get(tensor.dtype)
    if name not in _VAL_FIELD:
        raise TypeError(f"Unsupported tensor type: {tensor.dtype}")
    d = _dt.as_dtype(name)
    shape = tuple(dim.size for dim in tensor.tensor_shape.dim)
    size = int(np.prod(shape, dtype=np.int64))
    npd = np.dtype(object) if d is _dt.string else d._np
    if tensor.tensor_content:
        return np.frombuffer(tensor.tensor_content, dtype=npd.newbyteorder("<")).astype(
            npd).reshape(shape)
    vals = getattr(tensor, _VAL_FIELD[name])
    if name in ("float16", "bfloat16"):
        flat = np.asarray(vals, dtype=np.uint16).view(npd)
    elif d.is_complex:
        pairs = np.asarray(vals, dtype=d.real_dtype._np).reshape(-1, 2)
        flat = (pairs[:, 0] + 1j * pairs[:, 1]).astype(npd)
    elif d is _dt.string:
        flat = np.empty(len(vals), dtype=object)
        flat[:] = list(vals)
    else:
        flat = np.asarray(vals, dtype=npd)
    if flat.size == size:
        return flat.reshape(shape)
    if flat.size == 0:
        return np.zeros(shape, dtype=npd) if d is not _dt.string else np.full(shape, b"",
                                                                               dtype=object)
    out = np.empty(size, dtype=npd)
    out[:flat.size] = flat
    out[flat.size:] = flat[-1]
    return out.reshape(shape)
