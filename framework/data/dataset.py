"""``tfx.data.Dataset``: tf.data's input pipelines on NumPy.

A dataset is a node in a chain; iterating it runs the chain as Python generators of flat
tuples of NumPy arrays, and tensors are made only as elements leave (``Iterator``). Sources
over whole arrays (``from_tensor_slices``, ``range``, a completed ``cache``) also offer an
*index source*: the arrays plus a stream of index chunks. ``shuffle``, ``repeat``, ``take``
and ``skip`` transform that index stream without touching elements, and ``batch`` turns it
into one NumPy gather (or slice) per batch, so ``from_tensor_slices((x, y)).shuffle(n)
.batch(32)`` does no per-element Python work.
"""
import os

import numpy as np  # host-side element storage; tensors are made at the edge

from .. import dtypes as _dt
from ..core.tensor import wrap
from ..errors import InvalidArgumentError, OutOfRangeError
from .options import Options
from .specs import make_numpy_packer, make_packer

__all__ = ["Dataset", "Iterator", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
INF, UNK = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def cpu_count():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Context:
    """What every stage of one iteration shares: the pipeline's merged options."""

    __slots__ = ("options",)

    def __init__(self, options):
        self.options = options

    def deterministic(self, override):
        if override is not None:
            return bool(override)
        d = self.options.deterministic
        return True if d is None else d


class IndexSource:
    """Random-access elements: row ``k`` of every array in ``arrays``; ``chunks()`` starts one
    pass and yields, in element order, slices or int64 arrays of row numbers."""

    __slots__ = ("arrays", "chunks")

    def __init__(self, arrays, chunks):
        self.arrays = arrays
        self.chunks = chunks


class Dataset:
    """A sequence of elements (tensors, or tuples/dicts of them), as ``tf.data.Dataset``."""

    _inputs = ()
    _own_options = None

    # ---- what each stage defines -------------------------------------------------------------
    def _compute_spec(self):
        raise NotImplementedError

    def _iter(self, ctx):
        """A generator of internal elements (flat tuples of arrays/datasets)."""
        src = self._index_source()
        return rows(src.arrays, src.chunks())

    def _index_source(self):
        return None

    def _card(self):
        return UNK

    # ---- introspection -----------------------------------------------------------------------
    @property
    def element_spec(self):
        spec = self.__dict__.get("_spec_cache")
        if spec is None:
            spec = self._spec_cache = self._compute_spec()
        return spec

    def cardinality(self):
        """The number of elements as an int64 scalar; ``INFINITE_CARDINALITY`` (-1) or
        ``UNKNOWN_CARDINALITY`` (-2) when it is infinite or cannot be known without running."""
        return wrap(np.asarray(self._card(), dtype=np.int64), _dt.int64)

    def __len__(self):
        n = self._card()
        if n == INF:
            raise TypeError("The dataset is infinite.")
        if n == UNK:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True  # never fall back to __len__, which raises for unknown lengths

    def options(self):
        opts = Options()
        for d in self._inputs:
            opts = opts.merge(d.options())
        if self._own_options is not None:
            opts = opts.merge(self._own_options)
        return opts

    def with_options(self, options, name=None):
        return _OptionsDataset(self, options)

    def __repr__(self):
        return f"<{type(self).__name__} element_spec={self.element_spec}>"

    # ---- iteration ---------------------------------------------------------------------------
    def __iter__(self):
        return Iterator(self)

    def as_numpy_iterator(self):
        """Iterate the elements as NumPy values (arrays, scalars, bytes)."""
        return NumpyIterator(self)

    def _elements(self):
        """Internal elements of a fresh iteration, for stages that read whole datasets."""
        return self._iter(Context(self.options()))

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements into a state: ``state = reduce_func(state, element)``."""
        from .specs import normalize
        state = normalize(initial_state)
        for x in Iterator(self):
            state = normalize(reduce_func(state, x), top_list_is_tuple=True)
        return state

    def get_single_element(self, name=None):
        it = Iterator(self)
        try:
            first = next(it)
        except StopIteration:
            raise InvalidArgumentError(None, None, "Dataset was empty.") from None
        try:
            next(it)
        except StopIteration:
            return first
        raise InvalidArgumentError(None, None, "Dataset had more than one element.")

    # ---- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row of the given tensors (their first dimension, shared)."""
        return sources.TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of exactly one element: ``tensors``."""
        return sources.Tensors(tensors)

    @staticmethod
    def range(*args, output_type=_dt.int64, name=None):
        """``range(stop)``, ``range(start, stop[, step])`` as scalars of ``output_type``."""
        return sources.Range(*args, output_type=output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements from ``generator(*args)`` (called once per iteration), each checked
        against ``output_signature`` (a nest of ``tfx.TensorSpec``)."""
        return sources.Generator(generator, output_types, output_shapes, args,
                                 output_signature)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Elements combined from several datasets: ``zip(a, b)`` or ``zip((a, b))``."""
        if datasets is None:
            datasets = args[0] if len(args) == 1 else args
        return sources.Zip(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """File names matching the glob pattern(s), shuffled unless ``shuffle=False``."""
        return readers.list_files(file_pattern, shuffle, seed)

    @staticmethod
    def counter(start=0, step=1, dtype=_dt.int64, name=None):
        return sources.Range(start, None, step, output_type=dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """Endless uniformly random non-negative int64 scalars."""
        return sampling.RandomDataset(seed, rerandomize_each_iteration)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Each element from a dataset picked at random with probability ``weights``; an
        exhausted dataset drops out (or ends the mix with ``stop_on_empty_dataset``)."""
        return sampling.SampleFromDatasets(datasets, weights, seed, stop_on_empty_dataset,
                                           rerandomize_each_iteration)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Each element from ``datasets[k]`` for the next ``k`` of ``choice_dataset``."""
        return sampling.ChooseFromDatasets(datasets, choice_dataset, stop_on_empty_dataset)

    def concatenate(self, dataset, name=None):
        return sources.Concatenate(self, dataset)

    # ---- transformations ---------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None):
        """Apply ``map_func`` to each element (a tuple element is passed as positional
        arguments). With ``num_parallel_calls`` it runs on a thread pool; ``deterministic``
        (default: the pipeline's option, else True) keeps the input order.
        ``synchronous`` and ``use_unbounded_threadpool`` are TensorFlow's scheduling hints:
        accepted, and without effect on what the dataset yields."""
        return transforms.Map(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate, name=None):
        return transforms.Filter(self, predicate)

    def flat_map(self, map_func, name=None):
        return transforms.FlatMap(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        return transforms.Interleave(self, map_func, cycle_length, block_length,
                                     num_parallel_calls, deterministic)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stack consecutive elements into batches of ``batch_size`` (the last may be
        smaller unless ``drop_remainder``)."""
        return batching.Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        return batching.PaddedBatch(self, batch_size, padded_shapes, padding_values,
                                    drop_remainder)

    def unbatch(self, name=None):
        return batching.Unbatch(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        return batching.Rebatch(self, batch_size, drop_remainder)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        return batching.Window(self, size, shift, stride, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffle with a buffer: the buffer holds ``buffer_size`` elements and each output is
        drawn uniformly from it, then replaced by the next input (a full random permutation
        when the buffer covers the dataset). A seed, or the global seed
        (``tfx.random.set_seed``), makes the order repeat from run to run."""
        return shuffle.Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None):
        return control.Repeat(self, count)

    def take(self, count, name=None):
        return control.Take(self, count)

    def skip(self, count, name=None):
        return control.Skip(self, count)

    def shard(self, num_shards, index, name=None):
        return control.Shard(self, num_shards, index)

    def take_while(self, predicate, name=None):
        return transforms.TakeWhile(self, predicate)

    def enumerate(self, start=0, name=None):
        return sources.Zip((sources.Range(start, None, 1), self))

    def scan(self, initial_state, scan_func, name=None):
        return transforms.Scan(self, initial_state, scan_func)

    def unique(self, name=None):
        return transforms.Unique(self)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None):
        return transforms.GroupByWindow(self, key_func, reduce_func, window_size,
                                        window_size_func)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries,
                                  bucket_batch_sizes, padded_shapes=None, padding_values=None,
                                  pad_to_bucket_boundary=False, no_padding=False,
                                  drop_remainder=False, name=None):
        return sampling.bucket_by_sequence_length(
            self, element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
            padding_values, pad_to_bucket_boundary, no_padding, drop_remainder)

    def prefetch(self, buffer_size, name=None):
        """Produce up to ``buffer_size`` elements ahead on a background thread (AUTOTUNE: a
        few). The thread lives only while an iterator is being read."""
        return threads.Prefetch(self, buffer_size)

    def cache(self, filename="", name=None):
        """Keep the elements of the first full pass in memory (``filename=""``) or in files
        ``filename.index`` / ``filename.data-00000-of-00001``; later passes read them."""
        return control.Cache(self, filename)

    def apply(self, transformation_func):
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(f"`transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(out)}.")
        return out


class _OptionsDataset(Dataset):
    def __init__(self, input_dataset, options):
        if not isinstance(options, Options):
            raise TypeError(f"`options` must be a tfx.data.Options, got {type(options)}")
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._own_options = options

    def _compute_spec(self):
        return self._input.element_spec

    def _iter(self, ctx):
        return self._input._iter(ctx)

    def _index_source(self):
        return self._input._index_source()

    def _card(self):
        return self._input._card()


def rows(arrays, chunks):
    """Element-at-a-time reading of an index source."""
    if len(arrays) == 1:
        a = arrays[0]
        for c in chunks:
            for k in (range(c.start, c.stop) if isinstance(c, slice) else c.tolist()):
                yield (a[k, ...],)
        return
    for c in chunks:
        for k in (range(c.start, c.stop) if isinstance(c, slice) else c.tolist()):
            yield tuple([a[k, ...] for a in arrays])


class Iterator:
    """An iterator over a dataset's elements as tfx tensors (``iter(dataset)``)."""

    def __init__(self, dataset):
        self._element_spec = dataset.element_spec
        self._pack = make_packer(self._element_spec)
        self._it = dataset._iter(Context(dataset.options()))

    @property
    def element_spec(self):
        return self._element_spec

    def __iter__(self):
        return self

    def __next__(self):
        return self._pack(next(self._it))

    next = __next__

    def get_next(self):
        try:
            return self._pack(next(self._it))
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        """The next element as a ``tfx.experimental.Optional``, empty at the end."""
        from ..experimental.optional import Optional
        try:
            return Optional.from_value(self._pack(next(self._it)))
        except StopIteration:
            return Optional.empty(self._element_spec)

    @property
    def _type_spec(self):
        from .specs import IteratorSpec
        return IteratorSpec(self._element_spec)


class NumpyIterator(Iterator):
    def __init__(self, dataset):
        super().__init__(dataset)
        self._pack = make_numpy_packer(self._element_spec)

    def __repr__(self):
        return f"<NumpyIterator element_spec={self._element_spec}>"


# Stage modules import Dataset from here; they load once the class exists.
from . import (batching, control, readers, sampling, shuffle, sources, threads,  # noqa: E402
               transforms)
