"""Variable: a mutable tensor whose reads are taped (``tf.Variable``)."""
import itertools
from threading import get_ident as _get_ident

from .. import dtypes as _dt
from ..backend import device_of, to_device, xp
from .shape import TensorShape
from .state import STATE
from .tensor import TensorBase, convert_to_tensor, wrap
from ..module import scoped_name
from .variable_creator import CreatorScoped

__all__ = ["Variable", "VariableAggregation", "VariableSynchronization"]

_uid = itertools.count()


def _on_gpu(a):
    return type(a).__module__.startswith("cupy")


def _own(value, where=None):
    """A private copy of ``value``: on the device of ``where`` (an assignment keeps the
    variable where it lives), else on the current device (``tfx.device`` scope or default)."""
    if where is None:
        if STATE.device is not None:
            from .device import place
            value = place(value)
        elif not _on_gpu(value):  # the CPU default: host data stays NumPy
            return xp.array(value, copy=True)
        return value.copy()
    if _on_gpu(where) or _on_gpu(value):
        return to_device(value, device_of(where)).copy()
    return xp.array(value, copy=True)


def _here(value, where):
    """``value`` on the device of ``where`` (an update never moves a variable)."""
    if value.__class__ is where.__class__ or not (_on_gpu(value) or _on_gpu(where)):
        return value
    return to_device(value, device_of(where))


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = range(4)


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = range(4)


def _default_name(name):
    return "Variable" if name is None else name


class Variable(TensorBase, metaclass=CreatorScoped):
    """A tensor that can change: ``assign``, ``assign_add``, sliced assignment, scatters.

    Each op reads the current value; under a GradientTape the read is recorded, so the
    gradient flows to the variable itself.
    """

    __slots__ = ("_v", "_dtype", "_trainable", "_name", "_constraint", "_uid", "__weakref__",
                 "_shape", "synchronization", "aggregation", "_path", "_read")

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if callable(initial_value) and not isinstance(initial_value, TensorBase):
            initial_value = initial_value()
        if isinstance(initial_value, TensorBase):
            init = wrap(_own(initial_value._v), initial_value._dtype)
            if dtype is not None and _dt.as_dtype(dtype) is not init._dtype:
                # As TF: a tensor is never cast silently; Python data is converted below.
                raise ValueError(f"initial_value: Tensor conversion requested dtype "
                                 f"{_dt.as_dtype(dtype).name} for Tensor with dtype "
                                 f"{init._dtype.name}")
        else:
            init = convert_to_tensor(initial_value, dtype)
            init = wrap(_own(init._v), init._dtype)
        if shape is not None and not TensorShape(shape).is_compatible_with(init._v.shape):
            raise ValueError(f"In this `tfx.Variable` creation, the initial value's shape "
                             f"({init._v.shape}) is not compatible with the explicitly supplied "
                             f"`shape` argument ({TensorShape(shape)}).")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: "
                             f"{constraint}")
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ "
                             "only for non-trainable variables.")
        self._v = init._v
        self._dtype = init._dtype
        if trainable is None:
            trainable = synchronization != VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._name = scoped_name(_default_name(name))
        self._constraint = constraint
        self._uid = next(_uid)
        # The declared shape (``shape=``, e.g. [None]) that assignments must fit; None: the
        # initial value's shape, fixed for the variable's life.
        self._shape = None if shape is None else TensorShape(shape)
        self.synchronization = synchronization
        self.aggregation = aggregation
        self._path = None
        self._read = None
        if STATE.tracing is not None:  # tfx.function allows it on the first trace only
            STATE.tracing._on_variable_created(self)

    # -- reading -----------------------------------------------------------------------------
    def _as_tensor(self):
        # Tensors are immutable, so one wrapper serves every read until the value is rebound;
        # a tape then records the read once, not once per use.
        r = self._read
        if r is None or r._v is not self._v:
            r = self._read = wrap(self._v, self._dtype)
        if STATE.recording:
            tid = _get_ident()
            for tape in STATE.tapes:
                if tape._recording and getattr(tape, "_thread", tid) == tid:
                    tape._record_read(self, r)
        return r

    def value(self):
        return self._as_tensor()

    def read_value(self):
        return self._as_tensor()

    @property
    def name(self):
        return self._name + ":0"

    @property
    def shape(self):
        return self._shape if self._shape is not None else TensorShape._from_tuple(self._v.shape)

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initial_value(self):
        raise RuntimeError("This property is not supported when eager execution is enabled.")

    @property
    def handle(self):
        return self

    @property
    def path(self):
        return self._path or self._name

    def __repr__(self):
        from .tensor import _numpy_text
        return (f"<tfx.Variable '{self.name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={_numpy_text(self._v)}>")

    __str__ = __repr__

    def __getitem__(self, key):
        return _SliceRef(self, key)

    def __setitem__(self, key, value):
        raise TypeError("'ResourceVariable' object does not support item assignment")

    def __reduce__(self):
        raise TypeError("tfx.Variable cannot be pickled; save it with a checkpoint or "
                        "model.save instead.")

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        v = Variable(self, trainable=self._trainable, name=self._name,
                     constraint=self._constraint)
        memo[id(self)] = v
        return v

    # -- writing -----------------------------------------------------------------------------
    def _new_value(self, value, what):
        t = convert_to_tensor(value, self._dtype)
        if self._shape is None:
            ok = t._v.shape == self._v.shape
        else:
            ok = self._shape.is_compatible_with(t._v.shape)
        if not ok:
            if what == "assign":
                raise ValueError(f"Cannot assign value to variable '{self.name}': Shape "
                                 f"mismatch. The variable shape {self.shape}, and the assigned "
                                 f"value shape {t.shape} are incompatible.")
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, f"Variable.{what}", f"Cannot update variable "
                                       f"with shape {list(self._v.shape)} using a Tensor with "
                                       f"shape {list(t._v.shape)}, shapes must be equal.")
        return t._v

    def assign(self, value, use_locking=False, name=None, read_value=True):
        # A fresh array, never in place: tensors read earlier (and tapes) keep their values.
        new = _own(self._new_value(value, "assign"), self._v)
        if STATE.tracing is not None:  # a graph node; the trace's write is undone afterwards
            STATE.tracing._record_assign(self, "assign", value)
        self._v = new
        return self if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        new = self._v + _here(self._new_value(delta, "assign_add"), self._v)
        if STATE.tracing is not None:
            STATE.tracing._record_assign(self, "add", delta)
        self._v = new
        return self if read_value else None

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        new = self._v - _here(self._new_value(delta, "assign_sub"), self._v)
        if STATE.tracing is not None:
            STATE.tracing._record_assign(self, "sub", delta)
        self._v = new
        return self if read_value else None

    def _scatter(self, indices, updates, how):
        from ..ops.array_ops import _scatter_values
        _not_in_graph(self, f"scatter_nd_{how}")
        if how in ("max", "min"):
            return self._scatter_extreme(indices, updates, how)
        self._v = _scatter_values(f"Variable.scatter_nd_{how}", how, self._v, self._dtype,
                                  _index_column(indices),
                                  convert_to_tensor(updates, self._dtype))[0]
        return self

    def _scatter_extreme(self, indices, updates, how):
        from ..ops.array_ops import _check_scatter
        _not_in_graph(self, f"scatter_nd_{how}")
        i = _index_column(indices)
        upd = convert_to_tensor(updates, self._dtype)
        _check_scatter(f"Variable.scatter_nd_{how}", self._v.shape, i, upd._v.shape)
        v = xp.array(self._v, copy=True)
        key = tuple(xp.moveaxis(i._v, -1, 0))
        (xp.maximum if how == "max" else xp.minimum).at(v, key, upd._v)
        self._v = v
        return self

    def scatter_nd_update(self, indices, updates, use_locking=True, name=None):
        return self._scatter(indices, updates, "update")

    def scatter_nd_add(self, indices, updates, use_locking=True, name=None):
        return self._scatter(indices, updates, "add")

    def scatter_nd_sub(self, indices, updates, use_locking=True, name=None):
        return self._scatter(indices, updates, "sub")

    def scatter_nd_max(self, indices, updates, name=None):
        return self._scatter(indices, updates, "max")

    def scatter_nd_min(self, indices, updates, name=None):
        return self._scatter(indices, updates, "min")

    def _scatter_slices(self, sparse_delta, how):
        idx = convert_to_tensor(sparse_delta.indices)._v.reshape(-1, 1)
        return self._scatter(idx, sparse_delta.values, how)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter_slices(sparse_delta, "update")

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter_slices(sparse_delta, "add")

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter_slices(sparse_delta, "sub")

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter_slices(sparse_delta, "update")

    def get_shape(self):
        return self.shape

    def set_shape(self, shape):
        pass

    def numpy(self):
        return TensorBase.numpy(self)

    def sparse_read(self, indices, name=None):
        from ..ops.array_ops import gather
        return gather(self, indices)

    def gather_nd(self, indices, name=None):
        from ..ops.array_ops import gather_nd
        return gather_nd(self, indices)


def _not_in_graph(var, what):
    if STATE.tracing is not None:
        from ..errors import UnimplementedError
        raise UnimplementedError(None, f"Variable.{what}", f"Variable.{what} (on {var.name}) "
                                 "is not supported inside tfx.function yet; use assign, "
                                 "assign_add or assign_sub, or run this part eagerly.")


def _index_column(indices):
    """TF's variable scatters read a 1-D ``indices`` as one leading index per update
    (``scatter_nd_update([0], [5.])``), unlike tensor_scatter_nd_*."""
    i = convert_to_tensor(indices)
    return wrap(i._v.reshape(-1, 1), i._dtype) if i._v.ndim == 1 else i


class _SliceRef(TensorBase):
    """``v[...]``: the slice's value read now (as TF, later assignments do not change it),
    and ``.assign`` writes into that slice of the variable (TF's sliced assignment)."""

    __slots__ = ("_var", "_key", "_t")

    def __init__(self, var, key):
        from ..ops.array_ops import getitem
        self._var = var
        self._key = key
        self._t = getitem(var, key)

    def _as_tensor(self):
        return self._t

    @property
    def _v(self):
        return self._t._v

    @property
    def _dtype(self):
        return self._t._dtype

    def __repr__(self):
        return repr(self._t)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        from ..errors import InvalidArgumentError
        from ..ops.array_ops import _slice_key
        var = self._var
        _not_in_graph(var, "[...].assign")
        key = _slice_key(self._key, var._v.shape)
        new = xp.array(var._v, copy=True)
        cur = new[key]
        val = convert_to_tensor(value, var._dtype)._v
        try:
            new[key] = xp.broadcast_to(val, xp.shape(cur))
        except ValueError:
            raise InvalidArgumentError(None, "Variable[...].assign", f"Cannot broadcast input "
                                       f"shape {list(xp.shape(val))} into final shape "
                                       f"{list(xp.shape(cur))} (slice of variable "
                                       f"{var.name})") from None
        var._v = new
        return var if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._t + delta, read_value=read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._t - delta, read_value=read_value)

    def __getattr__(self, item):
        return getattr(self._t, item)
