"""Parsing ``tf.train.Example`` and ``tf.train.SequenceExample`` records (``tf.io``'s
parse_example, parse_single_example, parse_sequence_example, parse_single_sequence_example)
with every feature kind: FixedLenFeature, VarLenFeature, FixedLenSequenceFeature,
SparseFeature and RaggedFeature. The wire bytes are read directly (no protobuf library).

Results, for a batch of B records:
- FixedLenFeature: dense ``[B] + shape``; a missing feature takes ``default_value``.
- VarLenFeature: SparseTensor ``[B, max count]`` (in a sequence: ``[B, max steps, max count]``).
- FixedLenSequenceFeature: dense ``[B, max count] + shape`` padded with ``default_value`` (or
  zeros); in a sequence, one ``shape`` per step: ``[B, max steps] + shape``.
- SparseFeature: SparseTensor ``[B] + size`` from index and value features.
- RaggedFeature: RaggedTensor ``[B, (partitions...), (values)]``.
"""
import collections

from . import dtypes as _dt
from .backend import xp
from .io import (FixedLenFeature, VarLenFeature, _column, _example_features, _feature_values,
                 _fields, _invalid, _py)
from .ops._core import wrap

__all__ = ["FixedLenSequenceFeature", "SparseFeature", "RaggedFeature", "parse_example",
           "parse_single_example", "parse_sequence_example", "parse_single_sequence_example",
           "decode_json_example"]

FixedLenSequenceFeature = collections.namedtuple(
    "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"],
    defaults=[False, None])
FixedLenSequenceFeature.__doc__ = ("Values of ``shape`` repeated any number of times (a "
                                   "sequence's steps, or a feature's values in groups).")

SparseFeature = collections.namedtuple(
    "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"],
    defaults=[False])
SparseFeature.__doc__ = ("A SparseTensor of dense shape ``size`` from int64 index features "
                         "(one per dimension) and a value feature.")


class RaggedFeature(collections.namedtuple(
        "RaggedFeature", ["dtype", "value_key", "partitions", "row_splits_dtype", "validate"])):
    """Values (from ``value_key``, the feature's own key by default) cut into nested rows by
    ``partitions`` (outermost first), each read from another feature of the record."""

    RowSplits = collections.namedtuple("RowSplits", ["key"])
    RowLengths = collections.namedtuple("RowLengths", ["key"])
    RowStarts = collections.namedtuple("RowStarts", ["key"])
    RowLimits = collections.namedtuple("RowLimits", ["key"])
    ValueRowIds = collections.namedtuple("ValueRowIds", ["key"])
    UniformRowLength = collections.namedtuple("UniformRowLength", ["length"])

    def __new__(cls, dtype, value_key=None, partitions=(), row_splits_dtype=_dt.int32,
                validate=False):
        return super().__new__(cls, _dt.as_dtype(dtype), value_key, tuple(partitions),
                               _dt.as_dtype(row_splits_dtype), validate)


_API = "tfx.io.parse_example"
_KIND_DTYPE = {"float": _dt.float32, "int64": _dt.int64, "bytes": _dt.string}


def _records(serialized):
    recs = _py(serialized)
    return [recs] if isinstance(recs, bytes) else [bytes(r) for r in recs]


def _values(feats, key, dtype, where, api=_API):
    """The values of feature ``key`` (None if absent), checked against ``dtype``."""
    kind, values = feats.get(key, (None, None))
    if kind is not None and _KIND_DTYPE[kind] is not dtype:
        raise _invalid(api, f"Name: <unknown>, {where}: {key}. Data types don't match. "
                            f"Expected type: {dtype.name}, Actual type: "
                            f"{_KIND_DTYPE[kind].name}")
    return values


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _default_values(default, shape, dtype):
    v = list(xp.broadcast_to(xp.asarray(_py(default), dtype=object), shape).reshape(-1))
    return [x.encode() if isinstance(x, str) else x for x in v] if dtype is _dt.string else v


def _zero(dtype):
    return b"" if dtype is _dt.string else 0


def _sparse(idx, vals, shape, dtype):
    from .structures.sparse_tensor import SparseTensor
    rank = len(shape)
    return SparseTensor(xp.asarray(idx, dtype=xp.int64).reshape(-1, rank),
                        wrap(_column(vals, dtype), dtype), xp.asarray(shape, dtype=xp.int64))


# ---- one feature over the batch ----------------------------------------------------------------

def _fixed(parsed, key, spec, dtype):
    shape = [int(n) for n in spec.shape]
    size = _size(shape)
    rows = []
    for b, feats in enumerate(parsed):
        v = _values(feats, key, dtype, "Feature")
        if v is None or (not v and size):
            if spec.default_value is None:
                raise _invalid(_API, f"Name: <unknown>, Feature: {key} (data type: "
                                     f"{dtype.name}) is required but could not be found.")
            v = _default_values(spec.default_value, shape, dtype)
        if len(v) != size:
            raise _invalid(_API, f"Name: <unknown>, Key: {key}, Index: {b}.  Number of "
                                 f"{dtype.name} values != expected.  Values size: {len(v)} but "
                                 f"output shape: {shape}")
        rows.append(_column(v, dtype).reshape(shape))
    arr = xp.stack(rows) if rows else xp.zeros([0] + shape, dtype._np if dtype is not
                                              _dt.string else object)
    return wrap(arr, dtype)


def _var_len(parsed, key, dtype):
    idx, vals, width = [], [], 0
    for b, feats in enumerate(parsed):
        v = _values(feats, key, dtype, "Feature") or []
        idx += [[b, i] for i in range(len(v))]
        vals += v
        width = max(width, len(v))
    return _sparse(idx, vals, [len(parsed), width], dtype)


def _padded(groups, shape, dtype, default):
    """Per-record lists of values in groups of ``shape`` as one dense ``[B, max groups] +
    shape``, padded with ``default`` (a full group of values)."""
    size = _size(shape)
    longest = max([len(g) // max(size, 1) for g in groups] or [0])
    rows = []
    for g in groups:
        n = len(g) // max(size, 1)
        rows.append(_column(list(g) + list(default) * (longest - n), dtype)
                    .reshape([longest] + shape))
    arr = xp.stack(rows) if rows else xp.zeros([0, 0] + shape, dtype._np if dtype is not
                                              _dt.string else object)
    return wrap(arr, dtype)


def _fixed_sequence(parsed, key, spec, dtype):
    if not spec.allow_missing:
        raise ValueError(f"Unsupported: FixedLenSequenceFeature requires allow_missing to be "
                         f"True (feature {key!r}).")
    shape = [int(n) for n in spec.shape]
    size = _size(shape)
    default = [_zero(dtype)] * size if spec.default_value is None else \
        _default_values(spec.default_value, shape, dtype)
    groups = []
    for b, feats in enumerate(parsed):
        v = _values(feats, key, dtype, "Feature") or []
        if size and len(v) % size:
            raise _invalid(_API, f"Name: <unknown>, Key: {key}, Index: {b}.  Number of "
                                 f"{dtype.name} values is not a multiple of stride length. "
                                 f"Saw {len(v)} values but output shape is: {shape}")
        groups.append(v)
    return _padded(groups, shape, dtype, default)


def _sparse_feature(parsed, key, spec, dtype):
    index_keys = [spec.index_key] if isinstance(spec.index_key, str) else list(spec.index_key)
    sizes = [spec.size] if isinstance(spec.size, int) else [int(s) for s in spec.size]
    if len(sizes) != len(index_keys):
        raise ValueError(f"SparseFeature {key!r}: size has {len(sizes)} dimensions but "
                         f"{len(index_keys)} index keys")
    idx, vals = [], []
    for b, feats in enumerate(parsed):
        v = _values(feats, spec.value_key, dtype, "Feature") or []
        cols = [_values(feats, k, _dt.int64, "Feature") or [] for k in index_keys]
        for k, c in zip(index_keys, cols):
            if len(c) != len(v):
                raise _invalid(_API, f"Name: <unknown>, Key: {k}, Index: {b}.  Number of "
                                     f"index values ({len(c)}) != number of values "
                                     f"({len(v)}) of {spec.value_key}")
        # As TensorFlow, indices are not checked against ``size`` here (to_dense checks).
        entries = [([b] + [c[i] for c in cols], v[i]) for i in range(len(v))]
        if not spec.already_sorted:
            entries.sort(key=lambda e: e[0])
        idx += [c for c, _ in entries]
        vals += [x for _, x in entries]
    return _sparse(idx, vals, [len(parsed)] + sizes, dtype)


def _partition_lengths(p, feats, n, key, validate):
    """Row lengths of one record's partition ``p`` over ``n`` inner items."""
    if isinstance(p, RaggedFeature.UniformRowLength):
        if p.length <= 0 or n % p.length:
            raise _invalid(_API, f"Feature {key}: {n} values cannot be cut into rows of "
                                 f"uniform length {p.length}")
        return [p.length] * (n // p.length)
    v = [int(x) for x in (_values(feats, p.key, _dt.int64, "Feature") or [])]
    if isinstance(p, RaggedFeature.RowLengths):
        lengths = v
    elif isinstance(p, RaggedFeature.RowSplits):
        lengths = [b - a for a, b in zip(v, v[1:])]
    elif isinstance(p, RaggedFeature.RowStarts):
        lengths = [b - a for a, b in zip(v, v[1:] + [n])]
    elif isinstance(p, RaggedFeature.RowLimits):
        lengths = [b - a for a, b in zip([0] + v, v)]
    elif isinstance(p, RaggedFeature.ValueRowIds):
        lengths = xp.bincount(xp.asarray(v, dtype=xp.int64),
                              minlength=0).tolist() if v else []
    else:
        raise TypeError(f"Unsupported RaggedFeature partition {p!r}")
    if sum(lengths) != n or any(x < 0 for x in lengths):
        raise _invalid(_API, f"Feature {key}: partition {type(p).__name__}({p.key!r}) does not "
                             f"describe {n} values (row lengths {lengths})")
    return lengths


def _ragged(parsed, key, spec, dtype):
    from .core.tensor import convert_to_tensor
    from .structures.ragged_tensor import RaggedTensor
    value_key = spec.value_key or key
    values, levels = [], [[] for _ in range(len(spec.partitions) + 1)]
    for feats in parsed:
        v = _values(feats, value_key, dtype, "Feature") or []
        values += v
        n = len(v)
        per_level = []
        for p in reversed(spec.partitions):
            lengths = _partition_lengths(p, feats, n, key, spec.validate)
            per_level.append(lengths)
            n = len(lengths)
        levels[0].append(n)
        for lvl, lengths in zip(levels[1:], reversed(per_level)):
            lvl += lengths
    sd = spec.row_splits_dtype
    return RaggedTensor.from_nested_row_lengths(
        wrap(_column(values, dtype), dtype),
        [convert_to_tensor(xp.asarray(lvl, dtype=xp.int64), sd) for lvl in levels],
        validate=False)


def _parse_features(parsed, features):
    out = {}
    for key, spec in (features or {}).items():
        d = _dt.as_dtype(spec.dtype)
        if isinstance(spec, FixedLenFeature):
            out[key] = _fixed(parsed, key, spec, d)
        elif isinstance(spec, VarLenFeature):
            out[key] = _var_len(parsed, key, d)
        elif isinstance(spec, FixedLenSequenceFeature):
            out[key] = _fixed_sequence(parsed, key, spec, d)
        elif isinstance(spec, SparseFeature):
            out[key] = _sparse_feature(parsed, key, spec, d)
        elif isinstance(spec, RaggedFeature):
            out[key] = _ragged(parsed, key, spec, d)
        else:
            raise ValueError(f"Unsupported feature spec {spec!r} for key {key!r}")
    return out


def parse_example(serialized, features, example_names=None, name=None):
    """Parse a batch of serialized tf.train.Example records into ``{key: tensor}`` (see the
    module docstring for what each feature kind gives)."""
    return _parse_features([_example_features(r) for r in _records(serialized)], features)


def _drop_batch(value):
    from .structures.ragged_tensor import RaggedTensor
    from .structures.sparse_tensor import SparseTensor
    if isinstance(value, SparseTensor):
        return SparseTensor(value.indices[:, 1:], value.values, value.dense_shape[1:])
    if isinstance(value, RaggedTensor):
        return value[0]
    # A batch of one: reshape (indexing a string tensor's row would give Python bytes).
    from .ops.array_ops import reshape
    return reshape(value, value._v.shape[1:])


def parse_single_example(serialized, features, example_names=None, name=None):
    """``parse_example`` of one record, without the batch dimension."""
    return {k: _drop_batch(v) for k, v in parse_example([_py(serialized)], features).items()}


# ---- SequenceExample ----------------------------------------------------------------------------

def _sequence_features(serialized):
    """(context {key: (kind, values)}, feature lists {key: [(kind, values) per step]})."""
    context, lists = {}, {}
    for num, _, part in _fields(serialized):
        if num == 1:
            context = _example_features(_field_bytes(1, part))
        elif num == 2:
            for fnum, _, entry in _fields(part):
                if fnum != 1:
                    continue
                key, steps = "", []
                for enum, _, v in _fields(entry):
                    if enum == 1:
                        key = bytes(v).decode()
                    elif enum == 2:
                        steps = [_feature_values(f) for n, _, f in _fields(v) if n == 1]
                lists[key] = steps
    return context, lists


def _field_bytes(num, payload):
    """``payload`` as field ``num`` of a message (so a Features reads as an Example)."""
    out, n = bytearray([(num << 3) | 2]), len(payload)
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            break
    return bytes(out) + bytes(payload)


_SAPI = "tfx.io.parse_sequence_example"


def _steps(lists, key, dtype):
    steps = lists.get(key)
    if steps is None:
        return None
    out = []
    for i, (kind, values) in enumerate(steps):
        if kind is not None and _KIND_DTYPE[kind] is not dtype:
            raise _invalid(_SAPI, f"Name: <unknown>, Feature list: {key}, Index: {i}.  Data "
                                  f"types don't match. Expected type: {dtype.name}")
        out.append(values)
    return out


def _parse_lists(parsed, features):
    out, lengths = {}, {}
    for key, spec in (features or {}).items():
        d = _dt.as_dtype(spec.dtype)
        per_record = [_steps(lists, key, d) for lists in parsed]
        if isinstance(spec, FixedLenSequenceFeature):
            if spec.default_value is not None:
                raise ValueError(f"Value feature_list.dense_defaults[{key}] must be None")
            shape = [int(n) for n in spec.shape]
            size = _size(shape)
            groups, counts = [], []
            for steps in per_record:
                if steps is None:
                    if not spec.allow_missing:
                        raise _invalid(_SAPI, f"Name: <unknown>, Feature list '{key}' is "
                                              "required but could not be found.  Did you mean "
                                              "to include it in "
                                              "feature_list_dense_missing_assumed_empty or "
                                              "feature_list_dense_defaults?")
                    steps = []
                flat = [x for s in steps for x in s]
                if any(len(s) != size for s in steps):
                    raise _invalid(_SAPI, f"Feature list '{key}' has an unexpected number of "
                                          f"values.  Total values size: {len(flat)} is not "
                                          f"consistent with output shape: "
                                          f"[?,{','.join(str(s) for s in shape)}]")
                groups.append(flat)
                counts.append(len(steps))
            out[key] = _padded(groups, shape, d, [_zero(d)] * size)
            lengths[key] = wrap(xp.asarray(counts, dtype=xp.int64), _dt.int64)
        elif isinstance(spec, VarLenFeature):
            idx, vals, n_steps, width = [], [], 0, 0
            for b, steps in enumerate(per_record):
                for s, values in enumerate(steps or []):
                    idx += [[b, s, i] for i in range(len(values))]
                    vals += values
                    width = max(width, len(values))
                n_steps = max(n_steps, len(steps or []))
            out[key] = _sparse(idx, vals, [len(parsed), n_steps, width], d)
        elif isinstance(spec, RaggedFeature):
            if spec.partitions:
                raise ValueError(f"RaggedFeature {key!r}: partitions are not supported in "
                                 "sequence_features by tfx (use them in context_features)")
            from .core.tensor import convert_to_tensor
            from .structures.ragged_tensor import RaggedTensor
            value_key = spec.value_key or key
            steps_per = per_record if value_key == key else \
                [_steps(lists, value_key, d) for lists in parsed]
            outer = [len(s or []) for s in steps_per]
            inner = [len(v) for s in steps_per for v in (s or [])]
            values = [x for s in steps_per for v in (s or []) for x in v]
            sd = spec.row_splits_dtype
            out[key] = RaggedTensor.from_nested_row_lengths(
                wrap(_column(values, d), d),
                [convert_to_tensor(xp.asarray(x, dtype=xp.int64), sd) for x in (outer, inner)],
                validate=False)
        else:
            raise ValueError(f"Unsupported {type(spec).__name__} {spec!r} for key {key!r}")
    return out, lengths


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None):
    """Parse a batch of serialized tf.train.SequenceExample records: ``(context,
    feature_lists, feature_list_lengths)``, the lengths (int64 ``[B]``) for each
    FixedLenSequenceFeature."""
    if not context_features and not sequence_features:
        raise ValueError("Must provide at least one context_features or sequence_features.")
    records = [_sequence_features(r) for r in _records(serialized)]
    context = _parse_features([c for c, _ in records], context_features)
    lists, lengths = _parse_lists([fl for _, fl in records], sequence_features)
    return context, lists, lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """``parse_sequence_example`` of one record, without the batch dimension: ``(context,
    feature_lists)``."""
    context, lists, _ = parse_sequence_example([_py(serialized)], context_features,
                                               sequence_features)
    return ({k: _drop_batch(v) for k, v in context.items()},
            {k: _drop_batch(v) for k, v in lists.items()})


# ---- JSON Examples -------------------------------------------------------------------------------

def _key(num, wire):
    return _varint_bytes((num << 3) | wire)


def _varint_bytes(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _delimited(num, payload):
    return _key(num, 2) + _varint_bytes(len(payload)) + payload


_LISTS = {"bytesList": 1, "bytes_list": 1, "floatList": 2, "float_list": 2, "int64List": 3,
          "int64_list": 3}


def _json_error(message):
    return _invalid("tfx.io.decode_json_example", "Error while parsing JSON: invalid JSON in "
                                                  f"type.googleapis.com/tensorflow.Example: "
                                                  f"{message}")


def _json_fields(obj, allowed, what):
    if not isinstance(obj, dict):
        raise _json_error(f"{what} must be a JSON object")
    for k in obj:
        if k not in allowed:
            raise _json_error(f"no such field: '{k}'")
    return obj


def _json_feature(feature):
    import base64
    import struct
    _json_fields(feature, _LISTS, "a Feature")
    out = b""
    for name, lst in feature.items():
        num = _LISTS[name]
        values = _json_fields(lst, ("value",), "a value list").get("value", [])
        body = b""
        # TensorFlow's JSON decoding writes repeated numbers unpacked, one field each.
        for v in values:
            try:
                if num == 1:
                    body += _delimited(1, base64.b64decode(v, validate=True))
                elif num == 2:
                    body += _key(1, 5) + struct.pack("<f", float(v))
                else:
                    body += _key(1, 0) + _varint_bytes(int(v))
            except (ValueError, TypeError, struct.error):
                raise _json_error(f"invalid value {v!r} in {name}") from None
        out += _delimited(num, body)
    return out


def decode_json_example(json_examples, name=None):
    """Serialized tf.train.Example records from their JSON form (protobuf's JSON mapping:
    ``{"features": {"feature": {"name": {"int64List": {"value": ["1"]}}}}}``), element by
    element; the same bytes TensorFlow produces."""
    import json
    from .core.tensor import convert_to_tensor
    x = json_examples if hasattr(json_examples, "_v") else convert_to_tensor(json_examples,
                                                                            _dt.string)
    arr = x._v
    out = xp.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.shape[0]):
        try:
            doc = json.loads(bytes(flat_in[i]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise _json_error(f"{e}") from None
        _json_fields(doc, ("features",), "an Example")
        feats = _json_fields(doc.get("features", {}), ("feature",), "Features")
        entries = b""
        feature_map = feats.get("feature", {})
        if not isinstance(feature_map, dict):
            raise _json_error("the feature map must be a JSON object")
        for key, feature in feature_map.items():
            entries += _delimited(1, _delimited(1, key.encode()) +
                                  _delimited(2, _json_feature(feature)))
        flat_out[i] = _delimited(1, entries) if "features" in doc else b""
    return wrap(out, _dt.string)
