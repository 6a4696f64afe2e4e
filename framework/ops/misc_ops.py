"""Small top-level names: broadcast shapes, ``bitcast``, ``timestamp``, ``tuple``,
``grad_pass_through``, ``approx_max_k``/``approx_min_k``, ``histogram_fixed_width_bins``,
``required_space_to_batch_paddings``, ``get_logger`` and ``DeviceSpec``."""
import abc
import builtins
import collections

tuple_ = builtins.tuple  # this module defines tfx.tuple

from .. import dtypes as _dt
from ..backend import device_of, to_device, xp
from ..core.shape import TensorShape
from ..core.tensor import TensorBase
from ._core import STATE, record, register, t, trace, wrap
from . import array_ops as A
from . import math_ops as M

__all__ = ["broadcast_dynamic_shape", "broadcast_static_shape", "parallel_stack",
           "guarantee_const", "timestamp", "tuple", "get_logger", "bitcast",
           "grad_pass_through", "approx_max_k", "approx_min_k", "histogram_fixed_width_bins",
           "required_space_to_batch_paddings", "DeviceSpec", "TypeSpec", "IndexedSlicesSpec",
           "type_spec_from_value", "edit_distance"]


def _broadcast(a, b):
    """The broadcast of two shapes (lists of ints), or None if they do not broadcast."""
    out = []
    for i in builtins.range(1, builtins.max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return out[::-1]


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes given as 1-D int tensors."""
    x, y = t(shape_x), t(shape_y)
    r = _broadcast(x._v.tolist(), y._v.tolist())
    if r is None:
        raise A._invalid("tfx.broadcast_dynamic_shape", f"Incompatible shapes: "
                                                        f"{x._v.tolist()} vs. {y._v.tolist()}")
    return wrap(xp.asarray(r, dtype=x._dtype._np), x._dtype)


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes (None dimensions stay unknown)."""
    a, b = TensorShape(shape_x), TensorShape(shape_y)
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    out = []
    da, db = a.as_list(), b.as_list()
    for i in builtins.range(1, builtins.max(len(da), len(db)) + 1):
        x = da[-i] if i <= len(da) else 1
        y = db[-i] if i <= len(db) else 1
        if x is None or y is None:
            out.append(y if x == 1 else x if y == 1 else None)
        elif x != y and x != 1 and y != 1:
            raise ValueError("Incompatible shapes for broadcasting. Two shapes are compatible "
                             "if for each dimension pair they are either equal or one of them "
                             f"is 1. Received: {tuple(da)} and {tuple(db)}.")
        else:
            out.append(y if x == 1 else x)
    return TensorShape(out[::-1])


def parallel_stack(values, name="parallel_stack"):
    """``tfx.stack(values)`` (TensorFlow only allows it in graphs; tfx everywhere)."""
    return A.stack(values)


def guarantee_const(input, name=None):  # noqa: A002
    return A.identity(input)


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 - tf.tuple
    """The tensors, each through ``identity`` (tfx already runs them in order)."""
    return [None if x is None else A.identity(x) for x in tensors]


def get_logger():
    """The ``tensorflow`` logger of Python's logging module (what TF code configures)."""
    import logging
    return logging.getLogger("tensorflow")


# ---- timestamp: a value read each time a graph runs --------------------------------------------

def _timestamp_fwd(ins, attrs):
    import time
    return (xp.asarray(time.time(), dtype=xp.float64),)


_TIMESTAMP = register("timestamp", api="tfx.timestamp", forward=_timestamp_fwd, taped=False,
                      stateful=True)


def timestamp(name=None):
    """Seconds since the epoch as a float64 scalar (read when the graph runs, in a graph)."""
    r = wrap(_timestamp_fwd((), None)[0], _dt.float64)
    if STATE.tracing is not None:
        trace(_TIMESTAMP, (), (r,))
    return r


# ---- bitcast -----------------------------------------------------------------------------------

def _bitcast_fwd(ins, d):
    v = xp.array(ins[0], order="C")
    out = d._np
    a, b = v.dtype.itemsize, xp.dtype(out).itemsize
    if a == b:
        shape = v.shape
    elif a > b:  # one element becomes a new last axis of a // b
        shape = v.shape + (a // b,)
    else:
        shape = v.shape[:-1]
    return (v.reshape(-1).view(out).reshape(shape),)


_bitcast_op = register("bitcast", api="tfx.bitcast", forward=_bitcast_fwd)


def bitcast(input, type, name=None):  # noqa: A002
    """The same bits as another dtype: a wider input gains a last axis, a narrower one must
    have a last axis of size (new size / old size), which goes away. No gradient."""
    x = t(input)
    d = _dt.as_dtype(type)
    a, b = x._v.dtype.itemsize, xp.dtype(d._np).itemsize
    if a < b and (x._v.ndim == 0 or x._v.shape[-1] != b // a):
        raise A._invalid("tfx.bitcast", f"Cannot bitcast from {x._dtype.name} to {d.name}: "
                                        f"the last dimension must be {b // a}")
    if x._dtype.is_complex or d.is_complex or d is _dt.string or x._dtype is _dt.string:
        raise A._invalid("tfx.bitcast", f"Cannot bitcast from {x._dtype.name} to {d.name}")
    r = wrap(_bitcast_fwd((x._v,), d)[0], d)
    if STATE.recording:
        record(_bitcast_op, (x,), (r,), d)
    return r


# ---- gradients and top-k -----------------------------------------------------------------------

ApproxTopK = collections.namedtuple("ApproxTopK", ["values", "indices"])


def grad_pass_through(f):
    """``f`` in the forward pass, the identity in the backward pass (a straight-through
    estimator): each input gets the upstream gradient of the matching output unchanged."""
    from ..autodiff.custom_gradient import custom_gradient

    @custom_gradient
    def wrapped(*args):
        out = f(*args)

        def grad(*dys):
            return dys[0] if len(args) == 1 else list(dys)
        return out, grad
    return wrapped


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest values along ``reduction_dimension`` and their indices; tfx
    computes them exactly (recall 1)."""
    x = t(operand)
    nd = x._v.ndim
    a = A._axis("tfx.math.approx_max_k", reduction_dimension, nd)
    perm = list(builtins.range(nd))
    perm[a], perm[-1] = perm[-1], perm[a]
    xt = A.transpose(x, perm) if a != nd - 1 else x
    v, i = A.top_k(xt, k)
    if a != nd - 1:
        v, i = A.transpose(v, perm), A.transpose(i, perm)
    return ApproxTopK(v, i)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` smallest values and their indices (exact in tfx)."""
    v, i = approx_max_k(M.negative(t(operand)), k, reduction_dimension)
    return ApproxTopK(M.negative(v), i)


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=_dt.int32, name=None):
    """For each value, its bin among ``nbins`` equal bins over ``value_range`` (values
    outside go to the first or last bin)."""
    v, r = t(values), t(value_range)
    scaled = M.divide(M.subtract(v, r[0]), M.subtract(r[1], r[0]))
    idx = M.cast(M.floor(M.multiply(scaled, M.cast(int(nbins), v._dtype))), _dt.int64)
    idx = M.minimum(M.maximum(idx, A.zeros_like(idx)), A.fill(idx._v.shape, M.cast(
        int(nbins) - 1, _dt.int64)))
    return M.cast(idx, _dt.as_dtype(dtype))


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """(paddings, crops) making each padded spatial size divisible by its block size."""
    shape = A._ints(input_shape)
    blocks = A._ints(block_shape)
    base = [[0, 0] for _ in blocks] if base_paddings is None else [
        A._ints(p) for p in (base_paddings._v.tolist() if isinstance(base_paddings, TensorBase)
                             else base_paddings)]
    pads, crops = [], []
    for s, b, (lo, hi) in zip(shape, blocks, base):
        full = s + lo + hi
        extra = (b - full % b) % b
        pads.append([lo, hi + extra])
        crops.append([0, extra])
    return (wrap(xp.asarray(pads, dtype=xp.int32), _dt.int32),
            wrap(xp.asarray(crops, dtype=xp.int32), _dt.int32))


# ---- DeviceSpec --------------------------------------------------------------------------------

class DeviceSpec:
    """A device name's parts (``/job:worker/replica:0/task:1/device:GPU:3``)."""

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = None if device_type is None else (
            device_type.upper() if device_type.upper() in ("CPU", "GPU", "TPU") else
            device_type)
        self.device_index = None if device_index is None else int(device_index)

    @classmethod
    def from_string(cls, spec):
        parts = {}
        for piece in (p for p in spec.split("/") if p):
            key, _, value = piece.partition(":")
            key_l = key.lower()
            if key_l in ("job", "replica", "task"):
                parts[key_l] = value
            elif key_l == "device":
                kind, _, index = value.partition(":")
                parts["device_type"] = kind
                if index and index != "*":
                    parts["device_index"] = index
            elif key.upper() in ("CPU", "GPU", "TPU"):  # the short form "/gpu:0"
                parts["device_type"] = key
                if value and value != "*":
                    parts["device_index"] = value
            else:
                raise ValueError(f"Unknown attribute: '{piece}' in '{spec}'")
        return cls(**parts)

    def parse_from_string(self, spec):
        return DeviceSpec.from_string(spec)

    def to_string(self):
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            out += f"/device:{self.device_type}:{index}"
        return out

    def replace(self, **kwargs):
        parts = {k: getattr(self, k) for k in self.__slots__}
        parts.update(kwargs)
        return DeviceSpec(**parts)

    def make_merged_spec(self, dev):
        """This spec with every field ``dev`` sets taken from ``dev``."""
        return self.replace(**{k: getattr(dev, k) for k in self.__slots__
                               if getattr(dev, k) is not None})

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return (f"<DeviceSpec(job={self.job}, replica={self.replica}, task={self.task}, "
                f"device_type={self.device_type}, device_index={self.device_index})>")


# ---- type specs --------------------------------------------------------------------------------


class _SpecMeta(abc.ABCMeta):
    # The spec classes live above the ops (data/, structures/): register them on first use.
    def __instancecheck__(cls, instance):
        _register_specs()
        return super().__instancecheck__(instance)

    def __subclasscheck__(cls, subclass):
        _register_specs()
        return super().__subclasscheck__(subclass)


class TypeSpec(metaclass=_SpecMeta):
    """The common base of tfx's specs: ``isinstance(spec, tfx.TypeSpec)`` holds for
    TensorSpec, SparseTensorSpec, RaggedTensorSpec, TensorArraySpec, IndexedSlicesSpec and
    DatasetSpec."""


class IndexedSlicesSpec:
    """The type of an IndexedSlices: dense ``shape`` and ``dtype``, index dtypes."""

    def __init__(self, shape=None, dtype=_dt.float32, indices_dtype=_dt.int64,
                 dense_shape_dtype=None, indices_shape=None):
        self.shape = TensorShape(shape)
        self.dtype = _dt.as_dtype(dtype)
        self.indices_dtype = _dt.as_dtype(indices_dtype)
        self.dense_shape_dtype = None if dense_shape_dtype is None else _dt.as_dtype(
            dense_shape_dtype)
        self.indices_shape = TensorShape(indices_shape if indices_shape is not None else [None])

    @property
    def value_type(self):
        from ..core.indexed_slices import IndexedSlices
        return IndexedSlices

    def __eq__(self, other):
        return (type(other) is IndexedSlicesSpec and self.shape == other.shape and
                self.dtype is other.dtype and self.indices_dtype is other.indices_dtype)

    def __hash__(self):
        return hash((str(self.shape), self.dtype, self.indices_dtype))

    def __repr__(self):
        return (f"IndexedSlicesSpec(shape={self.shape}, dtype={self.dtype!r}, "
                f"indices_dtype={self.indices_dtype!r}, dense_shape_dtype="
                f"{self.dense_shape_dtype!r}, indices_shape={self.indices_shape})")


_REGISTERED = []


def _register_specs():
    if _REGISTERED:
        return
    _REGISTERED.append(True)
    from ..data.specs import DatasetSpec, TensorSpec
    from ..structures.ragged_tensor import RaggedTensorSpec
    from ..structures.sparse_tensor import SparseTensorSpec
    from ..structures.tensor_array import TensorArraySpec
    for cls in (TensorSpec, DatasetSpec, RaggedTensorSpec, SparseTensorSpec, TensorArraySpec,
                IndexedSlicesSpec):
        abc.ABCMeta.register(TypeSpec, cls)


def type_spec_from_value(value):
    """The spec of a tensor-like value (a Python or NumPy value is converted first)."""
    from ..core.indexed_slices import IndexedSlices
    from ..data.specs import DatasetSpec, TensorSpec
    from ..structures.ragged_tensor import RaggedTensor, RaggedTensorSpec
    from ..structures.sparse_tensor import SparseTensor, SparseTensorSpec
    if isinstance(value, SparseTensor):
        return SparseTensorSpec.from_value(value)
    if isinstance(value, RaggedTensor):
        return RaggedTensorSpec.from_value(value)
    if isinstance(value, IndexedSlices):
        return IndexedSlicesSpec(value.shape, value.dtype, value.indices.dtype,
                                 None if value.dense_shape is None else value.dense_shape.dtype,
                                 value.indices.shape)
    element_spec = getattr(value, "element_spec", None)
    if element_spec is not None and hasattr(value, "__iter__") and not isinstance(
            value, TensorBase):
        return DatasetSpec(element_spec)
    spec_fn = getattr(value, "_type_spec", None)
    if spec_fn is not None and not isinstance(value, TensorBase):
        return spec_fn
    try:
        x = t(value)
    except (TypeError, ValueError):
        raise TypeError(f"Could not build a TypeSpec for {value!r} of unsupported type "
                        f"{type(value)}.") from None
    return TensorSpec(x.shape, x.dtype)



# ---- edit distance -----------------------------------------------------------------------------

def _levenshtein(a, b):
    prev = list(builtins.range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(builtins.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _groups(idx, vals):
    out = {}
    for row, v in zip(idx.tolist(), vals.tolist()):
        out.setdefault(builtins.tuple(row[:-1]), []).append((row[-1], v))
    return {k: [v for _, v in sorted(items)] for k, items in out.items()}


def _edit_distance_fwd(ins, normalize):
    # A Python dynamic program per pair of sequences, so on the host (TensorFlow's
    # EditDistance has a CPU kernel only): GPU inputs are copied over once and the
    # distances go back to the hypothesis indices' device.
    device = device_of(ins[0])
    if device != "CPU":
        return (to_device(_edit_distance_fwd(tuple_(to_device(v, "CPU") for v in ins),
                                             normalize)[0], device),)
    hi, hv, hs, ti, tv, ts = ins
    shape = [builtins.max(int(a), int(b)) for a, b in zip(hs[:-1], ts[:-1])]
    out = xp.zeros(shape, dtype=xp.float32)
    hyp, tru = _groups(hi, hv), _groups(ti, tv)
    for key in set(hyp) | set(tru):
        h, r = hyp.get(key, []), tru.get(key, [])
        d = float(_levenshtein(h, r))
        if normalize:
            d = d / len(r) if r else (xp.inf if h else xp.nan)
        out[key] = d
    return (out,)


_edit_distance_op = register("edit_distance", api="tfx.edit_distance",
                             forward=_edit_distance_fwd)


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """Levenshtein distance between the sequences of two SparseTensors (grouped by all but
    the last index), divided by the truth's length when ``normalize`` (an empty truth gives
    inf). Float32 of shape max(dense_shape[:-1]) of the two."""
    ins = tuple_(t(x) for x in (hypothesis.indices, hypothesis.values, hypothesis.dense_shape,
                               truth.indices, truth.values, truth.dense_shape))
    if ins[2]._v.shape != ins[5]._v.shape:
        raise A._invalid("tfx.edit_distance", f"hypothesis and truth must have one rank, got "
                                              f"{ins[2]._v.size} and {ins[5]._v.size}")
    attrs = bool(normalize)
    r = wrap(_edit_distance_fwd(tuple_(x._v for x in ins), attrs)[0], _dt.float32)
    if STATE.recording:
        record(_edit_distance_op, ins, (r,), attrs)
    return r
