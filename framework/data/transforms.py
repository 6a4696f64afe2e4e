"""Stages that run user functions: map, filter, flat_map, interleave, take_while, scan,
unique, group_by_window.

Functions receive tfx tensors (a tuple element is passed as positional arguments, as tf.data
does) and run eagerly. A stage's output spec is learnt without reading the input: the function
runs on two stand-in elements (unknown dims 1 then 2, zeros then ones), and a dimension that
differs between the runs is unknown; a function that fails on stand-ins is run on the first
real element instead, with every dimension reported unknown.
"""
import numpy as np  # host-side element storage

from .. import dtypes as _dt
from .. import nest
from ..core.tensor import Tensor, wrap
from ..errors import InvalidArgumentError
from ..ops import random_ops
from .dataset import UNK, Dataset, cpu_count
from .specs import (TensorSpec, flat_arrays, make_packer, merge_runs, normalize, relax, spec_of,
                    standin)
from .threads import parallel_map, parallelism


def call(fn, element):
    return fn(*element) if type(element) is tuple else fn(element)


def infer_spec(run, in_spec, input_dataset, from_element=None):
    """The spec of ``run(value)`` (which returns a spec nest) for values of ``in_spec``;
    ``from_element`` makes such a value from an element of ``input_dataset``."""
    # Stand-in runs leave the random streams as they were, so a pipeline draws the same numbers
    # whether or not its spec was asked for.
    saved = random_ops.get_state()
    try:
        with np.errstate(all="ignore"):
            return merge_runs(run(standin(in_spec, False)), run(standin(in_spec, True)))
    except Exception as exc:
        random_ops.set_state(saved)
        first = _first_element(input_dataset)
        if first is None:
            raise exc
        x = make_packer(input_dataset.element_spec)(first)
        return relax(run(x if from_element is None else from_element(x)))
    finally:
        random_ops.set_state(saved)


def _first_element(dataset):
    """The dataset's first element (or None), read without moving any shuffle on to its next
    pass: the real first pass must still be pass 0."""
    seeds, todo = [], [dataset]
    while todo:
        d = todo.pop()
        if getattr(d, "_seed", None) is not None:
            seeds.append((d._seed, d._seed._passes))
        todo.extend(d._inputs)
    it = dataset._elements()
    try:
        return next(it, None)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
        for seed, passes in seeds:
            seed._passes = passes


def _output(value):
    """A function's result as (normalized value) — top-level lists are tuples, as tf.data."""
    return normalize(value, top_list_is_tuple=True)


def _flat_output(value):
    if value.__class__ is Tensor:
        return (value._v,)
    if type(value) is tuple:
        for v in value:
            if v.__class__ is not Tensor:
                break
        else:
            return tuple([v._v for v in value])
    return flat_arrays(_output(value))


class _FnStage(Dataset):
    def __init__(self, input_dataset, fn):
        if not callable(fn):
            raise TypeError(f"The function argument must be callable, got {type(fn)}")
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._fn = fn

    def _card(self):
        return self._input._card()


class Map(_FnStage):
    def __init__(self, input_dataset, fn, num_parallel_calls, deterministic):
        super().__init__(input_dataset, fn)
        self._parallel = num_parallel_calls
        self._deterministic = deterministic
        if num_parallel_calls is not None and int(num_parallel_calls) != -1 and \
                int(num_parallel_calls) <= 0:
            raise InvalidArgumentError(None, None, "num_parallel_calls must be greater than "
                                       "zero.")

    def _compute_spec(self):
        fn = self._fn
        return infer_spec(lambda x: spec_of(_output(call(fn, x))),
                          self._input.element_spec, self._input)

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        width = len(nest.flatten(self.element_spec))
        fn = self._fn

        def apply(e):
            out = _flat_output(call(fn, pack(e)))
            if len(out) != width:
                raise InvalidArgumentError(None, None, "map: the function returned a "
                                           "different structure than on its first call.")
            return out

        it = self._input._iter(ctx)
        if self._parallel is None:
            return map(apply, it)
        return parallel_map(it, apply, parallelism(self._parallel, ctx),
                            ctx.deterministic(self._deterministic))


def _predicate_result(value):
    r = normalize(value)
    if not isinstance(r, Tensor) or r.dtype is not _dt.bool or r.shape.rank != 0:
        raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                         f"tensor, but its return type is {spec_of(r)}.")
    return bool(r._v)


class Filter(_FnStage):
    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return UNK

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        fn = self._fn
        for e in self._input._iter(ctx):
            if _predicate_result(call(fn, pack(e))):
                yield e


class TakeWhile(_FnStage):
    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return UNK

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        for e in self._input._iter(ctx):
            if not _predicate_result(call(self._fn, pack(e))):
                return
            yield e


def _dataset_result(value, what="map_func"):
    from .dataset import Dataset as _D
    if not isinstance(value, _D):
        raise TypeError(f"The `{what}` argument must return a `Dataset` object. Got "
                        f"{type(value)}.")
    return value


class FlatMap(_FnStage):
    def _compute_spec(self):
        fn = self._fn
        return infer_spec(lambda x: _dataset_result(call(fn, x)).element_spec,
                          self._input.element_spec, self._input)

    def _card(self):
        return UNK

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        for e in self._input._iter(ctx):
            yield from _dataset_result(call(self._fn, pack(e)))._iter(ctx)


class Interleave(FlatMap):
    """Round-robin over ``cycle_length`` open inner datasets, ``block_length`` elements from
    each in turn; an exhausted one is replaced by the next input's. ``num_parallel_calls``
    gives the same order (deterministic), so the inner datasets are read here in turn."""

    def __init__(self, input_dataset, fn, cycle_length, block_length, num_parallel_calls,
                 deterministic):
        super().__init__(input_dataset, fn)
        cycle = -1 if cycle_length is None else int(cycle_length)
        self._cycle = cpu_count() if cycle == -1 else cycle
        self._block = 1 if block_length is None else int(block_length)
        if self._cycle <= 0:
            raise InvalidArgumentError(None, None, "cycle_length must be greater than zero.")
        if self._block <= 0:
            raise InvalidArgumentError(None, None, "block_length must be greater than zero.")

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        inputs = self._input._iter(ctx)
        slots = [None] * self._cycle
        open_count, index, block = 0, 0, 0
        end_of_input = False
        while not end_of_input or open_count:
            current = slots[index]
            if current is not None:
                e = next(current, None)
                if e is not None:
                    yield e
                    block += 1
                    if block == self._block:
                        block, index = 0, (index + 1) % self._cycle
                    continue
                slots[index] = None
                open_count -= 1
                block, index = 0, (index + 1) % self._cycle
            elif not end_of_input:
                x = next(inputs, None)
                if x is None:
                    end_of_input = True
                    continue
                slots[index] = _dataset_result(call(self._fn, pack(x)))._iter(ctx)
                open_count += 1
            else:
                block, index = 0, (index + 1) % self._cycle


class Scan(_FnStage):
    def __init__(self, input_dataset, initial_state, fn):
        super().__init__(input_dataset, fn)
        self._state = _output(initial_state)

    def _run(self, state, element):
        out = self._fn(state, element)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("The scan function must return a pair (new_state, output).")
        return _output(out[0]), _output(out[1])

    def _compute_spec(self):
        return infer_spec(lambda x: spec_of(self._run(self._state, x)[1]),
                          self._input.element_spec, self._input)

    def _iter(self, ctx):
        pack = make_packer(self._input.element_spec)
        state = self._state
        for e in self._input._iter(ctx):
            state, out = self._run(state, pack(e))
            yield flat_arrays(out)


class Unique(Dataset):
    def __init__(self, input_dataset):
        spec = input_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.shape.rank != 0 or not (
                spec.dtype.is_integer or spec.dtype is _dt.string):
            raise TypeError("Unique transformation only supports datasets of scalar int32, "
                            f"int64 or string elements, got {spec}.")
        self._input = input_dataset
        self._inputs = (input_dataset,)

    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return UNK

    def _iter(self, ctx):
        seen = set()
        for e in self._input._iter(ctx):
            key = e[0][()]
            if key not in seen:
                seen.add(key)
                yield e


class GroupByWindow(Dataset):
    """Elements grouped by ``key_func`` into windows of ``window_size`` (or
    ``window_size_func(key)``), each window passed as a dataset to ``reduce_func(key, window)``
    whose dataset's elements come out; unfinished windows are flushed at the end, by key."""

    def __init__(self, input_dataset, key_func, reduce_func, window_size, window_size_func):
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` "
                             "argument must be specified.")
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._key_func, self._reduce = key_func, reduce_func
        self._size = window_size
        self._size_func = window_size_func

    def _compute_spec(self):
        from .batching import ElementList
        in_spec = self._input.element_spec
        key = TensorSpec([], _dt.int64)

        def run(key_and_element):
            k, x = key_and_element
            window = ElementList([flat_arrays(x)], in_spec)
            return _dataset_result(self._reduce(k, window), "reduce_func").element_spec
        zero = wrap(np.zeros((), dtype=np.int64), _dt.int64)
        return infer_spec(run, (key, in_spec), self._input, lambda x: (zero, x))

    def _card(self):
        return UNK

    def _window_size(self, key_tensor):
        if self._size is not None:
            return int(self._size)
        n = int(normalize(self._size_func(key_tensor))._v)
        if n <= 0:
            raise InvalidArgumentError(None, None, "Window size must be greater than zero, "
                                       f"but got {n}.")
        return n

    def _iter(self, ctx):
        from .batching import ElementList
        in_spec = self._input.element_spec
        pack = make_packer(in_spec)
        groups = {}  # key -> (key tensor, window size, elements)
        for e in self._input._iter(ctx):
            k = normalize(call(self._key_func, pack(e)))
            if k.dtype is not _dt.int64 or k.shape.rank != 0:
                raise ValueError(f"`key_func` must return a single tf.int64 scalar tensor. "
                                 f"Got type={k.dtype.name} and shape={k.shape}")
            key = int(k._v)
            if key not in groups:
                kt = wrap(np.asarray(key, dtype=np.int64), _dt.int64)
                groups[key] = (kt, self._window_size(kt), [])
            kt, size, elems = groups[key]
            elems.append(e)
            if len(elems) == size:
                del groups[key]
                yield from self._reduce(kt, ElementList(elems, in_spec))._iter(ctx)
        for key in sorted(groups):  # TF keeps its windows in a map ordered by key
            kt, _, elems = groups[key]
            yield from self._reduce(kt, ElementList(elems, in_spec))._iter(ctx)

