"""Stages that group elements: batch, padded_batch, unbatch, rebatch, window."""
import collections
import math

import numpy as np  # batches are stacked/sliced host arrays

from .. import dtypes as _dt
from .. import nest
from ..core.shape import TensorShape
from ..core.tensor import TensorBase
from ..errors import InvalidArgumentError
from .dataset import INF, UNK, Dataset
from .specs import DatasetSpec, TensorSpec


def _positive(value, what):
    value = int(value)
    if value <= 0:
        raise InvalidArgumentError(None, None, f"{what} must be greater than zero.")
    return value


def _tensor_leaves(spec, what):
    leaves = nest.flatten(spec)
    for s in leaves:
        if isinstance(s, DatasetSpec):
            raise TypeError(f"{what} does not support elements that are datasets; use "
                            "flat_map or interleave to read them.")
    return leaves


def _batched_spec(spec, dim):
    return nest.map_structure(
        lambda s: TensorSpec(TensorShape([dim]).concatenate(s.shape), s.dtype), spec)


def stack_rows(batch):
    """One array per component from a list of flat elements, as TF's batch checks them."""
    out = []
    for i in range(len(batch[0])):
        first = batch[0][i].shape
        for e in batch:
            if e[i].shape != first:
                raise InvalidArgumentError(
                    None, None, f"Cannot add tensor to the batch: number of elements does not "
                    f"match. Shapes are: [tensor]: {list(e[i].shape)}, [batch]: "
                    f"{list(first)}")
        out.append(np.stack([e[i] for e in batch]))
    return tuple(out)


class Batch(Dataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._size = _positive(batch_size, "Batch size")
        self._drop = bool(drop_remainder)

    def _compute_spec(self):
        spec = self._input.element_spec
        _tensor_leaves(spec, "batch")
        return _batched_spec(spec, self._size if self._drop else None)

    def _card(self):
        c = self._input._card()
        if c in (INF, UNK):
            return c
        return c // self._size if self._drop else -(-c // self._size)

    def _iter(self, ctx):
        src = self._input._index_source()
        if src is not None:
            return _batch_indexed(src.arrays, src.chunks(), self._size, self._drop)
        return self._batch_elements(self._input._iter(ctx))

    def _batch_elements(self, it):
        size = self._size
        buf = []
        for e in it:
            buf.append(e)
            if len(buf) == size:
                yield stack_rows(buf)
                buf = []
        if buf and not self._drop:
            yield stack_rows(buf)


def _gatherer(arrays):
    if len(arrays) == 1:
        a = arrays[0]
        return lambda idx: (a.take(idx, axis=0),)
    if len(arrays) == 2:
        a, b = arrays
        return lambda idx: (a.take(idx, axis=0), b.take(idx, axis=0))
    return lambda idx: tuple([a.take(idx, axis=0) for a in arrays])


def _batch_indexed(arrays, chunks, size, drop):
    """Batches straight from an index stream: a slice of every array for contiguous rows,
    else one gather per array per batch."""
    gather = _gatherer(arrays)
    pending = None
    for c in chunks:
        if isinstance(c, slice) and pending is None:
            lo, hi = c.start, c.stop
            while hi - lo >= size:
                yield tuple([a[lo:lo + size] for a in arrays])
                lo += size
            if lo < hi:
                pending = np.arange(lo, hi, dtype=np.int64)
            continue
        idx = np.arange(c.start, c.stop, dtype=np.int64) if isinstance(c, slice) else c
        if pending is not None:
            idx = np.concatenate([pending, idx])
            pending = None
        n = len(idx)
        full = n - n % size
        for lo in range(0, full, size):
            yield gather(idx[lo:lo + size])
        if full < n:
            pending = idx[full:]
    if pending is not None and not drop:
        yield gather(pending)


def _pad_value(value, spec):
    if value is None:
        return b"" if spec.dtype is _dt.string else np.zeros((), spec.dtype._np)[()]
    v = value._v if isinstance(value, TensorBase) else np.asarray(value)
    if np.ndim(v) != 0:
        raise ValueError(f"Padding value {value!r} must be a scalar.")
    if spec.dtype is _dt.string:
        v = np.asarray(v)[()]
        return v.encode() if isinstance(v, str) else bytes(v)
    return np.asarray(v, dtype=spec.dtype._np)[()]


def _structure_like(spec, value, what):
    """``value`` cut along ``spec``: one entry per spec leaf (a shape may itself be a list);
    None everywhere when ``value`` is None."""
    if value is None:
        return [None] * len(nest.flatten(spec))
    if not nest.is_nested(spec):
        return [value]
    same = isinstance(value, dict) if isinstance(spec, dict) else \
        isinstance(value, (tuple, list)) and not isinstance(value, dict)
    if not same or len(value) != len(spec) or (isinstance(spec, dict) and
                                               set(value) != set(spec)):
        raise ValueError(f"The `{what}` must have the same structure as the input: "
                         f"{spec} vs {value}")
    keys = sorted(spec, key=nest._sort_key) if isinstance(spec, dict) else range(len(spec))
    return [v for k in keys for v in _structure_like(spec[k], value[k], what)]


def _as_padded_shape(shape):
    if isinstance(shape, TensorBase):
        shape = shape.numpy().tolist()
    if isinstance(shape, (list, tuple)):
        shape = [None if d is None or (not isinstance(d, TensorShape) and int(d) < 0)
                 else int(d) for d in shape]
    return TensorShape(shape)


class PaddedBatch(Dataset):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._size = _positive(batch_size, "Batch size")
        self._drop = bool(drop_remainder)
        spec = input_dataset.element_spec
        leaves = _tensor_leaves(spec, "padded_batch")
        shapes = _structure_like(spec, padded_shapes, "padded_shapes")
        self._shapes = []
        for s, p in zip(leaves, shapes):
            if p is None:
                if s.shape.rank is None:
                    raise ValueError("You must provide `padded_shapes` argument because "
                                     f"component {s} has unknown rank.")
                p = s.shape
            p = _as_padded_shape(p)
            if not p.is_compatible_with(s.shape):
                raise ValueError(f"The padded shape {p} is not compatible with the shape "
                                 f"{s.shape} of the corresponding input component.")
            self._shapes.append(p)
        self._pads = [_pad_value(v, s) for v, s in
                      zip(_structure_like(spec, padding_values, "padding_values"), leaves)]
        self._dtypes = [s.dtype for s in leaves]

    def _compute_spec(self):
        spec = self._input.element_spec
        lead = TensorShape([self._size if self._drop else None])
        return nest.pack_sequence_as(spec, [
            TensorSpec(lead.concatenate(p), s.dtype)
            for p, s in zip(self._shapes, nest.flatten(spec))])

    def _card(self):
        c = self._input._card()
        if c in (INF, UNK):
            return c
        return c // self._size if self._drop else -(-c // self._size)

    def _iter(self, ctx):
        buf = []
        for e in self._input._iter(ctx):
            buf.append(e)
            if len(buf) == self._size:
                yield self._pad(buf)
                buf = []
        if buf and not self._drop:
            yield self._pad(buf)

    def _pad(self, batch):
        out = []
        for i, (shape, pad, d) in enumerate(zip(self._shapes, self._pads, self._dtypes)):
            rows = [e[i] for e in batch]
            ranks = {r.ndim for r in rows}
            if len(ranks) != 1 or ranks.pop() != len(shape):
                raise InvalidArgumentError(None, None, f"All elements in a batch must have the "
                                           f"same rank as the padded shape for component {i}: "
                                           f"expected rank {len(shape)}")
            target = [max(r.shape[k] for r in rows) if dim is None else dim
                      for k, dim in enumerate(shape)]
            arr = np.full([len(rows)] + target, pad, dtype=d._np)
            for j, r in enumerate(rows):
                if any(a > b for a, b in zip(r.shape, target)):
                    raise InvalidArgumentError(None, None, "Attempted to pad to a smaller size "
                                               "than the input element.")
                arr[(j,) + tuple(slice(0, n) for n in r.shape)] = r
            out.append(arr)
        return tuple(out)


def _leading_dims(spec, what):
    leaves = _tensor_leaves(spec, what)
    dims = []
    for s in leaves:
        if s.shape.rank == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        dims.append(None if s.shape.rank is None else s.shape[0])
    known = {d for d in dims if d is not None}
    if len(known) > 1:
        a, b = sorted(known)[:2]
        raise ValueError(f"`unbatch()` is only supported for datasets of elements whose "
                         f"components have a matching leading dimension. Encountered both "
                         f"{a} and {b}.")
    return dims


def _split_rows(e):
    n = e[0].shape[0]
    for a in e[1:]:
        if a.shape[0] != n:
            raise InvalidArgumentError(None, None, "Input element must have the same batch "
                                       "size in each component.")
    return n


class Unbatch(Dataset):
    def __init__(self, input_dataset):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._dims = _leading_dims(input_dataset.element_spec, "unbatch")

    def _compute_spec(self):
        return nest.map_structure(lambda s: TensorSpec(s.shape[1:], s.dtype),
                                  self._input.element_spec)

    def _card(self):
        c = self._input._card()
        if c in (INF, UNK):
            return c
        known = [d for d in self._dims if d is not None]
        return c * known[0] if known and None not in self._dims else UNK

    def _iter(self, ctx):
        for e in self._input._iter(ctx):
            n = _split_rows(e)
            if len(e) == 1:
                a = e[0]
                for k in range(n):
                    yield (a[k, ...],)
            else:
                for k in range(n):
                    yield tuple([a[k, ...] for a in e])


class Rebatch(Dataset):
    """Regroup the rows of batches into batches of ``batch_size`` (an int, or a list of sizes
    used in turn)."""

    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._dims = _leading_dims(input_dataset.element_spec, "rebatch")
        sizes = batch_size.numpy().tolist() if isinstance(batch_size, TensorBase) else batch_size
        self._sizes = [int(s) for s in sizes] if isinstance(sizes, (list, tuple)) else \
            [int(sizes)]
        if not self._sizes or any(s < 0 for s in self._sizes) or not any(self._sizes):
            raise InvalidArgumentError(None, None, "Batch sizes must be non-negative, and at "
                                       "least one must be positive.")
        self._drop = bool(drop_remainder)

    def _static_dim(self):
        if len(set(self._sizes)) != 1:
            return None
        size = self._sizes[0]
        if self._drop:
            return size
        if None in self._dims:
            return None
        return size if size and self._dims[0] % size == 0 else None

    def _compute_spec(self):
        dim = self._static_dim()
        return nest.map_structure(
            lambda s: TensorSpec(TensorShape([dim]).concatenate(s.shape[1:]), s.dtype),
            self._input.element_spec)

    def _iter(self, ctx):
        sizes = self._sizes
        turn = 0
        pending = []  # input batches (flat tuples) not yet fully used
        have = 0
        for e in self._input._iter(ctx):
            n = _split_rows(e)
            if n == 0:
                continue
            pending.append(e)
            have += n
            while have >= sizes[turn % len(sizes)]:
                size = sizes[turn % len(sizes)]
                turn += 1
                out, pending = _cut(pending, size)
                have -= size
                yield out
        while have and not self._drop:
            size = min(sizes[turn % len(sizes)], have)
            turn += 1
            out, pending = _cut(pending, size)
            have -= size
            yield out


def _cut(pending, size):
    """The first ``size`` rows of the pending batches, and what is left."""
    parts, rest, left = [], list(pending), size
    while left and rest:
        e = rest[0]
        n = e[0].shape[0]
        if n <= left:
            parts.append(e)
            rest.pop(0)
            left -= n
        else:
            parts.append(tuple(a[:left] for a in e))
            rest[0] = tuple(a[left:] for a in e)
            left = 0
    if not parts:
        first = pending[0]
        return tuple(a[:0] for a in first), rest
    if len(parts) == 1:
        return parts[0], rest
    return tuple(np.concatenate(c) for c in zip(*parts)), rest


class ElementList(Dataset):
    """A dataset over a list of internal elements (the windows of ``window``)."""

    def __init__(self, elements, spec):
        self._elements_list = elements
        self._spec_cache = spec

    def _iter(self, ctx):
        return iter(self._elements_list)

    def _card(self):
        return len(self._elements_list)


class Window(Dataset):
    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._size = _positive(size, "Window size")
        self._shift = self._size if shift is None else _positive(shift, "Window shift")
        self._stride = _positive(stride, "Window stride")
        self._drop = bool(drop_remainder)

    def _compute_spec(self):
        return nest.map_structure(DatasetSpec, self._input.element_spec)

    def _card(self):
        c = self._input._card()
        if c in (INF, UNK):
            return c
        if self._drop:
            span = (self._size - 1) * self._stride + 1
            return max(0, (c - span) // self._shift + 1) if c >= span else 0
        return math.ceil(c / self._shift)

    def _iter(self, ctx):
        leaves = nest.flatten(self._input.element_spec)
        size, shift, stride = self._size, self._shift, self._stride
        it = self._input._iter(ctx)
        buf = collections.deque()
        base = 0          # input position of buf[0]
        start = 0         # input position where the next window starts
        exhausted = False
        while True:
            last = start + (size - 1) * stride
            while not exhausted and base + len(buf) <= last:
                try:
                    e = next(it)
                except StopIteration:
                    exhausted = True
                    break
                if base + len(buf) < start:  # between windows (shift > window span)
                    base += 1
                else:
                    buf.append(e)
            positions = [p for p in range(start, last + 1, stride) if p < base + len(buf)]
            if not positions or (self._drop and len(positions) < size):
                return
            rows = [buf[p - base] for p in positions]
            yield tuple(ElementList([(r[i],) for r in rows], s) for i, s in enumerate(leaves))
            start += shift
            while buf and base < start:
                buf.popleft()
                base += 1
