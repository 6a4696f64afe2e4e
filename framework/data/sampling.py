"""Random and chosen mixtures: ``Dataset.random``, ``sample_from_datasets``,
``choose_from_datasets``, and ``bucket_by_sequence_length``."""
import bisect

import numpy as np  # the draws

from .. import dtypes as _dt
from .. import nest
from ..core.tensor import TensorBase, wrap
from ..errors import InvalidArgumentError
from .dataset import INF, UNK, Dataset
from .shuffle import Seed
from .batching import _as_padded_shape, _structure_like
from .specs import TensorSpec, common_spec

_BLOCK = 1024


class RandomDataset(Dataset):
    """Endless uniformly random int64 values (``Dataset.random``)."""

    def __init__(self, seed, rerandomize):
        self._seed = Seed(seed, "random")
        self._rerandomize = bool(rerandomize)
        self._spec_cache = TensorSpec([], _dt.int64)

    def _card(self):
        return INF

    def _iter(self, ctx):
        gen = self._seed.generators(self._rerandomize)[0]
        while True:
            for v in gen.integers(0, 1 << 63, _BLOCK, dtype=np.int64):
                yield (np.asarray(v),)


def _datasets(datasets):
    datasets = list(datasets)
    if not datasets or not all(isinstance(d, Dataset) for d in datasets):
        raise TypeError("`datasets` must be a non-empty list of tfx.data.Dataset objects.")
    return datasets


def _mixed_spec(datasets):
    spec = datasets[0].element_spec
    for d in datasets[1:]:
        spec = common_spec(spec, d.element_spec, "datasets")
    return spec


class SampleFromDatasets(Dataset):
    def __init__(self, datasets, weights, seed, stop_on_empty_dataset, rerandomize):
        self._inputs = tuple(_datasets(datasets))
        n = len(self._inputs)
        if weights is None:
            w = np.full(n, 1.0 / n)
        else:
            w = np.asarray(weights._v if isinstance(weights, TensorBase) else weights,
                           dtype=np.float64).reshape(-1)
            if len(w) != n:
                raise ValueError(f"`weights` must have one entry per dataset ({n}), got "
                                 f"{len(w)}.")
        self._weights = w
        self._stop = bool(stop_on_empty_dataset)
        self._seed = Seed(seed, "sample_from_datasets")
        self._rerandomize = True if rerandomize is None else bool(rerandomize)

    def _compute_spec(self):
        return _mixed_spec(self._inputs)

    def _card(self):
        cards = [d._card() for d in self._inputs]
        if all(c == INF for c in cards):
            return INF
        return UNK

    def _iter(self, ctx):
        self.element_spec  # noqa: B018 - incompatible inputs fail before any element
        gen = self._seed.generators(self._rerandomize)[0]
        its = [d._iter(ctx) for d in self._inputs]
        w = self._weights.copy()
        while w.sum() > 0:
            for u in gen.random(_BLOCK).tolist():
                total = w.sum()
                if total <= 0:
                    return
                k = min(int(np.searchsorted(np.cumsum(w), u * total, side="right")),
                        len(w) - 1)
                e = next(its[k], None)
                if e is None:
                    if self._stop:
                        return
                    w[k] = 0.0
                    continue
                yield e


class ChooseFromDatasets(Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset):
        self._datasets = _datasets(datasets)
        spec = choice_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype is not _dt.int64 or \
                spec.shape.rank != 0:
            raise TypeError(f"Invalid `choice_dataset`. Elements of `choice_dataset` must be "
                            f"scalar `tf.int64` tensors but are {spec}.")
        self._choices = choice_dataset
        self._inputs = tuple(self._datasets) + (choice_dataset,)
        self._stop = bool(stop_on_empty_dataset)

    def _compute_spec(self):
        return _mixed_spec(self._datasets)

    def _card(self):
        c = self._choices._card()
        return c if c == INF or c == 0 else UNK

    def _iter(self, ctx):
        self.element_spec  # noqa: B018
        its = [d._iter(ctx) for d in self._datasets]
        live = [True] * len(its)
        for (choice,) in self._choices._iter(ctx):
            k = int(choice)
            if not 0 <= k < len(its):
                raise InvalidArgumentError(None, None, f"Selector index out of range: {k}")
            if not live[k]:
                continue
            e = next(its[k], None)
            if e is None:
                if self._stop:
                    return
                live[k] = False
                if not any(live):
                    return
                continue
            yield e


def bucket_by_sequence_length(dataset, element_length_func, bucket_boundaries,
                              bucket_batch_sizes, padded_shapes, padding_values,
                              pad_to_bucket_boundary, no_padding, drop_remainder):
    """Batches of elements of similar length: an element of length ``L`` goes to the bucket
    ``i`` with ``boundaries[i-1] <= L < boundaries[i]``, which is batched (padded) by
    ``bucket_batch_sizes[i]``."""
    bounds = [int(b) for b in bucket_boundaries]
    sizes = [int(s) for s in bucket_batch_sizes]
    if len(sizes) != len(bounds) + 1:
        raise ValueError(f"`len(bucket_batch_sizes)` must equal `len(bucket_boundaries) + 1` "
                         f"but `len(bucket_batch_sizes)={len(sizes)}` and "
                         f"`len(bucket_boundaries)={len(bounds)}`.")
    if bounds != sorted(bounds):
        raise ValueError("`bucket_boundaries` must be sorted.")

    def key(*args):
        length = element_length_func(*args)
        return wrap(np.asarray(bisect.bisect_right(bounds, int(length)), dtype=np.int64),
                    _dt.int64)

    def size(bucket):
        return wrap(np.asarray(sizes[int(bucket)], dtype=np.int64), _dt.int64)

    def batches(bucket, window):
        b = int(bucket)
        if no_padding:
            return window.batch(sizes[b], drop_remainder=drop_remainder)
        filler = None
        if pad_to_bucket_boundary:
            if b >= len(bounds):
                raise InvalidArgumentError(None, None, "When pad_to_bucket_boundary=True, "
                                           "elements must have length < "
                                           "max(bucket_boundaries).")
            filler = bounds[b] - 1
        spec = window.element_spec
        flat = [s.shape for s in nest.flatten(spec)] if padded_shapes is None else \
            _structure_like(spec, padded_shapes, "padded_shapes")
        flat = [[filler if d is None else d for d in _as_padded_shape(p).as_list()]
                for p in flat]
        return window.padded_batch(sizes[b], nest.pack_sequence_as(spec, flat),
                                   padding_values, drop_remainder=drop_remainder)

    return dataset.group_by_window(key, batches, window_size_func=size)

