"""Preprocessing layers that carry their statistics inside the model: Normalization."""
import itertools

import numpy as np  # adapt() computes statistics on host data

from ...core.shape import TensorShape
from ...core.tensor import TensorBase
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["Normalization"]


class Normalization(Layer):
    """``(x - mean) / sqrt(var)`` per feature along ``axis``; ``adapt(data)`` learns them.

    The statistics are non-trainable weights, so they are saved with the model and a loaded
    model takes raw inputs."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis) if axis is not None else ()
        self.invert = bool(invert)
        self._init_mean = mean
        self._init_variance = variance
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")

    def _stat_shape(self, shape):
        nd = len(shape)
        axes = [a % nd for a in self.axis]
        return tuple(shape[i] if i in axes else 1 for i in range(nd)), axes

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        stat_shape, axes = self._stat_shape(shape)
        for a in axes:
            if shape[a] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={tuple(shape)}")
        self.mean = self.add_weight(name="mean", shape=stat_shape, initializer="zeros",
                                    trainable=False)
        self.variance = self.add_weight(name="variance", shape=stat_shape, initializer="ones",
                                        trainable=False)
        self.count = self.add_weight(name="count", shape=(), initializer="zeros",
                                     trainable=False, dtype="int64")
        if self._init_mean is not None:
            self.mean.assign(np.broadcast_to(np.asarray(self._init_mean, np.float32),
                                             stat_shape))
            self.variance.assign(np.broadcast_to(np.asarray(self._init_variance, np.float32),
                                                 stat_shape))
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Mean and variance of ``data``: an array, or batches (a ``tfx.data.Dataset`` or any
        iterable of arrays) combined one at a time, so data larger than memory can be adapted
        (``steps`` batches at most)."""
        if isinstance(data, (np.ndarray, TensorBase, list, tuple)):
            batches = [data]
        else:
            batches = data if steps is None else itertools.islice(iter(data), steps)
        count, mean, m2, rows = 0, None, None, 0
        for batch in batches:
            x = np.asarray(batch.numpy() if isinstance(batch, TensorBase) else batch,
                           dtype=np.float64)
            if not self.built:
                self.build((None,) + x.shape[1:])
            nd = x.ndim
            axes = tuple(i for i in range(nd) if i not in [a % nd for a in self.axis])
            n = int(np.prod([x.shape[i] for i in axes]))
            if n == 0:
                continue
            rows += x.shape[0]
            b_mean = x.mean(axis=axes, keepdims=True)
            b_m2 = ((x - b_mean) ** 2).sum(axis=axes, keepdims=True)
            if mean is None:
                count, mean, m2 = n, b_mean, b_m2
                continue
            # Chan et al.'s pairwise update: exact, without a second pass over the data
            delta = b_mean - mean
            total = count + n
            mean = mean + delta * (n / total)
            m2 = m2 + b_m2 + delta ** 2 * (count * n / total)
            count = total
        if mean is None:
            raise ValueError("Normalization.adapt received no data.")
        self.mean.assign(mean.reshape(self.mean.shape.as_list()).astype(np.float32))
        self.variance.assign((m2 / count).reshape(self.variance.shape.as_list())
                             .astype(np.float32))
        self.count.assign(rows)

    def call(self, inputs):
        # The statistics are read in the inputs' dtype (float16 under mixed precision), as
        # Keras; its epsilon keeps a constant feature finite.
        mean = M.cast(self.mean, inputs.dtype)
        std = M.maximum(M.sqrt(M.cast(self.variance, inputs.dtype)), 1e-7)
        if self.invert:
            return M.add(M.multiply(inputs, std), mean)
        return M.divide(M.subtract(inputs, mean), std)

    def get_config(self):
        cfg = {**super().get_config(), "axis": list(self.axis), "invert": self.invert}
        if self._init_mean is not None:
            cfg["mean"] = np.asarray(self._init_mean).tolist()
            cfg["variance"] = np.asarray(self._init_variance).tolist()
        return cfg
