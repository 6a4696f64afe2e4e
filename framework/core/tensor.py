"""Tensor: an immutable n-d array with a dtype, TensorFlow's eager tensor.

Operators (``+``, ``@``, indexing, ...) are attached by ``tfx.ops.operators`` so that each op is
defined once, in its own module.
"""
import numpy as _np  # conversion at the edges only (values in, NumPy out)

from .. import dtypes as _dt
from ..backend import device_of as _device_of
from .device import place as _place
from .shape import TensorShape
from .state import STATE

__all__ = ["Tensor", "convert_to_tensor", "constant", "is_tensor", "wrap"]

_new = object.__new__


class TensorBase:
    """What Tensor and Variable share: read-only views of the value and Python protocols."""

    __slots__ = ()
    __array_priority__ = 100  # NumPy defers `ndarray * tensor` to our reflected operators

    @property
    def shape(self):
        return TensorShape._from_tuple(self._v.shape)

    def get_shape(self):
        return self.shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return self._v.ndim

    @property
    def device(self):
        return f"/job:localhost/replica:0/task:0/device:{_device_of(self._v)}:0"

    def cpu(self):
        """This value on the CPU (the tensor itself when it is there)."""
        return self._moved("CPU")

    def gpu(self):
        """This value on the GPU (the tensor itself when it is there)."""
        return self._moved("GPU")

    def _moved(self, kind):
        from ..backend import to_device
        if kind == "GPU":
            from .device import parse
            parse("/GPU:0", f"Tensor.{kind.lower()}()")  # a clear error without a GPU
        v = self._v
        if _device_of(v) == kind:
            return self if self.__class__ is Tensor else wrap(v, self._dtype)
        if kind == "GPU" and v.dtype.kind in "OUS":
            raise TypeError(f"{self._dtype.name} tensors stay on the CPU")
        # Like .numpy(), a copy between devices is outside the tape (no gradient flows back).
        return wrap(to_device(v, kind), self._dtype)

    def numpy(self):
        """The value as a NumPy array (a NumPy scalar for rank 0); a copy, safe to modify."""
        if STATE.recording:
            _check_concrete(self, ".numpy()")
            from ..autodiff.tape import note_exit
            note_exit(self, ".numpy()")
        return _to_host(self._v, copy=True)

    def __array__(self, dtype=None, copy=None):
        if STATE.recording:
            _check_concrete(self, "NumPy conversion")
            from ..autodiff.tape import note_exit
            note_exit(self, "NumPy conversion")
        a = _np.asarray(_to_host(self._v, copy=False))
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        # Tensors are immutable and share their buffer: NumPy gets a read-only view (as TF).
        a = a.view()
        a.flags.writeable = False
        return a

    def __len__(self):
        if self._v.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._v.shape[0]

    def __iter__(self):
        if self._v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._v.shape[0]))

    def __bool__(self):
        if STATE.tracing is not None and STATE.tracing.is_symbolic(self):
            from ..diagnostics import symbolic_bool
            return symbolic_bool(self)
        return bool(self._scalar("bool"))

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __index__(self):
        if not self._dtype.is_integer:
            raise TypeError(f"Only integer tensors can be used as an index, got {self._dtype.name}")
        return int(self._scalar("index"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def _scalar(self, what):
        # A value fixed by the input shapes (``tfx.shape(x)[0]``) is the same on every call of
        # a trace, which is specialised to those shapes: sizes may be read from it.
        if STATE.tracing is not None and (what == "bool" or not STATE.tracing.is_static(self)):
            _check_concrete(self, f"{what}()")
        v = self._v
        if what == "bool":  # truthiness follows NumPy: any size-1 tensor has one
            if v.size != 1:
                raise ValueError(f"The truth value of a tensor with {v.size} elements is "
                                 "ambiguous; use tfx.reduce_any or tfx.reduce_all.")
        elif v.ndim != 0:  # float(), int(), operator.index(): scalars only, as TensorFlow
            raise TypeError(f"only 0-dimensional tensors can be converted to Python scalars "
                            f"({what}), got shape {list(v.shape)}")
        h = _to_host(v, copy=False)
        return h.reshape(())[()] if isinstance(h, _np.ndarray) else h

    __hash__ = None  # like TF2's eager tensors: == is elementwise; use .ref() as a key

    def ref(self):
        return Reference(self)

    experimental_ref = ref

    def __repr__(self):
        if STATE.tracing is not None and STATE.tracing.is_symbolic(self):
            return STATE.tracing.symbolic_text(self)  # as TF: no value while tracing
        kind = "tfx.Tensor" if self.__class__ is Tensor else type(self).__name__
        return (f"<{kind}: shape={self.shape}, dtype={self._dtype.name}, "
                f"numpy={_numpy_text(self._v)}>")

    def __str__(self):
        if STATE.tracing is not None and STATE.tracing.is_symbolic(self):
            return STATE.tracing.symbolic_text(self)
        text = str(_to_host(self._v, copy=False))
        if "\n" in text:
            text = "\n" + text
        return f"tfx.Tensor({text}, shape={self.shape}, dtype={self._dtype.name})"

    def __format__(self, spec):
        # As TensorFlow: the NumPy value's format, so f"{t}" reads like the array.
        if self._v.ndim == 0:
            return format(self._scalar("format"), spec)
        return format(_to_host(self._v, copy=False), spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class Tensor(TensorBase):
    """An immutable multi-dimensional array. Build one with ``tfx.constant``."""

    __slots__ = ("_v", "_dtype", "__weakref__")

    def __init__(self, value, dtype=None):
        t = convert_to_tensor(value, dtype)
        self._v = t._v
        self._dtype = t._dtype

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __reduce__(self):
        return constant, (_to_host(self._v, True), self._dtype)

    def __dlpack__(self, **kwargs):
        """DLPack export without a copy (``np.from_dlpack(t)``, ``torch.from_dlpack(t)``)."""
        from ..experimental.dlpack import _exportable
        v = self._v if kwargs.get("max_version") else _exportable(self._v)
        return v.__dlpack__(**{k: a for k, a in kwargs.items() if a is not None})

    def __dlpack_device__(self):
        return self._v.__dlpack_device__()


class Reference:
    """A hashable reference to a tensor or variable (``t.ref()``)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj


def _check_concrete(t, what):
    """A traced tensor has no value for Python to read (its value differs on every call)."""
    if STATE.tracing is not None and STATE.tracing.is_symbolic(t):
        from ..diagnostics import symbolic_value_error
        raise symbolic_value_error(t, what)


def wrap(value, dtype):
    """A Tensor around a backend array (no copy, no checks)."""
    t = _new(Tensor)
    t._v = value
    t._dtype = dtype
    return t


def _to_host(v, copy):
    if type(v).__module__.startswith("cupy"):
        h = v.get()
        return h[()] if h.ndim == 0 else h
    if v.ndim == 0:
        return v[()] if isinstance(v, _np.ndarray) else v
    return v.copy() if copy else v


def _numpy_text(v):
    v = _to_host(v, copy=False)
    text = repr(v) if isinstance(v, _np.ndarray) else repr(v.item()) if isinstance(v, _np.generic) and not isinstance(v, (_np.bytes_, _np.object_)) else repr(v)
    if "\n" in text:
        text = "\n" + text
    return text


def is_tensor(x):
    from .variable import Variable
    return isinstance(x, (Tensor, Variable))


# ---- conversion -------------------------------------------------------------------------------

_float32, _int32, _int64, _string, _bool = _dt.float32, _dt.int32, _dt.int64, _dt.string, _dt.bool
_from_np = _dt.from_numpy


_INT64_MAX = 2**63 - 1


def _asarray(value):
    try:
        return _np.asarray(value)
    except ValueError:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None


def _infer_python(value):
    """Convert nested Python data the way TensorFlow does: floats -> float32, ints -> int32."""
    arr = _asarray(value)
    k = arr.dtype.kind
    if k == "f":
        if arr.dtype == _np.float32:
            return arr, _float32
        with _np.errstate(over="ignore"):
            f = arr.astype(_np.float32)
        if not _np.isfinite(f).all() and _np.isfinite(arr).all():
            raise ValueError("Can't convert Python sequence with a value out of range for a "
                             "single-precision float.")
        return f, _float32
    if k in "iu":
        if arr.size and (arr.max() > 2**31 - 1 or arr.min() < -2**31):
            if arr.max() > _INT64_MAX:  # NumPy picked uint64
                raise ValueError("Can't convert Python sequence with out-of-range integer to "
                                 "Tensor.")
            return arr.astype(_np.int64), _int64
        return arr.astype(_np.int32), _int32
    if k == "b":
        return arr, _bool
    if k in "USO":
        _check_leaves(value)
        # Fixed-width NumPy strings drop trailing NULs (b"a\x00" -> b"a"): keep the objects.
        return _to_bytes_array(_np.asarray(value, dtype=object) if k in "US" else arr), _string
    if k == "c":
        return arr.astype(_np.complex128), _dt.complex128
    raise TypeError(f"Cannot convert {value!r} to a tfx tensor.")


def _check_leaves(value):
    """NumPy turns [1, 'a'] into strings and 2**64 or a dict into objects; TensorFlow refuses."""
    kinds = set()
    _leaf_kinds(value, kinds)
    if kinds <= {str, bytes}:
        return
    if kinds & {str, bytes}:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if kinds == {int}:
        raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
    bad = next(iter(kinds - {int, float, bool, complex}), type(value))
    raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                     f"({bad}) to a Tensor.")


def _leaf_kinds(value, kinds):
    if isinstance(value, _np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        for v in value:
            _leaf_kinds(v, kinds)
    elif isinstance(value, (str, _np.str_)):
        kinds.add(str)
    elif isinstance(value, (bytes, _np.bytes_)):
        kinds.add(bytes)
    elif isinstance(value, bool):
        kinds.add(bool)
    elif isinstance(value, int):
        kinds.add(int)
    elif isinstance(value, float):
        kinds.add(float)
    else:
        kinds.add(type(value))


def _to_bytes_array(arr):
    out = _np.empty(arr.shape, dtype=object)
    flat = arr.reshape(-1)
    out_flat = out.reshape(-1)
    for i, s in enumerate(flat):
        if isinstance(s, str):
            s = s.encode("utf-8")
        elif isinstance(s, _np.str_):
            s = str(s).encode("utf-8")
        elif isinstance(s, (bytes, _np.bytes_)):
            s = bytes(s)
        else:
            raise TypeError(f"Cannot convert {s!r} to a string tensor.")
        out_flat[i] = s
    return out


def _cast_python(value, dtype):
    """Convert Python data to ``dtype`` as TensorFlow does: float -> int, int -> bool and the
    like raise TypeError; out-of-range ints wrap (300 -> uint8 44)."""
    if dtype is _string:
        return _to_bytes_array(_np.asarray(value, dtype=object))  # "S" arrays drop trailing NULs
    arr = _asarray(value)
    k = arr.dtype.kind
    if k == "O":
        _check_leaves(value)
    if arr.size and (k in "US" or k == "f" and (dtype.is_integer or dtype.is_bool)
            or k == "c" and not dtype.is_complex or k in "iu" and dtype.is_bool):
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
    return arr.astype(dtype._np, copy=False)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Convert ``value`` (Tensor, Variable, NumPy array, Python data) to a Tensor."""
    cls = value.__class__
    if cls is Tensor:
        if dtype is not None and _dt.as_dtype(dtype) is not value._dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} "
                             f"for Tensor with dtype {value._dtype.name}: {value!r}")
        return value
    conv = getattr(value, "_as_tensor", None)
    if conv is not None:  # Variable, and other tensor-likes
        t = conv()
        if dtype is not None and _dt.as_dtype(dtype) is not t._dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} "
                             f"for {type(value).__name__} with dtype {t._dtype.name}")
        return t
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
    if isinstance(value, (_np.ndarray, _np.generic)):
        if dtype is None:
            if value.dtype.kind in "USO":
                return wrap(_to_bytes_array(_np.asarray(value)), _string)
            arr, d = _np.asarray(value), _from_np(value.dtype)
        elif dtype is _string:
            return wrap(_to_bytes_array(_np.asarray(value)), _string)
        else:
            arr, d = _np.asarray(value).astype(dtype._np, copy=False), dtype
        if STATE.device is not None:  # host data lands on the current device (tfx.device)
            arr = _place(arr)
        return wrap(arr, d)
    if type(value).__module__.startswith("cupy"):
        d = dtype or _from_np(value.dtype)
        return wrap(value.astype(d._np, copy=False), d)
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    if dtype is None and dtype_hint is not None:
        try:
            arr, d = _cast_python(value, _dt.as_dtype(dtype_hint)), _dt.as_dtype(dtype_hint)
            return wrap(_place(arr) if STATE.device is not None else arr, d)
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from ..ops.array_ops import stack
        return stack([convert_to_tensor(v, dtype) for v in value])
    if dtype is None:
        arr, d = _infer_python(value)
    else:
        arr, d = _cast_python(value, dtype), dtype
    if STATE.device is not None:
        arr = _place(arr)
    return wrap(arr, d)


def _contains_tensor(seq):
    for v in seq:
        if isinstance(v, TensorBase):
            return True
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            return True
    return False


def constant(value, dtype=None, shape=None, name="Const"):
    """Create a constant tensor, as ``tf.constant``: a scalar fills ``shape``; a value with as
    many elements as ``shape`` is reshaped; anything else raises TypeError."""
    if dtype is not None and isinstance(value, TensorBase) and \
            _dt.as_dtype(dtype) is not value._dtype:
        raise TypeError(f"Expected tensor {_to_host(value._v, False)} with dtype "
                        f"{_dt.as_dtype(dtype)!r}, but got dtype {value._dtype!r}.")
    t = convert_to_tensor(value, dtype)
    if shape is None:
        return t
    shape = TensorShape(shape)
    if not shape.is_fully_defined():
        raise ValueError(f"Attempt to convert a value (None) with an unsupported type "
                         f"(<class 'NoneType'>) to a Tensor (shape {shape}).")
    shape = tuple(shape.as_list())
    v = t._v
    if v.shape == shape:
        return t
    if v.size == 1:
        return wrap(_np.broadcast_to(v.reshape(()), shape).copy(), t._dtype)
    n = 1
    for s in shape:
        n *= s
    if v.size != n:
        raise TypeError(f"Eager execution of tfx.constant with unsupported shape. Tensor "
                        f"{_to_host(v, False)} (converted from {value!r}) has {v.size} "
                        f"elements, but got `shape` {shape} with {n} elements).")
    return wrap(v.reshape(shape), t._dtype)


# Operators (+, *, @, [], ...) are defined with the ops; loading the ops package attaches them,
# whichever module is imported first.
from .. import ops as _ops  # noqa: E402,F401
