"""Mutable lookup tables (``tf.lookup.experimental``): ``MutableHashTable`` and the
open-addressing ``DenseHashTable``.

Both run the ops of ``lookup_ops`` (find, size, export, insert, remove), so inside a traced
``tfx.function`` their writes are graph nodes that run, in order, each time the graph runs.
"""
import zlib

from .. import dtypes as _dt
from ..backend import xp
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError
from .lookup_ops import (EXPORT, FIND, INSERT, REMOVE, LookupInterface, check_kernel,
                         check_keys, host, run, shape_text)

__all__ = ["MutableHashTable", "DenseHashTable"]

_MASK64 = (1 << 64) - 1


def _convert(value, dtype, what):
    """``value`` as a tensor of ``dtype``; TensorFlow's ValueError names the argument."""
    try:
        return convert_to_tensor(value, dtype)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None


def _new_array(shape, dtype):
    return xp.empty(shape, dtype=object if dtype is _dt.string else dtype._np)


def _shape_error(expected, got, what="value"):
    return InvalidArgumentError(None, "LookupTableInsertV2",
                                f"Expected shape {shape_text(expected)} for {what}, got "
                                f"{shape_text(got)}")


class _Mutable(LookupInterface):
    def __init__(self, key_dtype, value_dtype, default_value):
        super().__init__(key_dtype, value_dtype)
        self._default_value = convert_to_tensor(default_value, self._value_dtype)
        self._value_shape = tuple(self._default_value._v.shape)

    @property
    def default_value(self):
        return self._default_value

    def lookup(self, keys, name=None):
        keys = _convert(keys, self._key_dtype, "keys")
        return run(FIND, self, (keys,), (self._value_dtype,))[0]

    def insert(self, keys, values, name=None):
        """Set ``values`` for ``keys`` (replacing the values of keys already there)."""
        keys = _convert(keys, self._key_dtype, "keys")
        values = _convert(values, self._value_dtype, "values")
        self._check_values(keys, values)
        run(INSERT, self, (keys, values), ())

    def remove(self, keys, name=None):
        """Remove ``keys`` (absent keys are ignored)."""
        keys = check_keys(keys, self._key_dtype)
        run(REMOVE, self, (keys,), ())

    def export(self, name=None):
        """(keys, values) of every entry."""
        return run(EXPORT, self, (), (self._key_dtype, self._value_dtype))

    def _batch_shape(self, keys):
        return tuple(keys._v.shape)

    def _check_values(self, keys, values):
        want = self._batch_shape(keys) + self._value_shape
        if tuple(values._v.shape) != want:
            raise _shape_error(want, values._v.shape)


class MutableHashTable(_Mutable):
    """A table that grows by ``insert`` and shrinks by ``remove``; values are scalars or
    vectors of ``default_value``'s shape. ``lookup`` gives ``default_value`` (or the matching
    entry of ``dynamic_default_values``) for absent keys."""

    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable",
                 checkpoint=True, experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value)
        if len(self._value_shape) > 1:
            raise InvalidArgumentError(None, "MutableHashTableOfTensorsV2",
                                       "Default value must be a vector, got shape "
                                       f"{shape_text(self._value_shape)}")
        check_kernel("MutableHashTableOfTensorsV2" if self._value_shape else
                     "MutableHashTableV2", self._key_dtype, self._value_dtype)
        self._entries = {}

    def lookup(self, keys, dynamic_default_values=None, name=None):
        keys = _convert(keys, self._key_dtype, "keys")
        if dynamic_default_values is None:
            return run(FIND, self, (keys,), (self._value_dtype,))[0]
        d = _convert(dynamic_default_values, self._value_dtype, "dynamic_default_values")
        full = tuple(keys._v.shape) + self._value_shape
        if tuple(d._v.shape) not in (self._value_shape, full):
            raise InvalidArgumentError(None, "LookupTableFindV2",
                                       f"Expected shape {shape_text(self._value_shape)} or "
                                       f"{shape_text(full)} for default value, got "
                                       f"{shape_text(d._v.shape)}")
        return run(FIND, self, (keys, d), (self._value_dtype,))[0]

    def _find(self, q, default=None):
        flat = q.reshape(-1).tolist()
        out = _new_array((len(flat),) + self._value_shape, self._value_dtype)
        fill = host(self._default_value) if default is None else default
        out[...] = xp.broadcast_to(fill, q.shape + self._value_shape).reshape(out.shape)
        get = self._entries.get
        for i, k in enumerate(flat):
            v = get(k)
            if v is not None:
                out[i] = v
        return out.reshape(q.shape + self._value_shape)

    def _insert(self, keys, values):
        vals = values.reshape((keys.size,) + self._value_shape)
        for k, v in zip(keys.reshape(-1).tolist(), vals):
            self._entries[k] = v.copy() if self._value_shape else v

    def _remove(self, keys):
        pop = self._entries.pop
        for k in keys.reshape(-1).tolist():
            pop(k, None)

    def _size(self):
        return len(self._entries)

    def _export(self):
        n = len(self._entries)
        keys = _new_array(n, self._key_dtype)
        keys[:] = list(self._entries) if self._key_dtype is _dt.string else \
            xp.asarray(list(self._entries), dtype=keys.dtype)
        values = _new_array((n,) + self._value_shape, self._value_dtype)
        for i, v in enumerate(self._entries.values()):
            values[i] = v
        return keys, values


def _hash(key):
    """A slot hash: integers hash to themselves (sequential keys fill sequential buckets, as
    in TensorFlow), strings by CRC-32, vectors by combining their elements'."""
    if isinstance(key, tuple):
        h = 0
        for e in key:
            h = (h * 0x9E3779B97F4A7C15 + _hash(e)) & _MASK64
        return h
    if isinstance(key, bytes):
        return zlib.crc32(key)
    return key & _MASK64


class DenseHashTable(_Mutable):
    """An open-addressing table: ``empty_key`` marks free buckets and ``deleted_key`` removed
    ones (neither may be used as a key). Buckets double whenever the table would pass 80%
    full; ``export`` returns every bucket, keys as [buckets, key size] and values as
    [buckets, value size]."""

    _MAX_LOAD = 0.8

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value)
        check_kernel("MutableDenseHashTableV2", self._key_dtype, self._value_dtype)
        empty = _convert(empty_key, self._key_dtype, "empty_key")
        deleted = _convert(deleted_key, self._key_dtype, "deleted_key")
        if empty._v.shape != deleted._v.shape:
            raise InvalidArgumentError(None, "MutableDenseHashTableV2",
                                       "Empty and deleted keys must have same shape, got "
                                       f"shapes: {shape_text(empty._v.shape)} and "
                                       f"{shape_text(deleted._v.shape)}")
        self._key_shape = tuple(empty._v.shape)
        self._empty, self._deleted = self._as_key(host(empty)), self._as_key(host(deleted))
        if self._empty == self._deleted:
            raise InvalidArgumentError(None, "MutableDenseHashTableV2",
                                       "Empty and deleted keys cannot be equal")
        nb = 131072 if initial_num_buckets is None else int(initial_num_buckets)
        if nb < 4 or nb & (nb - 1):
            raise InvalidArgumentError(None, "MutableDenseHashTableV2",
                                       "Number of buckets must be at least 4 and a power of "
                                       f"2, got: {nb}")
        self._empty_key = empty
        self._deleted_key = deleted
        self._value_size = 1
        for s in self._value_shape:
            self._value_size *= s
        self._allocate(nb)
        self._count = 0

    def insert_or_assign(self, keys, values, name=None):
        return self.insert(keys, values, name)

    def erase(self, keys, name=None):
        return self.remove(keys, name)

    def remove(self, keys, name=None):
        keys = _convert(keys, self._key_dtype, "keys")
        run(REMOVE, self, (keys,), ())

    def _batch_shape(self, keys):
        k = len(self._key_shape)
        shape = tuple(keys._v.shape)
        if shape[len(shape) - k:] != self._key_shape:
            raise InvalidArgumentError(None, "LookupTableInsertV2",
                                       f"Expected key shape {shape_text(self._key_shape)} in "
                                       f"the last dimensions, got {shape_text(shape)}")
        return shape[:len(shape) - k]

    # -- the buckets -----------------------------------------------------------------------------
    def _allocate(self, nb):
        self._slots = [self._empty] * nb
        self._vals = _new_array((nb, self._value_size), self._value_dtype)
        self._vals[...] = 0

    def _as_key(self, array):
        return tuple(array.reshape(-1).tolist()) if self._key_shape else array.item()

    def _keys_of(self, q):
        k = len(self._key_shape)
        batch = q.shape[:q.ndim - k]
        rows = q.reshape((-1,) + self._key_shape) if k else q.reshape(-1)
        keys = [tuple(r.reshape(-1).tolist()) for r in rows] if k else rows.tolist()
        for key in keys:
            if key == self._empty:
                raise InvalidArgumentError(None, "LookupTable",
                                           "Using the empty_key as a table key is not allowed")
            if key == self._deleted:
                raise InvalidArgumentError(None, "LookupTable",
                                           "Using the deleted_key as a table key is not "
                                           "allowed")
        return batch, keys

    def _probe(self, key):
        """(bucket holding ``key`` or -1, the bucket an insert of it would take)."""
        slots, mask = self._slots, len(self._slots) - 1
        b = _hash(key) & mask
        free = -1
        i = 0
        while True:
            s = slots[b]
            if s == key:
                return b, b
            if s == self._empty:
                return -1, b if free < 0 else free
            if s == self._deleted and free < 0:
                free = b
            i += 1
            b = (b + i) & mask  # triangular probing visits every bucket of a power of 2

    def _find(self, q):
        batch, keys = self._keys_of(q)
        out = _new_array((len(keys), self._value_size), self._value_dtype)
        out[...] = host(self._default_value).reshape(-1)
        for i, key in enumerate(keys):
            b, _ = self._probe(key)
            if b >= 0:
                out[i] = self._vals[b]
        return out.reshape(batch + self._value_shape)

    def _insert(self, keys_array, values):
        _, keys = self._keys_of(keys_array)
        nb = len(self._slots)
        while self._count + len(keys) > self._MAX_LOAD * nb:
            nb *= 2
        if nb != len(self._slots):
            self._rehash(nb)
        rows = values.reshape(len(keys), self._value_size)
        for key, row in zip(keys, rows):
            found, b = self._probe(key)
            if found < 0:
                self._slots[b] = key
                self._count += 1
            self._vals[b] = row

    def _rehash(self, nb):
        old = [(k, v) for k, v in zip(self._slots, self._vals)
               if k != self._empty and k != self._deleted]
        self._allocate(nb)
        for key, row in old:
            _, b = self._probe(key)
            self._slots[b] = key
            self._vals[b] = row

    def _remove(self, keys_array):
        _, keys = self._keys_of(keys_array)
        for key in keys:
            b, _ = self._probe(key)
            if b >= 0:
                self._slots[b] = self._deleted
                self._count -= 1

    def _size(self):
        return self._count

    def _export(self):
        nb = len(self._slots)
        size = len(self._empty) if self._key_shape else 1
        keys = _new_array((nb, size), self._key_dtype)
        if self._key_dtype is _dt.string:
            for i, k in enumerate(self._slots):
                keys[i] = k
        else:
            keys[...] = xp.asarray(self._slots, dtype=keys.dtype).reshape(nb, size)
        return keys, self._vals.copy()
