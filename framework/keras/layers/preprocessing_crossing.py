"""``HashedCrossing`` (Keras 3): cross several categorical features into one hashed bin,
with TensorFlow's ``sparse.cross_hashed`` hash, so bins agree with Keras models."""
from ...core.shape import TensorShape
from ...core.tensor import TensorBase, constant, convert_to_tensor
from ...ops import array_ops as A
from .layer import Layer
from ...structures.string_hash import fingerprint64

__all__ = ["HashedCrossing"]

_M = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key for hashed crosses


def _shift_mix(v):
    return v ^ (v >> 47)


def _fingerprint_cat64(fp1, fp2):
    """TensorFlow's FingerprintCat64: an order-dependent combination of two fingerprints."""
    result = fp1 ^ _MUL
    result ^= (_shift_mix((fp2 * _MUL) & _M) * _MUL) & _M
    result = (result * _MUL) & _M
    result = (_shift_mix(result) * _MUL) & _M
    return _shift_mix(result)


def _feature_hash(value):
    if isinstance(value, (bytes, str)):
        return fingerprint64(value.encode() if isinstance(value, str) else value)
    return int(value) & _M  # integers enter the cross as their own bits


def cross_hash(values, num_bins):
    h = _HASH_KEY
    for v in values:
        h = _fingerprint_cat64(h, _feature_hash(v))
    return h % num_bins


class HashedCrossing(Layer):
    """``layer((feature_a, feature_b, ...))``: each position's values crossed and hashed
    into ``num_bins`` bins. Features are integer or string tensors of one shape (scalars,
    (batch,) or (batch, 1)); ``output_mode`` "int" gives int64 bins of that shape,
    "one_hot" one-hot rows. Hashing runs on the host (eagerly), as in a data pipeline."""

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Unknown value for `output_mode` argument of HashedCrossing. "
                             "Allowed values are: ('int', 'one_hot'). Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` is not supported by tfx's HashedCrossing.")
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def _convert_input(self, x):
        # Features keep their dtype: a float feature is refused in `call`, not cast.
        if isinstance(x, TensorBase) or x is None:
            return x
        return convert_to_tensor(x)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on at least two inputs. "
                             f"Received: inputs={inputs}")
        arrays = [x._v for x in inputs]  # host values: the hash runs in Python
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError("All `HashedCrossing` inputs should have the same shape. "
                             f"Received: inputs={inputs}")
        for x in inputs:
            if x.dtype.is_floating or x.dtype.is_complex or x.dtype.name == "bool":
                raise ValueError("All `HashedCrossing` inputs should have an integer or "
                                 f"string dtype. Received: inputs={inputs}")
        shape = arrays[0].shape
        flat = [a.reshape(-1).tolist() for a in arrays]
        bins = [cross_hash(vals, self.num_bins) for vals in zip(*flat)]
        out = A.reshape(constant(bins, "int64"), list(shape))
        if self.output_mode == "one_hot":
            ids = A.reshape(out, list(shape[:-1])) if len(shape) > 1 and shape[-1] == 1 \
                else out
            return A.one_hot(ids, self.num_bins, dtype=self._dtype)
        return out

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape[0]).as_list()
        if self.output_mode == "one_hot":
            if shape and shape[-1] == 1:
                shape = shape[:-1]
            return TensorShape(shape + [self.num_bins])
        return TensorShape(shape)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

