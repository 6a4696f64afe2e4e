"""Lookup tables (``tf.lookup``): the initializers and the static tables.

A table is a host-side object (TensorFlow keeps tables on the CPU too); its lookups, sizes,
exports and writes are ops registered here with the table as their attrs, so a traced
``tfx.function`` replays them against the table as it stands when the graph runs. None has a
gradient: a lookup is an index, not a function of its keys' values.

String keys are matched through a dict of their bytes; integer keys through a sorted copy
and ``searchsorted``, so a lookup of a batch costs one vectorised pass.
"""
from .. import dtypes as _dt
from ..backend import to_device, xp
from ..core.tensor import convert_to_tensor
from ..errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from ._core import STATE, register, trace, wrap

__all__ = ["TextFileIndex", "KeyValueTensorInitializer", "TextFileInitializer",
           "StaticHashTable", "StaticVocabularyTable"]

_S, _I32, _I64 = _dt.string, _dt.int32, _dt.int64
_F32, _F64, _B = _dt.float32, _dt.float64, _dt.bool

# The (key, value) dtypes TensorFlow's CPU kernels exist for, per kind of table.
KERNELS = {
    "HashTableV2": {(_S, _S), (_S, _I64), (_S, _I32), (_S, _F32), (_S, _F64), (_S, _B),
                    (_I64, _S), (_I64, _I64), (_I64, _I32), (_I64, _F32), (_I64, _F64),
                    (_I32, _S), (_I32, _I32), (_I32, _F32), (_I32, _F64)},
    "MutableHashTableV2": {(_S, _I64), (_S, _I32), (_S, _F32), (_S, _F64), (_S, _B),
                           (_I64, _S), (_I64, _I64), (_I64, _I32), (_I64, _F32), (_I64, _F64),
                           (_I32, _I32), (_I32, _F32), (_I32, _F64)},
    "MutableDenseHashTableV2": {(_S, _I64), (_S, _I32), (_S, _F32), (_S, _F64), (_S, _B),
                                (_I64, _I64), (_I64, _I32), (_I64, _F32), (_I64, _F64),
                                (_I64, _B), (_I32, _I32), (_I32, _F32), (_I32, _F64)},
}
KERNELS["MutableHashTableOfTensorsV2"] = KERNELS["MutableHashTableV2"]


def check_kernel(kind, key_dtype, value_dtype):
    if (key_dtype, value_dtype) not in KERNELS[kind]:
        ok = "; ".join(f"{k.name}->{v.name}" for k, v in sorted(
            KERNELS[kind], key=lambda kv: (kv[0].name, kv[1].name)))
        raise NotFoundError(None, kind, f"No {kind} kernel for key_dtype {key_dtype.name} and "
                            f"value_dtype {value_dtype.name} (kernels exist for: {ok})")


def host(x):
    """The backend array of a tensor, on the host (tables live there)."""
    return to_device(x._v, "CPU")


def shape_text(shape):
    return "[" + ",".join(str(int(s)) for s in shape) + "]"


def text(v):
    """A key or value as TensorFlow's messages print it."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v.item() if hasattr(v, "item") else v)


def check_keys(keys, key_dtype):
    """``keys`` as a tensor of ``key_dtype``: TensorFlow's TypeError for another dtype."""
    keys = convert_to_tensor(keys)
    if keys._dtype is not key_dtype:
        raise TypeError(f"Dtype of argument `keys` must be {key_dtype}, received: "
                        f"{keys._dtype}")
    return keys


def on_parts(keys, fn):
    """Apply ``fn`` (Tensor -> Tensor) to the values of a SparseTensor or RaggedTensor."""
    from ..structures.ragged_tensor import RaggedTensor
    from ..structures.sparse_tensor import SparseTensor
    if isinstance(keys, SparseTensor):
        return SparseTensor._parts(keys.indices, fn(keys.values), keys.dense_shape)
    if isinstance(keys, RaggedTensor):
        return keys.with_flat_values(fn(keys.flat_values))
    return fn(keys)


# ---- the ops --------------------------------------------------------------------------------

def _op(name, forward, api):
    return register(name, api=api, forward=forward, taped=False, stateful=True)


FIND = _op("lookup_table_find", lambda ins, table: (table._find(*ins),), "tfx.lookup.lookup")
SIZE = _op("lookup_table_size", lambda ins, table: (xp.asarray(table._size(), xp.int64),),
           "tfx.lookup.size")
EXPORT = _op("lookup_table_export", lambda ins, table: table._export(), "tfx.lookup.export")
INSERT = _op("lookup_table_insert", lambda ins, table: table._insert(*ins) or (),
             "tfx.lookup.insert")
REMOVE = _op("lookup_table_remove", lambda ins, table: table._remove(*ins) or (),
             "tfx.lookup.remove")


def run(op, table, inputs, dtypes):
    """Run a table op eagerly (recorded in a trace); writes inside a trace only record."""
    if not dtypes and STATE.tracing is not None:
        STATE.tracing._record_effect(op, inputs, table, ())
        return ()
    outs = op.forward(tuple(host(x) for x in inputs), table)
    res = tuple(wrap(v, d) for v, d in zip(outs, dtypes))
    if dtypes and STATE.tracing is not None:
        trace(op, tuple(inputs), res, table)
    return res


class _KeyValueDtypes:
    """``key_dtype`` and ``value_dtype``, shared by tables and their initializers."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = _dt.as_dtype(key_dtype)
        self._value_dtype = _dt.as_dtype(value_dtype)

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype


class LookupInterface(_KeyValueDtypes):
    """What every table has: dtypes, ``lookup`` (also ``table[keys]``), ``size``."""

    @property
    def name(self):
        return None  # an eager table has no graph name in TensorFlow either

    def size(self, name=None):
        """The number of entries, an int64 scalar."""
        return run(SIZE, self, (), (_I64,))[0]

    def __getitem__(self, keys):
        return self.lookup(keys)


# ---- initializers ---------------------------------------------------------------------------

class TableInitializerBase(_KeyValueDtypes):
    """Keys and values for a table, read once when the table is made."""


class KeyValueTensorInitializer(TableInitializerBase):
    """A table's contents from two tensors of the same shape (keys and their values)."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = convert_to_tensor(keys, key_dtype)
        self._values = convert_to_tensor(values, value_dtype)
        super().__init__(self._keys.dtype, self._values.dtype)

    def _load(self):
        k, v = host(self._keys), host(self._values)
        if k.shape != v.shape:
            raise InvalidArgumentError(None, "LookupTableImportV2",
                                       f"Expected shape {shape_text(k.shape)} for value, got "
                                       f"{shape_text(v.shape)}")
        return k.reshape(-1), v.reshape(-1)


class TextFileIndex:
    """Which part of each line of a vocabulary file is a key or a value: a column number
    (split on the delimiter), or one of these."""
    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer(TableInitializerBase):
    """A table's contents from a text file, one entry per line (``TextFileIndex``)."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0):
        if not filename:
            raise ValueError("`filename` argument required for tf.lookup.TextFileInitializer")
        key_dtype, value_dtype = _dt.as_dtype(key_dtype), _dt.as_dtype(value_dtype)
        if key_index < -2:
            raise ValueError(f"`key_index` should be >= -2, received: {key_index}.")
        if key_index == TextFileIndex.LINE_NUMBER and key_dtype is not _I64:
            raise ValueError(f"`key_dtype` must be int64 if `key_index` is -1, received: "
                             f"{key_dtype}")
        if (key_index == TextFileIndex.WHOLE_LINE and not key_dtype.is_integer
                and key_dtype is not _S):
            raise ValueError("`key_dtype` should be either integer or string for `key_index` "
                             f"-2, received: {key_dtype}")
        if value_index < -2:
            raise ValueError(f"`value_index` should be >= -2, received: {value_index}")
        if value_index == TextFileIndex.LINE_NUMBER and value_dtype is not _I64:
            raise ValueError(f"`value_dtype` must be int64 for `value_index` -1, received: "
                             f"{value_dtype}")
        if (value_index == TextFileIndex.WHOLE_LINE and not value_dtype.is_integer
                and value_dtype is not _S):
            raise ValueError("`value_dtype` should be either integer or string for "
                             f"`value_index` -2, received: {value_dtype}")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"`vocab_size` should be > 0, received: {vocab_size}")
        self._filename = filename
        self._key_index, self._value_index = key_index, value_index
        self._vocab_size, self._delimiter = vocab_size, delimiter
        self._offset = value_index_offset
        super().__init__(key_dtype, value_dtype)

    def _read_lines(self):
        name = self._filename
        path = name.numpy().decode() if hasattr(name, "numpy") else str(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise NotFoundError(None, "InitializeTableFromTextFileV2",
                                f"{path}; No such file or directory") from None
        lines, pos = [], 0
        for raw in data.split(b"\n"):
            if pos >= len(data):
                break  # the text after a final newline is no line
            pos += len(raw) + 1
            line = raw[:-1] if raw.endswith(b"\r") else raw
            if self._vocab_size is not None and len(lines) == self._vocab_size:
                break
            if not line:
                raise InvalidArgumentError(None, "InitializeTableFromTextFileV2",
                                           f"Invalid content in {path}: empty line found at "
                                           f"position {pos}.")
            lines.append(line)
        if self._vocab_size is not None and len(lines) != self._vocab_size:
            raise InvalidArgumentError(None, "InitializeTableFromTextFileV2",
                                       f"Invalid vocab_size in {path}: expected "
                                       f"{self._vocab_size} but got {len(lines)}")
        return path, lines

    def _load(self):
        if self._value_dtype is _B:
            raise InvalidArgumentError(None, "InitializeTableFromTextFileV2",
                                       "Data type bool not supported.")
        if len(self._delimiter) != 1:
            raise InvalidArgumentError(None, "InitializeTableFromTextFileV2",
                                       "delimiter should be only 1 char")
        path, lines = self._read_lines()
        delim = self._delimiter.encode()
        need = max(self._key_index, self._value_index) + 1
        keys, values = [], []
        for i, line in enumerate(lines):
            cols = line.split(delim) if need > 0 else ()
            if len(cols) < need:
                raise InvalidArgumentError(
                    None, "InitializeTableFromTextFileV2",
                    f"Invalid number of columns in {path} line {i} ({line.decode()}) : "
                    f"expected at least {need} got {len(cols)}")
            keys.append(_field(line, cols, i, self._key_index, self._key_dtype, 0))
            values.append(_field(line, cols, i, self._value_index, self._value_dtype,
                                 self._offset))
        return (_array(keys, self._key_dtype), _array(values, self._value_dtype))


_PARSE_NAME = {"int32": "int32", "int64": "int64", "float32": "float", "float64": "double"}


def _field(line, cols, i, index, dtype, offset):
    if index == TextFileIndex.LINE_NUMBER:
        return i + offset
    text_ = line if index == TextFileIndex.WHOLE_LINE else cols[index]
    if dtype is _S:
        return text_
    try:
        s = text_.decode().strip()
        if dtype.is_integer:
            if not s.lstrip("+-").isdigit():
                raise ValueError(s)
            v = int(s)
            if not dtype.min <= v <= dtype.max:
                raise ValueError(s)
            return v
        return float(s)
    except ValueError:
        raise InvalidArgumentError(None, "InitializeTableFromTextFileV2",
                                   f"Field {text_.decode('utf-8', 'replace')} in line {i} is "
                                   f"not a valid {_PARSE_NAME.get(dtype.name, dtype.name)}."
                                   ) from None


def _array(items, dtype):
    if dtype is _S:
        a = xp.empty(len(items), dtype=object)
        a[:] = items
        return a
    return xp.asarray(items, dtype=dtype._np).reshape(-1)


# ---- static tables ---------------------------------------------------------------------------

class KeyIndex:
    """Positions of keys in a fixed 1-D key array: ``find(queries)`` gives each query's
    position, -1 where absent."""

    def __init__(self, keys):
        self._n = len(keys)
        if keys.dtype == object:
            self._map = {k: i for i, k in enumerate(keys.tolist())}
        else:
            self._map = None
            self._order = xp.argsort(keys, kind="stable")
            self._sorted = keys[self._order]

    def find(self, q):
        flat = q.reshape(-1)
        if self._map is not None:
            get = self._map.get
            pos = xp.fromiter((get(k, -1) for k in flat.tolist()), dtype=xp.int64,
                              count=flat.size)
            return pos.reshape(q.shape)
        if self._n == 0:
            return xp.full(q.shape, -1, dtype=xp.int64)
        at = xp.minimum(xp.searchsorted(self._sorted, flat), self._n - 1)
        pos = xp.where(self._sorted[at] == flat, self._order[at], -1)
        return pos.reshape(q.shape)


def dedupe(keys, values):
    """Keys and values with each key once: TensorFlow's error when a repeated key brings
    another value (the same value again is fine)."""
    first = {}
    keep = []
    for i, k in enumerate(keys.tolist()):
        j = first.get(k)
        if j is None:
            first[k] = i
            keep.append(i)
        elif values[j] != values[i]:
            raise FailedPreconditionError(
                None, "LookupTableImportV2",
                f"HashTable has different value for same key. Key {text(keys[i])} has "
                f"{text(values[j])} and trying to add value {text(values[i])}")
    if len(keep) == len(keys):
        return keys, values
    keep = xp.asarray(keep, dtype=xp.int64)
    return keys[keep], values[keep]


class StaticHashTable(LookupInterface):
    """An immutable table from an initializer; absent keys look up ``default_value``.

    ``lookup`` takes a Tensor, SparseTensor or RaggedTensor of ``key_dtype`` keys and gives
    values of the same shape (TypeError for keys of another dtype)."""

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        super().__init__(initializer.key_dtype, initializer.value_dtype)
        check_kernel("HashTableV2", self._key_dtype, self._value_dtype)
        self._default_value = convert_to_tensor(default_value, self._value_dtype)
        if self._default_value.shape.rank != 0:
            raise ValueError(f"Shapes {self._default_value.shape} and () are not compatible")
        self._initializer = initializer
        self._keys, self._values = dedupe(*initializer._load())
        self._index = KeyIndex(self._keys)

    @property
    def default_value(self):
        return self._default_value

    def lookup(self, keys, name=None):
        def find(k):
            k = check_keys(k, self._key_dtype)
            return run(FIND, self, (k,), (self._value_dtype,))[0]
        return on_parts(keys, find)

    def export(self, name=None):
        """(keys, values): every entry, in no particular order."""
        return run(EXPORT, self, (), (self._key_dtype, self._value_dtype))

    def _find(self, q):
        pos = self._index.find(q)
        if self._values.size == 0:
            return xp.full(q.shape, host(self._default_value), dtype=self._values.dtype)
        got = self._values[xp.maximum(pos, 0)]
        return xp.where(pos >= 0, got, host(self._default_value)).astype(self._values.dtype)

    def _size(self):
        return len(self._keys)

    def _export(self):
        return self._keys, self._values


class StaticVocabularyTable(LookupInterface):
    """Ids for a vocabulary: a key of the initializer maps to its int64 value, any other key
    to ``vocab_size + fingerprint64(key) % num_oov_buckets`` (integer keys are hashed as
    their decimal strings), the buckets TensorFlow assigns."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        if initializer is None:
            key_dtype, self._table = _S, None
        else:
            if initializer.value_dtype is not _I64:
                raise TypeError(f"Invalid `value_dtype`, expected {_I64} but got "
                                f"{initializer.value_dtype}.")
            if initializer.key_dtype not in (_I64, _S):
                raise TypeError(f"Invalid `key_dtype`, expected one of ({_I64!r}, {_S!r}), "
                                f"but got {initializer.key_dtype}.")
            key_dtype = initializer.key_dtype
            if lookup_key_dtype is not None:
                lk = _dt.as_dtype(lookup_key_dtype)
                if lk.is_integer and not key_dtype.is_integer:
                    raise TypeError(f"Invalid `key_dtype`, expected integer but got "
                                    f"{key_dtype}.")
                if lk is not key_dtype and not (lk.is_integer and key_dtype.is_integer):
                    raise TypeError(f"Invalid `key_dtype`, expected {key_dtype} but got {lk}.")
                key_dtype = lk
            self._table = StaticHashTable(initializer, -1)
        super().__init__(key_dtype, _I64)
        self._num_oov_buckets = int(num_oov_buckets)
        self._name = name

    @property
    def name(self):
        return self._name

    def lookup(self, keys, name=None):
        def find(k):
            k = check_keys(k, self._key_dtype)
            return run(FIND, self, (k,), (_I64,))[0]
        return on_parts(keys, find)

    def _find(self, q):
        n = 0
        if self._table is not None:
            n = self._table._size()
            tq = q.astype(xp.int64) if q.dtype != object else q
            ids = self._table._find(tq)
        else:
            ids = xp.full(q.shape, -1, dtype=xp.int64)
        missing = ids < 0
        if missing.any():
            buckets = oov_buckets(q[missing], self._num_oov_buckets)
            ids = ids.copy()
            ids[missing] = n + buckets
        return ids

    def _size(self):
        return (self._table._size() if self._table is not None else 0) + self._num_oov_buckets


def oov_buckets(keys, num_buckets):
    """``fingerprint64(key) % num_buckets`` per key (``tf.strings.to_hash_bucket_fast``)."""
    from ..structures.string_hash import fingerprint64
    flat = keys.reshape(-1).tolist()
    data = [k if isinstance(k, bytes) else str(int(k)).encode() for k in flat]
    return xp.asarray([fingerprint64(b) % num_buckets for b in data],
                      dtype=xp.int64).reshape(keys.shape)

