"""IndexedSlices: a sparse gradient (the rows ``indices`` of a dense tensor), as from ``gather``."""
__all__ = ["IndexedSlices"]


class IndexedSlices:
    """Rows ``values[i]`` at ``indices[i]`` of a tensor of shape ``dense_shape``."""

    def __init__(self, values, indices, dense_shape=None):
        self.values = values
        self.indices = indices
        self.dense_shape = dense_shape

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        from .shape import TensorShape
        return TensorShape(None if self.dense_shape is None else
                           [int(d) for d in self.dense_shape._v])

    def to_dense(self):
        from ..ops.array_ops import unsorted_segment_sum_dense
        return unsorted_segment_sum_dense(self.values, self.indices, self.dense_shape)

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.asarray(self.to_dense(), dtype=dtype)

    def __repr__(self):
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")

    # Optimizers and user code may treat the gradient as a tensor: densify on demand.
    def _as_tensor(self):
        return self.to_dense()
