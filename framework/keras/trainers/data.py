"""Turning fit/evaluate/predict inputs into batches of tensors.

Arrays (NumPy, tensors, lists/dicts of them) are sliced with NumPy indexing per batch; any
other iterable (a generator, a tfx.data.Dataset) is read as it yields ``(x, y[, sw])``.
The shuffle order comes from a tfx-owned generator, so ``set_random_seed`` repeats it.
"""
import math

import numpy as np  # host-side batching only; batches become tensors at the edge

from ... import nest
from ...core.tensor import TensorBase, convert_to_tensor
from ...ops.random_ops import _generator
from ..py_dataset import PyDataset

__all__ = ["DataHandler", "unpack_x_y_sample_weight", "train_validation_split"]


def unpack_x_y_sample_weight(data):
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def _pack(x, y, sw):
    """A batch as Keras hands it to a step: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
    (custom train_steps written ``x, y = data`` rely on it)."""
    if sw is not None:
        return (x, y, sw)
    return (x,) if y is None else (x, y)


def _to_numpy(a):
    if isinstance(a, TensorBase):
        return np.asarray(a)
    if isinstance(a, np.ndarray):
        return a
    return np.asarray(a)


def _is_array_data(x):
    if x is None:
        return True
    if isinstance(x, (np.ndarray, TensorBase)):
        return True
    if isinstance(x, dict):
        return all(_is_array_data(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return all(isinstance(v, (np.ndarray, TensorBase)) for v in x) or \
            (len(x) > 0 and not hasattr(x[0], "__next__") and
             not any(isinstance(v, (list, tuple, dict)) for v in x))
    return False


def _num_samples(x):
    flat = [a for a in nest.flatten(x) if a is not None]
    if not flat:
        return 0
    sizes = {int(a.shape[0]) for a in flat}
    if len(sizes) > 1:
        raise ValueError(f"Data cardinality is ambiguous: inputs have different numbers of "
                         f"samples: {sorted(sizes)}. Make sure all arrays contain the same "
                         "number of samples.")
    return sizes.pop()


def train_validation_split(arrays, validation_split):
    """Keras' rule: the last ``validation_split`` fraction, before any shuffling."""
    n = _num_samples(arrays)
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`.")
    first = nest.map_structure(lambda a: None if a is None else a[:split], arrays)
    second = nest.map_structure(lambda a: None if a is None else a[split:], arrays)
    return first, second


def _to_tensor(a):
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    return convert_to_tensor(a)


class DataHandler:
    """Batches for one or more epochs: ``for step, batch in handler.steps(epoch)``."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                 shuffle=False, class_weight=None, shards=None):
        from ..config import limit_steps
        steps_per_epoch = limit_steps(steps_per_epoch)  # keras.config.set_max_steps_per_epoch
        self._arrays = _is_array_data(x)
        self.steps_per_epoch = steps_per_epoch
        self.shuffle = shuffle
        self.shards = shards  # tfx.distribute: this rank reads only its share of the samples
        self.order = None  # this epoch's sample order (shuffled arrays), for backups
        if self._arrays:
            conv = lambda a: None if a is None else _to_numpy(a)  # noqa: E731
            self.x = nest.map_structure(conv, x) if nest.is_nested(x) else conv(x)
            self.y = None if y is None else (nest.map_structure(conv, y)
                                             if nest.is_nested(y) else conv(y))
            self.sw = None if sample_weight is None else conv(sample_weight)
            if class_weight is not None:
                self.sw = _class_weights(self.y, class_weight, self.sw)
            self.n = _num_samples((self.x, self.y))
            self.batch_size = batch_size or 32
            local = self.n if shards is None else shards.count(self.n)
            full = int(math.ceil(local / self.batch_size)) if local else 0
            self.num_steps = min(full, steps_per_epoch) if steps_per_epoch else full
        else:
            if y is not None:
                raise ValueError("`y` argument is not supported when using a dataset or a "
                                 "generator as input; it should yield (x, y) tuples.")
            self.source = x
            self.num_steps = steps_per_epoch if steps_per_epoch else _len_or_none(x)
            if shards is not None:
                self.num_steps = shards.steps(self.num_steps, steps_per_epoch)
            self._iter = None

    def steps(self, start=0, order=None):
        """Yield (step, (x, y, sample_weight)) for one epoch. ``start`` and ``order`` (the
        epoch's sample order, kept in ``self.order``) resume an epoch at a batch, as it was
        shuffled (BackupAndRestore); a dataset or generator skips ``start`` batches instead."""
        if self._arrays:
            yield from self._array_steps(start, order)
        elif isinstance(self.source, PyDataset) and self.shards is None:
            yield from self._py_dataset_steps(start)
        else:
            yield from self._iter_steps(start)

    def _array_steps(self, start, order):
        n, bs = self.n, self.batch_size
        if order is not None:
            n = len(order)
        elif self.shards is not None:
            order = self.shards.indices(n, self.shuffle)
            n = len(order)
        else:
            order = _generator(None).permutation(n) if self.shuffle else None
        self.order = order
        for step in range(start, self.num_steps):
            lo, hi = step * bs, min(n, (step + 1) * bs)
            if order is None:
                take = lambda a: a[lo:hi]  # noqa: E731
            else:
                idx = np.sort(order[lo:hi]) if self.shuffle == "batch" else order[lo:hi]
                take = lambda a: a[idx]  # noqa: E731
            pick = lambda a: None if a is None else _to_tensor(take(a))  # noqa: E731
            xb = nest.map_structure(pick, self.x) if nest.is_nested(self.x) else pick(self.x)
            yb = None if self.y is None else (nest.map_structure(pick, self.y)
                                              if nest.is_nested(self.y) else pick(self.y))
            sb = None if self.sw is None else pick(self.sw)
            yield step, _pack(xb, yb, sb)

    def _iter_steps(self, start):
        if self._iter is None or self.steps_per_epoch is None:
            self._iter = self._open()
        for _ in range(start):
            next(self._iter, None)
        step = start
        while self.num_steps is None or step < self.num_steps:
            try:
                data = next(self._iter)
            except StopIteration:
                self._iter = None
                if self.steps_per_epoch is not None and step == 0:
                    self._iter = self._open()
                    continue
                return
            yield step, _batch(data)
            step += 1

    def _py_dataset_steps(self, start):
        """A PyDataset's batches by index (a resumed epoch starts at its batch without
        producing the ones before), between its on_epoch_begin and on_epoch_end."""
        source = self.source
        source.on_epoch_begin()
        step = start
        while self.num_steps is None or step < self.num_steps:
            try:
                data = source[step]
            except IndexError:  # an open-ended dataset that has run out
                break
            yield step, _batch(data)
            step += 1
        source.on_epoch_end()

    def _open(self):
        return iter(self.source) if self.shards is None else self.shards.iterate(self.source)


def _batch(data):
    x, y, sw = unpack_x_y_sample_weight(data)
    conv = lambda a: a if a is None or isinstance(a, TensorBase) else \
        _to_tensor(np.asarray(a))  # noqa: E731
    return _pack(nest.map_structure(conv, x), None if y is None else
                 nest.map_structure(conv, y), conv(sw))


def _len_or_none(x):
    try:
        return len(x)
    except TypeError:
        return None


def _class_weights(y, class_weight, sw):
    if nest.is_nested(y):
        raise ValueError("`class_weight` is only supported for models with a single output.")
    yv = np.asarray(y)
    cls = np.argmax(yv, axis=-1) if yv.ndim > 1 and yv.shape[-1] > 1 else \
        yv.reshape(yv.shape[0], -1)[:, 0].round().astype(np.int64)
    w = np.array([class_weight.get(int(c), 1.0) for c in cls], dtype=np.float32)
    return w if sw is None else w * np.asarray(sw, dtype=np.float32)


def concat_batches(batches):
    """Join per-batch predictions (NumPy) along the batch axis, keeping the structure."""
    if not batches:
        return None
    first = batches[0]
    flat = [nest.flatten(b) for b in batches]
    joined = [np.concatenate([f[i] for f in flat], axis=0) for i in range(len(flat[0]))]
    return nest.pack_sequence_as(first, joined)


__all__.append("concat_batches")
