"""``tfx.io``: files, CSV records, tensor serialization and image coding (``tf.io``).

``serialize_tensor`` writes TensorFlow's own TensorProto bytes (through the protobuf classes
tensorboardX ships), so TensorFlow's ``parse_tensor`` reads what tfx writes and back; no
Python objects are ever unpickled.
"""
import base64 as _base64
import collections as _collections
import csv as _csv
import glob as _glob
import os as _os
import shutil as _shutil

from . import dtypes as _dt
from .backend import xp
from .ops._core import t, wrap
from .image import (decode_bmp, decode_gif, decode_image, decode_jpeg,  # noqa: F401
                    decode_png, encode_jpeg, encode_png, extract_jpeg_shape, is_jpeg)

__all__ = ["read_file", "write_file", "matching_files", "decode_csv", "serialize_tensor",
           "parse_tensor", "decode_raw", "encode_base64", "decode_base64", "decode_compressed",
           "TFRecordOptions", "TFRecordWriter", "FixedLenFeature", "VarLenFeature",
           "parse_example", "parse_single_example", "gfile",
           "decode_png", "encode_png", "decode_jpeg", "encode_jpeg", "decode_image",
           "decode_bmp", "decode_gif", "is_jpeg", "extract_jpeg_shape"]


def _invalid(api, msg):
    from .errors import InvalidArgumentError
    return InvalidArgumentError(None, api, msg)


def _string(value):
    return wrap(xp.asarray(value, dtype=object), _dt.string)


def _py(value):
    """A Python str / bytes / list from a string tensor or plain value."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, xp.ndarray):
        value = value.tolist()
    return value


def _text(value):
    v = _py(value)
    return v.decode() if isinstance(v, bytes) else v


# ---- files -------------------------------------------------------------------------------------

def read_file(filename, name=None):
    """The whole file's bytes as a scalar string tensor."""
    path = _text(filename)
    try:
        with open(path, "rb") as f:
            return _string(f.read())
    except FileNotFoundError:
        from .errors import NotFoundError
        raise NotFoundError(None, "tfx.io.read_file", f"{path}; No such file or directory") \
            from None


def write_file(filename, contents, name=None):
    """Write ``contents`` (a scalar string) to ``filename``, creating or replacing it."""
    data = _py(contents)
    if isinstance(data, str):
        data = data.encode()
    with open(_text(filename), "wb") as f:
        f.write(data)


def matching_files(pattern, name=None):
    """The sorted file names matching a glob ``pattern`` (or list of patterns)."""
    pats = _py(pattern)
    pats = [pats] if isinstance(pats, (str, bytes)) else pats
    names = sorted({m for p in pats
                    for m in _glob.glob(p.decode() if isinstance(p, bytes) else p)})
    return _string([n.encode() for n in names])


# ---- CSV ---------------------------------------------------------------------------------------

_CSV_TYPES = (_dt.float32, _dt.float64, _dt.int32, _dt.int64, _dt.string)


def _csv_default(d):
    x = t(d) if not isinstance(d, (list, tuple)) or len(d) else None
    if x is None:
        raise ValueError("A record default given as an empty list needs a dtype: use "
                         "tfx.constant([], dtype=...)")
    if x._dtype not in _CSV_TYPES:
        raise TypeError(f"decode_csv: unsupported record default dtype {x._dtype.name}")
    vals = x._v.reshape(-1)
    if vals.size > 1:
        raise ValueError("Each record default should be at most rank 1")
    return x._dtype, (vals[0] if vals.size else None)


def _parse_field(text, dtype, default, col, row):
    api = "tfx.io.decode_csv"
    if text == "" or text is None:
        if default is None:
            raise _invalid(api, f"Field {col} is required but missing in record {row}!")
        return default
    if dtype is _dt.string:
        return text.encode()
    try:
        if dtype.is_integer:
            v = int(text)
            if not dtype.min <= v <= dtype.max:
                raise ValueError
            return v
        return float(text)
    except ValueError:
        raise _invalid(api, f"Field {col} in record {row} is not a valid "
                       f"{'int' if dtype.is_integer else 'float'}: {text}") from None


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None, name=None):
    """Parse CSV lines into one tensor per column, shaped like ``records``; each column's
    dtype and missing-field default come from ``record_defaults`` (an empty default makes
    the field required)."""
    api = "tfx.io.decode_csv"
    recs = t(records)
    lines = [r.decode() if isinstance(r, bytes) else r for r in recs._v.reshape(-1).tolist()]
    specs = [_csv_default(d) for d in record_defaults]
    if select_cols is not None:
        select_cols = list(select_cols)
        if select_cols != sorted(set(select_cols)):
            raise ValueError("select_cols is not strictly increasing.")
        if len(select_cols) != len(specs):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    reader = _csv.reader(lines, delimiter=field_delim,
                         quoting=_csv.QUOTE_MINIMAL if use_quote_delim else _csv.QUOTE_NONE)
    columns = [[] for _ in specs]
    for row, fields in enumerate(reader):
        if not fields:
            fields = [""]
        picked = [fields[c] if c < len(fields) else None for c in select_cols] \
            if select_cols is not None else fields
        if select_cols is None and len(picked) != len(specs):
            raise _invalid(api, f"Expect {len(specs)} fields but have {len(picked)} in "
                           f"record {row}")
        for col, ((dtype, default), text) in enumerate(zip(specs, picked)):
            if text == na_value and na_value != "":
                text = ""
            columns[col].append(_parse_field(text, dtype, default, col, row))
    shape = recs._v.shape
    out = []
    for (dtype, _), vals in zip(specs, columns):
        if dtype is _dt.string:
            arr = xp.empty(len(vals), dtype=object)
            arr[:] = vals
        else:
            arr = xp.asarray(vals, dtype=dtype._np)
        out.append(wrap(arr.reshape(shape), dtype))
    return out


# ---- tensors as bytes --------------------------------------------------------------------------

# TensorFlow's DataType enum values (types.proto)
_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
         "string": 7, "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14, "uint16": 17,
         "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
_BY_ENUM = {v: k for k, v in _ENUM.items()}


def _tensorboardx():
    """The tensorboardX package, imported with torch and boto3 kept out unless already loaded:
    it imports them (seconds) only to accept torch tensors and write to S3, which tfx never
    asks of it."""
    import sys
    hidden = [m for m in ("torch", "boto3") if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # `import m` raises ImportError, which tensorboardX handles
    try:
        import tensorboardX
    finally:
        for m in hidden:
            if m in sys.modules and sys.modules[m] is None:
                del sys.modules[m]
    return tensorboardX


def _tensor_proto():
    _tensorboardx()
    from tensorboardX.proto.tensor_pb2 import TensorProto
    return TensorProto


def _to_proto(x):
    proto = _tensor_proto()()
    proto.dtype = _ENUM[x._dtype.name]
    for n in x._v.shape:
        proto.tensor_shape.dim.add(size=int(n))
    host = x.numpy() if x._dtype is not _dt.string else x._v
    if x._dtype is _dt.string:
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode()
                                for v in host.reshape(-1).tolist())
    else:
        proto.tensor_content = xp.ascontiguousarray(host).astype(
            host.dtype.newbyteorder("<"), copy=False).tobytes()
    return proto


def serialize_tensor(tensor, name=None):
    """A scalar string holding ``tensor`` as a serialized TensorFlow TensorProto."""
    return _string(_to_proto(t(tensor)).SerializeToString())


def _proto_values(proto, dtype, count):
    """Values stored in the typed repeated fields (TensorFlow writes small constants so)."""
    field = {"float32": "float_val", "float64": "double_val", "int64": "int64_val",
             "bool": "bool_val", "complex64": "scomplex_val", "complex128": "dcomplex_val",
             "float16": "half_val", "bfloat16": "half_val", "uint32": "uint32_val",
             "uint64": "uint64_val"}.get(dtype.name, "int_val")
    vals = list(getattr(proto, field))
    np_dtype = dtype._np
    if dtype.is_complex:
        vals = [complex(a, b) for a, b in zip(vals[::2], vals[1::2])]
    if dtype.name in ("float16", "bfloat16"):
        arr = xp.asarray(vals, dtype=xp.uint16).view(np_dtype)
    else:
        arr = xp.asarray(vals, dtype=np_dtype)
    if arr.size == count:
        return arr
    if arr.size == 0:
        return xp.zeros(count, np_dtype)
    # A shorter list repeats its last value, as TensorFlow's compact encoding does.
    return xp.concatenate([arr, xp.full(count - arr.size, arr[-1], np_dtype)])


def _string_content(data, count):
    """Strings packed as TensorFlow packs them in ``tensor_content``: ``count`` varint
    lengths, then the bytes of each string in turn."""
    lengths, pos = [], 0
    for _ in range(count):
        n, pos = _varint(data, pos)
        lengths.append(n)
    out = []
    for n in lengths:
        out.append(bytes(data[pos:pos + n]))
        pos += n
    return out


def parse_tensor(serialized, out_type, name=None):
    """The tensor inside a serialized TensorProto; its dtype must be ``out_type``."""
    api = "tfx.io.parse_tensor"
    data = _py(serialized)
    if isinstance(data, str):
        data = data.encode()
    proto = _tensor_proto()()
    try:
        proto.ParseFromString(data)
    except Exception:  # noqa: BLE001 - protobuf's DecodeError, whatever its class
        raise _invalid(api, "Could not parse `serialized` as TensorProto") from None
    want = _dt.as_dtype(out_type)
    got = _BY_ENUM.get(proto.dtype)
    if got != want.name:
        raise _invalid(api, f"Type mismatch between parsed tensor ({got}) and dtype "
                       f"({want.name})")
    shape = tuple(d.size for d in proto.tensor_shape.dim)
    count = 1
    for n in shape:
        count *= n
    if want is _dt.string:
        arr = xp.empty(count, dtype=object)
        arr[:] = list(proto.string_val) if not proto.tensor_content else \
            _string_content(proto.tensor_content, count)
    elif proto.tensor_content:
        arr = xp.frombuffer(proto.tensor_content, dtype=want._np.newbyteorder("<")).astype(
            want._np)
    else:
        arr = _proto_values(proto, want, count)
    return wrap(arr.reshape(shape), want)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterpret each string's bytes as a vector of ``out_type``."""
    d = _dt.as_dtype(out_type)
    x = t(input_bytes)
    np_dtype = d._np.newbyteorder("<" if little_endian else ">")
    rows = []
    for b in x._v.reshape(-1).tolist():
        if fixed_length is not None:
            b = b[:fixed_length].ljust(fixed_length, b"\0")
        if len(b) % np_dtype.itemsize:
            raise _invalid("tfx.io.decode_raw", f"Input to DecodeRaw has length {len(b)} "
                           f"that is not a multiple of {np_dtype.itemsize}, the size of "
                           f"{d.name}")
        rows.append(xp.frombuffer(b, dtype=np_dtype).astype(d._np))
    width = {r.size for r in rows}
    if len(width) > 1:
        raise _invalid("tfx.io.decode_raw", "DecodeRaw requires input strings to all be the "
                       "same size")
    n = width.pop() if width else 0
    out = xp.stack(rows) if rows else xp.zeros((0, n), d._np)
    return wrap(out.reshape(x._v.shape + (n,)), d)


def encode_base64(input, pad=False, name=None):  # noqa: A002
    """Web-safe base64 ('-' and '_'), unpadded unless ``pad``."""
    x = t(input)
    out = [_base64.urlsafe_b64encode(b) for b in x._v.reshape(-1).tolist()]
    if not pad:
        out = [b.rstrip(b"=") for b in out]
    arr = xp.empty(len(out), dtype=object)
    arr[:] = out
    return wrap(arr.reshape(x._v.shape), _dt.string)


def decode_base64(input, name=None):  # noqa: A002
    """Decode web-safe base64, padded or not."""
    x = t(input)
    out = [_base64.urlsafe_b64decode(b + b"=" * (-len(b) % 4))
           for b in x._v.reshape(-1).tolist()]
    arr = xp.empty(len(out), dtype=object)
    arr[:] = out
    return wrap(arr.reshape(x._v.shape), _dt.string)


def decode_compressed(bytes, compression_type="", name=None):  # noqa: A002 - TF's name
    """Decompress each string: compression_type '' (none), 'ZLIB' or 'GZIP'."""
    import gzip
    import zlib
    kind = (compression_type or "").upper()
    if kind not in ("", "ZLIB", "GZIP"):
        raise _invalid("tfx.io.decode_compressed", f"Unsupported compression type: "
                       f"{compression_type}")
    x = t(bytes)
    fn = {"": lambda b: b, "ZLIB": zlib.decompress, "GZIP": gzip.decompress}[kind]
    out = xp.empty(x._v.size, dtype=object)
    try:
        out[:] = [fn(b) for b in x._v.reshape(-1).tolist()]
    except (OSError, zlib.error) as e:
        raise _invalid("tfx.io.decode_compressed", f"decompression failed: {e}") from None
    return wrap(out.reshape(x._v.shape), _dt.string)


# ---- tf.train.Example records -----------------------------------------------------------------

FixedLenFeature = _collections.namedtuple("FixedLenFeature", ["shape", "dtype",
                                                              "default_value"],
                                          defaults=[None])
FixedLenFeature.__doc__ = "A feature of fixed ``shape`` (a dense tensor per example)."
VarLenFeature = _collections.namedtuple("VarLenFeature", ["dtype"])
VarLenFeature.__doc__ = "A feature of any length (a SparseTensor over the batch)."


def _varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of a protobuf message: ints for varints, bytes for
    length-delimited and fixed-width fields."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = _varint(buf, pos)
        elif wire == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield num, wire, val


def _int64s(wire, v):
    """The int64 values of one Int64List field: a varint, or a packed run of them."""
    if wire == 0:
        vals = [v]
    else:
        vals, p = [], 0
        while p < len(v):
            x, p = _varint(v, p)
            vals.append(x)
    return [x - (1 << 64) if x >= 1 << 63 else x for x in vals]


def _feature_values(buf):
    """(kind, values) of a serialized tf.train.Feature: 'bytes', 'float' or 'int64'."""
    for num, _, lst in _fields(buf):
        kind = {1: "bytes", 2: "float", 3: "int64"}.get(num)
        values = []
        for _, wire, v in _fields(lst):
            if kind == "bytes":
                values.append(bytes(v))
            elif kind == "float":
                values.extend(xp.frombuffer(v, dtype="<f4").tolist() if wire in (2, 5)
                              else [])
            else:
                values.extend(_int64s(wire, v))
        return kind, values
    return None, []


def _example_features(serialized):
    """{name: (kind, values)} of one serialized tf.train.Example."""
    out = {}
    for num, _, features in _fields(serialized):
        if num != 1:
            continue
        for fnum, _, entry in _fields(features):
            if fnum != 1:
                continue
            key, value = "", b""
            for enum, _, v in _fields(entry):
                if enum == 1:
                    key = bytes(v).decode()
                elif enum == 2:
                    value = v
            out[key] = _feature_values(value)
    return out


def _column(values, dtype):
    if dtype is _dt.string:
        arr = xp.empty(len(values), dtype=object)
        arr[:] = values
        return arr
    return xp.asarray(values, dtype=dtype._np)


# ---- TFRecord files ----------------------------------------------------------------------------

class TFRecordOptions:
    """How a TFRecord file is compressed: ``compression_type`` None/'' , 'ZLIB' or 'GZIP'
    (with ``compression_level``); the buffer and flush settings are accepted and unused."""

    compression_type_map = {None: "", "": "", "ZLIB": "ZLIB", "GZIP": "GZIP"}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        kind = compression_type.upper() if isinstance(compression_type, str) else \
            compression_type
        if kind not in self.compression_type_map:
            raise ValueError(f'compression_type must be None, "", "ZLIB" or "GZIP", got '
                             f"{compression_type!r}")
        self.compression_type = self.compression_type_map[kind]
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return cls(options).compression_type


def _masked_crc(data):
    _tensorboardx()
    from tensorboardX.record_writer import masked_crc32c
    return masked_crc32c(data)


class TFRecordWriter:
    """Write records (bytes) to a TFRecord file: each a little-endian uint64 length, its
    masked CRC-32C, the data and the data's masked CRC-32C (TensorFlow's format)."""

    def __init__(self, path, options=None):
        import gzip
        import struct
        import zlib
        self._struct = struct
        opts = options if isinstance(options, TFRecordOptions) else TFRecordOptions(options)
        level = opts.compression_level
        self._file = open(_text(path), "wb")
        self._zlib = None
        if opts.compression_type == "GZIP":
            self._out = gzip.GzipFile(fileobj=self._file, mode="wb",
                                      compresslevel=9 if level is None or level < 0 else level)
        else:
            self._out = self._file
            if opts.compression_type == "ZLIB":
                self._zlib = zlib.compressobj(-1 if level is None else level)

    def _put(self, data):
        self._out.write(self._zlib.compress(data) if self._zlib is not None else data)

    def write(self, record):
        """Append one record (bytes, str or a scalar string tensor)."""
        data = _py(record)
        if isinstance(data, str):
            data = data.encode()
        pack = self._struct.pack
        header = pack("<Q", len(data))
        self._put(header + pack("<I", _masked_crc(header)) + data +
                  pack("<I", _masked_crc(data)))

    def flush(self):
        if self._zlib is not None:
            self._out.write(self._zlib.flush(__import__("zlib").Z_SYNC_FLUSH))
        self._out.flush()

    def close(self):
        if self._out is None:
            return
        if self._zlib is not None:
            self._out.write(self._zlib.flush())
        if self._out is not self._file:
            self._out.close()
        self._file.close()
        self._out = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- gfile -------------------------------------------------------------------------------------

class GFile:
    """A file object (``tf.io.gfile.GFile``): 'r' reads str, 'rb' bytes; opened on first use."""

    def __init__(self, name, mode="r"):
        self.name = _text(name)
        self.mode = mode
        self._f = None

    def _file(self):
        if self._f is None:
            if "r" in self.mode and not _os.path.exists(self.name):
                from .errors import NotFoundError
                raise NotFoundError(None, "tfx.io.gfile.GFile", f"{self.name}; No such file "
                                    "or directory")
            self._f = open(self.name, self.mode)
        return self._f

    def __getattr__(self, attr):
        return getattr(self._file(), attr)

    def __iter__(self):
        return iter(self._file())

    def __next__(self):
        return next(self._file())

    def __enter__(self):
        self._file()
        return self

    def __exit__(self, *exc):
        self.close()

    def size(self):
        return _os.path.getsize(self.name)

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None


def _not_found(api, path):
    from .errors import NotFoundError
    return NotFoundError(None, api, f"{path}; No such file or directory")


def _remove(path):
    path = _text(path)
    if not _os.path.exists(path):
        raise _not_found("tfx.io.gfile.remove", path)
    _os.remove(path)


def _rename(src, dst, overwrite=False):
    src, dst = _text(src), _text(dst)
    if _os.path.exists(dst) and not overwrite:
        from .errors import AlreadyExistsError
        raise AlreadyExistsError(None, "tfx.io.gfile.rename", f"{dst}; File already exists")
    _os.replace(src, dst)


def _copy(src, dst, overwrite=False):
    src, dst = _text(src), _text(dst)
    if _os.path.exists(dst) and not overwrite:
        from .errors import AlreadyExistsError
        raise AlreadyExistsError(None, "tfx.io.gfile.copy", f"{dst}; File already exists")
    _shutil.copyfile(src, dst)


def _listdir(path):
    path = _text(path)
    if not _os.path.isdir(path):
        raise _not_found("tfx.io.gfile.listdir", path)
    return _os.listdir(path)


def _walk(top, topdown=True, onerror=None):
    return _os.walk(_text(top), topdown=topdown, onerror=onerror)


class FileStatistics:
    """``gfile.stat``'s answer: length in bytes, modification time in ns, is_directory."""

    def __init__(self, length, mtime_nsec, is_directory):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory


def _stat(path):
    path = _text(path)
    try:
        st = _os.stat(path)
    except FileNotFoundError:
        raise _not_found("tfx.io.gfile.stat", path) from None
    import stat as _st
    return FileStatistics(st.st_size, st.st_mtime_ns, _st.S_ISDIR(st.st_mode))


class _GFileModule:
    """``tfx.io.gfile``: file-system helpers on local paths."""

    GFile = GFile
    exists = staticmethod(lambda path: _os.path.exists(_text(path)))
    isdir = staticmethod(lambda path: _os.path.isdir(_text(path)))
    makedirs = staticmethod(lambda path: _os.makedirs(_text(path), exist_ok=True))
    mkdir = staticmethod(lambda path: _os.mkdir(_text(path)))
    listdir = staticmethod(_listdir)
    glob = staticmethod(lambda pattern: sorted(_glob.glob(_text(pattern))))
    remove = staticmethod(_remove)
    rename = staticmethod(_rename)
    copy = staticmethod(_copy)
    rmtree = staticmethod(lambda path: _shutil.rmtree(_text(path)))
    walk = staticmethod(_walk)
    stat = staticmethod(_stat)
    join = staticmethod(lambda path, *paths: _os.path.join(_text(path),
                                                           *(_text(p) for p in paths)))


gfile = _GFileModule()


# Example and SequenceExample parsing (every feature kind) lives in io_example.py.
from .io_example import (FixedLenSequenceFeature, RaggedFeature, SparseFeature,  # noqa: E402
                         decode_json_example, parse_example, parse_sequence_example,
                         parse_single_example, parse_single_sequence_example)
from .io_sparse import (deserialize_many_sparse, serialize_many_sparse,  # noqa: E402
                        serialize_sparse)

__all__ += ["FixedLenSequenceFeature", "RaggedFeature", "SparseFeature",
            "parse_sequence_example", "parse_single_sequence_example", "write_graph",
            "decode_json_example", "serialize_sparse", "serialize_many_sparse",
            "deserialize_many_sparse", "match_filenames_once"]


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Write a graph to ``logdir/name`` and return the path: a traced ``tfx.function``,
    ConcreteFunction or tfx Graph as tfx's graph JSON (``summary_graph.graph_def_json``), or
    a graph dict already in that form. ``as_text``: indented JSON, else compact."""
    import json
    from .summary_graph import graph_def_json
    doc = graph_or_graph_def if isinstance(graph_or_graph_def, dict) else \
        graph_def_json(graph_or_graph_def)
    path = _os.path.join(_os.fspath(logdir), name)
    if _os.path.dirname(path):
        _os.makedirs(_os.path.dirname(path), exist_ok=True)
    text = json.dumps(doc, indent=2 if as_text else None,
                      separators=None if as_text else (",", ":"))
    with open(path, "w") as f:
        f.write(text)
    return path


def match_filenames_once(pattern, name=None):
    """A (non-trainable) string Variable holding the files matching ``pattern`` when it is
    made, sorted (``matching_files`` evaluated once)."""
    from .core.variable import Variable
    return Variable(matching_files(pattern), trainable=False, name=name or "matching_filenames")
