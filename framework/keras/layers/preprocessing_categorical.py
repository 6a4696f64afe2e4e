"""Categorical preprocessing as Keras 3: ``CategoryEncoding`` (ids to one-hot, multi-hot or
counts), ``Hashing`` (values to hash bins, TensorFlow's hashes) and ``Discretization``
(numbers to bucket ids, boundaries given or adapted as approximate quantiles).

These run on host data (strings are Python bytes); their outputs are ordinary tensors, so
models using them train and save like any other."""
import numpy as np  # host-side preprocessing: strings, hashing, adapt statistics

from ...core.tensor import TensorBase, convert_to_tensor
from ...ops import array_ops as A
from ...ops import math_ops as M
from .layer import Layer
from ...structures.string_hash import fingerprint64, siphash24

__all__ = ["CategoryEncoding", "Hashing", "Discretization", "encode", "host_values"]

_MODES = ("int", "one_hot", "multi_hot", "count")


def host_values(data):
    """A NumPy array (strings as Python str/bytes objects) from tensors, lists or arrays."""
    if isinstance(data, TensorBase):
        return data.numpy()
    return np.asarray(data)


def encode(ids, output_mode, depth, dtype="float32", count_weights=None, idf_weights=None):
    """Integer ``ids`` encoded as Keras does: one-hot per id (a trailing axis of 1 dropped),
    or one multi-hot / count / tf-idf row per sample (a rank-1 input is one sample)."""
    ids = convert_to_tensor(ids) if not isinstance(ids, TensorBase) else ids
    if output_mode == "int":
        return M.cast(ids, dtype)
    if ids.ndim == 0:
        ids = A.reshape(ids, [1])
    if output_mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = A.squeeze(ids, [-1])
        return A.one_hot(M.cast(ids, "int64"), depth, dtype=dtype)
    hot = A.one_hot(M.cast(ids, "int64"), depth, dtype=dtype)  # (..., tokens, depth)
    if output_mode == "multi_hot":
        return M.reduce_max(hot, -2)
    if count_weights is not None:
        w = count_weights if isinstance(count_weights, TensorBase) else \
            convert_to_tensor(np.asarray(count_weights))
        hot = hot * A.expand_dims(M.cast(w, dtype), -1)
    counts = M.reduce_sum(hot, -2)
    if output_mode == "tf_idf":
        return counts * convert_to_tensor(np.asarray(idf_weights, dtype=dtype))
    return counts


class CategoryEncoding(Layer):
    """Integer ids in [0, num_tokens) to "one_hot", "multi_hot" or "count" vectors."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":  # the Keras 2 name
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("sparse=True is not supported by tfx's CategoryEncoding.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        return encode(inputs, self.output_mode, self.num_tokens, self.dtype, count_weights)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


def _as_bytes(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    return str(int(v)).encode()  # numbers hash as their integer's digits (floats truncate)


class Hashing(Layer):
    """Hash strings or integers into ``num_bins`` bins (FarmHash, or SipHash with a
    ``salt``); with ``mask_value``, that value maps to 0 and the rest to 1..num_bins-1."""

    supports_jit = False  # hashes run on the host: a model using it steps eagerly

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if "dtype" not in kwargs or kwargs["dtype"] is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if not isinstance(num_bins, int) or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if sparse:
            raise ValueError("sparse=True is not supported by tfx's Hashing.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False
        if salt is None:
            self.salt = None
        elif isinstance(salt, (list, tuple)) and len(salt) == 2:
            self.salt = [int(s) for s in salt]
        elif isinstance(salt, int):
            self.salt = [salt, salt]
        else:
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 "
                             f"integers, or a single integer. Received: salt={salt}.")

    def _convert_input(self, x):
        return x  # strings and integers keep their type; hashing reads them on the host

    def _bin(self, v):
        data = _as_bytes(v)
        if self.mask_value is not None and data == _as_bytes(self.mask_value):
            return 0
        h = siphash24(self.salt, data) if self.salt else fingerprint64(data)
        if self.mask_value is None:
            return h % self.num_bins
        return h % (self.num_bins - 1) + 1

    def call(self, inputs):
        values = host_values(inputs)
        bins = np.array([self._bin(v) for v in values.reshape(-1)],
                        dtype=np.int64).reshape(values.shape)
        return encode(convert_to_tensor(bins), self.output_mode, self.num_bins,
                      "int64" if self.output_mode == "int" else self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


# ---- Discretization's quantile summary ---------------------------------------------------
# A weighted sample of the sorted values: every `step`-th value, each standing for `step`
# values. Batches merge by sorting their samples together; boundaries are read off the
# cumulative weights by linear interpolation (as Keras does, so adapted bins agree).

def _sample(values, epsilon):
    v = np.sort(np.asarray(values, np.float32).reshape(-1))
    step = max(v.size * epsilon, 1.0)
    picked = v[int(step - 1)::int(step)]
    return np.stack([picked, np.full(picked.shape, step, picked.dtype)])


def _shrink(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = np.arange(0.0, 1.0, epsilon) + epsilon
    cum = np.cumsum(summary[1])
    frac = cum / cum[-1]
    values = np.interp(targets, frac, summary[0])
    cum_at = np.interp(targets, frac, cum)
    weights = np.diff(np.concatenate([[0.0], cum_at]))
    return np.stack([values, weights]).astype(np.float32)


def _merge(a, b, epsilon):
    both = np.concatenate([a, b], axis=1)
    return _shrink(both[:, np.argsort(both[0], kind="stable")], epsilon)


class Discretization(Layer):
    """Bucket ids of numbers: bucket i holds values in [boundaries[i-1], boundaries[i]).
    ``adapt`` sets ``num_bins`` - 1 boundaries at approximate quantiles of the data."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{list(_MODES)}. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("sparse=True is not supported by tfx's Discretization.")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if num_bins is not None and bin_boundaries is not None:
            if len(bin_boundaries) != num_bins - 1:
                raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. "
                                 f"Received: `num_bins={num_bins}` and "
                                 f"`bin_boundaries={bin_boundaries}`")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self._summary = None

    def _convert_input(self, x):
        return x if isinstance(x, TensorBase) else convert_to_tensor(np.asarray(x))

    def adapt(self, data, batch_size=None, steps=None):
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        summary = np.zeros((2, 0), np.float32)
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            summary = _merge(_sample(host_values(batch), self.epsilon), summary, self.epsilon)
        self._summary = summary
        self.bin_boundaries = _shrink(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        x = inputs
        if x.dtype.is_integer or x.dtype.is_bool:
            x = M.cast(x, "float64")
        bounds = convert_to_tensor(np.asarray(self.bin_boundaries, x.dtype.name))
        ids = A.reshape(A.searchsorted(bounds, A.reshape(x, [-1]), side="right"),
                        x.shape.as_list())
        depth = len(self.bin_boundaries) + 1
        return encode(ids, self.output_mode, depth,
                      "int32" if self.output_mode == "int" else self.dtype)

    def get_config(self):
        cfg = {**super().get_config(), "bin_boundaries": self.bin_boundaries,
               "num_bins": self.num_bins, "epsilon": self.epsilon,
               "output_mode": self.output_mode, "sparse": self.sparse}
        cfg.pop("trainable")  # Keras' constructor takes no `trainable`
        return cfg


def _batches(data):
    """An adapt source as batches: one array, or an iterable of batches (a dataset)."""
    if isinstance(data, (np.ndarray, TensorBase, list, tuple)) and not (
            isinstance(data, (list, tuple)) and data and
            isinstance(data[0], (np.ndarray, TensorBase))):
        return [data]
    out = []
    for batch in data:
        out.append(batch[0] if isinstance(batch, tuple) else batch)
    return out
