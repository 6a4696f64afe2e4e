"""Datasets that produce elements: tensor slices, one tensor, ranges, generators, and the
combinations ``zip`` and ``concatenate``."""
import itertools

import numpy as np  # host-side element storage

from .. import dtypes as _dt
from .. import nest
from ..errors import InvalidArgumentError
from .dataset import INF, UNK, Dataset, IndexSource
from .specs import TensorSpec, as_specs, common_spec, flat_arrays, normalize, spec_of

_RANGE_INDEX_LIMIT = 1 << 24  # a range up to this long is materialised for the index path


class TensorSlices(Dataset):
    def __init__(self, tensors):
        value = normalize(tensors, copy=True)
        self._arrays = flat_arrays(value)
        for a in self._arrays:
            if not isinstance(a, np.ndarray):
                raise TypeError("from_tensor_slices takes tensors, not datasets")
            if a.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        sizes = [a.shape[0] for a in self._arrays]
        for s in sizes[1:]:
            if s != sizes[0]:
                raise ValueError(f"Dimensions {sizes[0]} and {s} are not compatible")
        self._n = sizes[0]
        self._spec_cache = nest.map_structure(
            lambda s: TensorSpec(s.shape[1:], s.dtype), spec_of(value))

    def _index_source(self):
        n = self._n
        return IndexSource(self._arrays, lambda: iter((slice(0, n),)))

    def _card(self):
        return self._n


class Tensors(Dataset):
    def __init__(self, tensors):
        value = normalize(tensors, copy=True)
        self._element = flat_arrays(value)
        self._spec_cache = spec_of(value)

    def _iter(self, ctx):
        yield self._element

    def _card(self):
        return 1


class Range(Dataset):
    """``stop=None`` counts forever (``Dataset.counter``, ``enumerate``)."""

    def __init__(self, *args, output_type=_dt.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid `args`. The length of `args` should be between 1 and 3 "
                             f"but was {len(args)}.")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (tuple(args) + (1,))[:3]
        self._start, self._stop, self._step = (None if v is None else int(v)
                                               for v in (start, stop, step))
        if self._step == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
        self._dtype = _dt.as_dtype(output_type)
        self._spec_cache = TensorSpec([], self._dtype)
        self._values = None

    def _card(self):
        if self._stop is None:
            return INF
        return len(range(self._start, self._stop, self._step))

    def _index_source(self):
        n = self._card()
        if n == INF or n > _RANGE_INDEX_LIMIT:
            return None
        if self._values is None:
            self._values = np.arange(self._start, self._stop, self._step).astype(self._dtype._np)
        return IndexSource((self._values,), lambda: iter((slice(0, n),)))

    def _iter(self, ctx):
        np_type = self._dtype._np
        k = self._start
        block = 1 << 16
        while self._stop is None or (k < self._stop if self._step > 0 else k > self._stop):
            end = k + block * self._step
            if self._stop is not None:
                end = min(end, self._stop) if self._step > 0 else max(end, self._stop)
            vals = np.arange(k, end, self._step).astype(np_type)
            for i in range(len(vals)):
                yield (vals[i, ...],)
            k = end


def _signature(output_types, output_shapes, output_signature):
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError("The `output_types` and `output_shapes` arguments can only be used "
                            "when `output_signature` is not specified.")
        return as_specs(output_signature, "`output_signature`")
    if output_types is None:
        raise TypeError("The `output_signature` argument must be set.")
    if output_shapes is None:
        return nest.map_structure(lambda t: TensorSpec(None, t), output_types)
    types = nest.flatten(output_types)
    shapes = _shapes_up_to(output_types, output_shapes)
    return nest.pack_sequence_as(output_types,
                                 [TensorSpec(s, t) for t, s in zip(types, shapes)])


def _shapes_up_to(types, shapes):
    if not nest.is_nested(types):
        return [shapes]
    out = []
    items = ([shapes[k] for k in sorted(types, key=nest._sort_key)]
             if isinstance(types, dict) else list(shapes))
    for t, s in zip(nest._items(types), items):
        out.extend(_shapes_up_to(t, s))
    return out


def _struct_text(spec):
    return str(nest.map_structure(lambda s: f"tfx.{s.dtype.name}", spec)).replace("'", "")


class Generator(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        self._gen = generator
        self._args = tuple(args) if args is not None else ()
        self._spec_cache = _signature(output_types, output_shapes, output_signature)
        self._leaves = nest.flatten(self._spec_cache)

    def _iter(self, ctx):
        args = [a.numpy() if hasattr(a, "numpy") else np.asarray(normalize(a)._v)[()]
                for a in self._args]
        spec = self._spec_cache
        leaves = self._leaves
        for value in self._gen(*args):
            flat = _match(spec, value)
            if flat is None:
                raise InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element that did not "
                    f"match the expected structure. The expected structure was "
                    f"{_struct_text(spec)}, but the yielded element was {value!r}.")
            yield tuple([_convert(v, s) for v, s in zip(flat, leaves)])


def _match(spec, value):
    """``value``'s leaves in the order of ``spec``'s, or None if the structures differ."""
    if not nest.is_nested(spec):
        return [value]
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            return None
        parts = [_match(spec[k], value[k]) for k in sorted(spec, key=nest._sort_key)]
    else:
        if not isinstance(value, tuple) or len(value) != len(spec):
            return None
        parts = [_match(s, v) for s, v in zip(spec, value)]
    if any(p is None for p in parts):
        return None
    return [x for p in parts for x in p]


def _convert(value, spec):
    d = spec.dtype
    try:
        if hasattr(value, "_v"):
            value = value.numpy()
        if d is _dt.string:
            arr = np.asarray(value, dtype=object)
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else bytes(s),
                               otypes=[object])(arr) if arr.size else arr
        else:
            arr = np.asarray(value, dtype=d._np)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            None, None, f"TypeError: `generator` yielded an element that could not be "
            f"converted to the expected type. The expected type was {d.name}, but the "
            f"yielded element was {value!r}.") from None
    if not spec.shape.is_compatible_with(arr.shape):
        raise InvalidArgumentError(
            None, None, f"TypeError: `generator` yielded an element of shape "
            f"{tuple(arr.shape)} where an element of shape {spec.shape} was expected.")
    return arr


class Zip(Dataset):
    def __init__(self, datasets):
        for d in nest.flatten(datasets):
            if not isinstance(d, Dataset):
                raise TypeError(f"Invalid input to `zip`. Inputs are expected to be (nested) "
                                f"structures of `tf.data.Dataset` objects but encountered "
                                f"object of type {type(d)}.")
        self._structure = datasets
        self._inputs = tuple(nest.flatten(datasets))

    def _compute_spec(self):
        return nest.map_structure(lambda d: d.element_spec, self._structure)

    def _card(self):
        cards = [d._card() for d in self._inputs]
        if UNK in cards:
            return UNK
        finite = [c for c in cards if c != INF]
        return min(finite) if finite else INF

    def _iter(self, ctx):
        its = [d._iter(ctx) for d in self._inputs]
        if len(its) == 2:
            for a, b in zip(*its):
                yield a + b
            return
        for parts in zip(*its):
            yield tuple(itertools.chain.from_iterable(parts))


class Concatenate(Dataset):
    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError(f"`dataset` must be a tfx.data.Dataset, got {type(second)}")
        self._inputs = (first, second)

    def _compute_spec(self):
        a, b = (d.element_spec for d in self._inputs)
        return common_spec(a, b, "dataset elements")

    def _card(self):
        a, b = (d._card() for d in self._inputs)
        if INF in (a, b):
            return INF
        if UNK in (a, b):
            return UNK
        return a + b

    def _iter(self, ctx):
        self.element_spec  # noqa: B018 - incompatible inputs fail before any element
        for d in self._inputs:
            yield from d._iter(ctx)
