"""Stages that choose which elements pass, and how often: repeat, take, skip, shard, cache.

Each works on the index stream when its input has one (see ``dataset.IndexSource``), so a
pipeline over whole arrays stays free of per-element Python work.
"""
import itertools
import json
import os

import numpy as np  # index arithmetic and the cache file format

from .. import dtypes as _dt
from .. import nest
from ..errors import FailedPreconditionError, InvalidArgumentError
from .dataset import INF, UNK, Dataset, IndexSource, rows
from .specs import DatasetSpec


class _Unary(Dataset):
    def __init__(self, input_dataset):
        self._input = input_dataset
        self._inputs = (input_dataset,)

    def _compute_spec(self):
        return self._input.element_spec

    def _iter(self, ctx):
        src = self._index_source()
        if src is not None:
            return rows(src.arrays, src.chunks())
        return self._elements_from(self._input._iter(ctx), ctx)


def _as_index(chunk):
    return np.arange(chunk.start, chunk.stop, dtype=np.int64) if isinstance(chunk, slice) \
        else chunk


def _chunk_len(chunk):
    return chunk.stop - chunk.start if isinstance(chunk, slice) else len(chunk)


class Repeat(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        count = -1 if count is None else int(count)
        self._count = None if count < 0 else count

    def _card(self):
        c = self._input._card()
        if self._count == 0 or c == 0:
            return 0
        if self._count is None:
            return INF
        return c if c in (INF, UNK) else c * self._count

    def _passes(self):
        return itertools.count() if self._count is None else range(self._count)

    def _index_source(self):
        src = self._input._index_source()
        if src is None:
            return None

        def chunks():
            for _ in self._passes():
                empty = True
                for c in src.chunks():
                    empty = empty and _chunk_len(c) == 0
                    yield c
                if empty:  # an empty input repeated forever is empty, not a hang
                    return
        return IndexSource(src.arrays, chunks)

    def _elements_from(self, first, ctx):
        for p in self._passes():
            empty = True
            for e in (first if p == 0 else self._input._iter(ctx)):
                empty = False
                yield e
            if empty:
                return


class Take(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int(count)

    def _card(self):
        c, k = self._input._card(), self._count
        if k < 0:
            return c
        if c == INF:
            return k
        return UNK if c == UNK else min(c, k)

    def _index_source(self):
        src = self._input._index_source()
        if src is None or self._count < 0:
            return src

        def chunks():
            left = self._count
            if left == 0:
                return
            for c in src.chunks():
                n = _chunk_len(c)
                if n >= left:
                    yield slice(c.start, c.start + left) if isinstance(c, slice) else c[:left]
                    return
                left -= n
                yield c
        return IndexSource(src.arrays, chunks)

    def _elements_from(self, it, ctx):
        if self._count < 0:
            return it
        return itertools.islice(it, self._count) if self._count else iter(())


class Skip(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int(count)

    def _card(self):
        c, k = self._input._card(), self._count
        if c in (INF, UNK):
            return c
        return 0 if k < 0 else max(c - k, 0)

    def _index_source(self):
        src = self._input._index_source()
        if src is None:
            return None

        def chunks():
            left = self._count
            for c in src.chunks():
                n = _chunk_len(c)
                if left < 0 or n <= left:
                    left -= 0 if left < 0 else n
                    continue
                if left:
                    c = slice(c.start + left, c.stop) if isinstance(c, slice) else c[left:]
                    left = 0
                yield c
        return IndexSource(src.arrays, chunks)

    def _elements_from(self, it, ctx):
        if self._count < 0:
            for _ in it:
                pass
            return iter(())
        return itertools.islice(it, self._count, None)


class Shard(_Unary):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._n, self._i = int(num_shards), int(index)
        if self._n <= 0:
            raise InvalidArgumentError(None, None, "Number of shards must be greater than zero "
                                       f"(currently num_shards = {self._n}).")
        if not 0 <= self._i < self._n:
            raise InvalidArgumentError(None, None, f"Index must be between 0 and "
                                       f"{self._n - 1} (currently index = {self._i}).")

    def _card(self):
        c = self._input._card()
        if c in (INF, UNK):
            return c
        return c // self._n + (1 if c % self._n > self._i else 0)

    def _index_source(self):
        src = self._input._index_source()
        if src is None:
            return None

        def chunks():
            pos = 0  # position of the chunk's first element in the whole stream
            for c in src.chunks():
                first = (self._i - pos) % self._n
                pos += _chunk_len(c)
                yield _as_index(c)[first::self._n]
        return IndexSource(src.arrays, chunks)

    def _elements_from(self, it, ctx):
        return itertools.islice(it, self._i, None, self._n)


class AssertCardinality(_Unary):
    def __init__(self, input_dataset, expected):
        super().__init__(input_dataset)
        self._expected = expected

    def _card(self):
        return self._expected

    def _iter(self, ctx):
        n, want = 0, self._expected
        for e in self._input._iter(ctx):
            n += 1
            if want != INF and n > want:
                raise FailedPreconditionError(None, None, f"Input dataset was expected to "
                                              f"contain {want} elements but contained at "
                                              f"least {n} elements.")
            yield e
        if n != want:
            raise FailedPreconditionError(None, None, f"Input dataset was expected to contain "
                                          f"{'an infinite number of' if want == INF else want}"
                                          f" elements but contained only {n} elements.")


class Cache(_Unary):
    """Elements of the first complete pass, kept; a pass abandoned half-way keeps nothing
    (as TF). Over an index source only the index order is kept; otherwise the elements,
    stacked into arrays when their shapes agree, which gives later passes an index source."""

    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        self._file = os.fspath(filename) if filename else ""
        self._done = None  # the completed cache, as an IndexSource or a list of elements

    def _card(self):
        return self._input._card()

    def _index_source(self):
        done = self._done if self._done is not None else self._read_file()
        if isinstance(done, IndexSource):
            return done
        if done is not None:
            return None
        src = self._input._index_source()
        if src is None:
            return None
        return IndexSource(src.arrays, lambda: self._record(src))

    def _record(self, src):
        seen = []
        for c in src.chunks():
            seen.append(c)
            yield c
        order = np.concatenate([_as_index(c) for c in seen]) if seen else \
            np.empty(0, dtype=np.int64)
        if self._file:
            elems = tuple(a[order] for a in src.arrays)
            self._write_file(elems, len(order))
            self._done = IndexSource(elems, _whole(len(order)))
        else:
            self._done = IndexSource(src.arrays, lambda: iter((order,)))

    def _iter(self, ctx):
        done = self._done if self._done is not None else self._read_file()
        if isinstance(done, list):
            return iter(done)
        return super()._iter(ctx)

    def _elements_from(self, it, ctx):
        store = []
        for e in it:
            store.append(e)
            yield e
        specs = nest.flatten(self.element_spec)
        stacked = _stack(store, specs)
        if self._file:
            if any(isinstance(s, DatasetSpec) for s in specs):
                raise InvalidArgumentError(None, None, "cache(filename) cannot hold elements "
                                           "that are datasets; cache them in memory.")
            self._write_file(stacked or [[e[i] for e in store] for i in range(len(specs))],
                             len(store))
        self._done = store if stacked is None else IndexSource(stacked, _whole(len(store)))

    # -- files: <name>.index (JSON: format, count, dtypes) and <name>.data-00000-of-00001, an
    # .npz read without pickle: per component the elements' shapes and their values flattened
    # and joined (strings as bytes and lengths). Each is written whole, then renamed.
    def _paths(self):
        return self._file + ".index", self._file + ".data-00000-of-00001"

    def _write_file(self, columns, count):
        index, data = self._paths()
        os.makedirs(os.path.dirname(os.path.abspath(self._file)), exist_ok=True)
        specs = nest.flatten(self.element_spec)
        payload = {}
        for i, (col, s) in enumerate(zip(columns, specs)):
            if isinstance(col, np.ndarray):
                shapes = np.tile(np.array(col.shape[1:], dtype=np.int64), (count, 1))
                flat = col.reshape(-1)
            else:
                shapes = np.array([a.shape for a in col], dtype=np.int64).reshape(
                    count, -1 if count else 0)
                flat = np.concatenate([a.reshape(-1) for a in col]) if col else \
                    np.empty(0, dtype=s.dtype._np)
            payload[f"c{i}_shapes"] = shapes
            if s.dtype is _dt.string:
                parts = [bytes(b) for b in flat]
                payload[f"c{i}_lens"] = np.array([len(b) for b in parts], dtype=np.int64)
                payload[f"c{i}"] = np.frombuffer(b"".join(parts), dtype=np.uint8)
            else:
                payload[f"c{i}"] = flat
        with open(data + ".tmp", "wb") as f:
            np.savez(f, **payload)
        os.replace(data + ".tmp", data)
        meta = {"format": "tfx.data.cache/2", "count": count,
                "dtypes": [s.dtype.name for s in specs]}
        with open(index + ".tmp", "w") as f:
            json.dump(meta, f)
        os.replace(index + ".tmp", index)

    def _read_file(self):
        if not self._file or not os.path.exists(self._paths()[0]):
            return None
        index, data = self._paths()
        with open(index) as f:
            meta = json.load(f)
        specs = nest.flatten(self.element_spec)
        if meta.get("format") != "tfx.data.cache/2" or \
                meta.get("dtypes") != [s.dtype.name for s in specs]:
            raise InvalidArgumentError(None, None, f"The cache file {self._file!r} holds "
                                       f"elements of dtypes {meta.get('dtypes')}, but this "
                                       f"dataset's are {[s.dtype.name for s in specs]}.")
        count = int(meta["count"])
        columns = []
        with np.load(data, allow_pickle=False) as z:
            for i, s in enumerate(specs):
                shapes = z[f"c{i}_shapes"]
                flat = z[f"c{i}"]
                if s.dtype is _dt.string:
                    ends = np.cumsum(z[f"c{i}_lens"]).tolist()
                    buf = flat.tobytes()
                    flat = np.empty(len(ends), dtype=object)
                    flat[:] = [buf[a:b] for a, b in zip([0] + ends[:-1], ends)]
                columns.append(_split(flat, shapes, count))
        if all(isinstance(c, np.ndarray) for c in columns):
            self._done = IndexSource(tuple(columns), _whole(count))
        else:
            self._done = [tuple(c[k, ...] if isinstance(c, np.ndarray) else c[k] for c in columns)
                          for k in range(count)]
        return self._done


def _split(flat, shapes, count):
    """A stacked array when every element has one shape, else the list of elements."""
    if count == 0 or (shapes == shapes[0]).all():
        return flat.reshape((count,) + (tuple(shapes[0]) if count else ()))
    sizes = np.prod(shapes, axis=1).astype(np.int64)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [flat[bounds[k]:bounds[k + 1]].reshape(tuple(shapes[k])) for k in range(count)]


def _whole(n):
    return lambda: iter((slice(0, n),))


def _stack(store, specs):
    """The elements as one array per component, or None when shapes differ."""
    if any(isinstance(s, DatasetSpec) for s in specs):
        return None
    if not store:
        return tuple(np.empty((0,) + tuple(d or 0 for d in (s.shape.dims or ())),
                              dtype=s.dtype._np) for s in specs)
    out = []
    for i in range(len(specs)):
        first = store[0][i].shape
        if any(e[i].shape != first for e in store):
            return None
        out.append(np.stack([e[i] for e in store]))
    return tuple(out)
