"""Variable: a mutable tensor whose reads are taped (``tf.Variable``)."""
import itertools

from .. import dtypes as _dt
from ..backend import xp
from .state import STATE
from .tensor import TensorBase, convert_to_tensor, wrap

__all__ = ["Variable", "VariableAggregation", "VariableSynchronization"]

_uid = itertools.count()


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = range(4)


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = range(4)


def _default_name(name):
    return "Variable" if name is None else name


class Variable(TensorBase):
    """A tensor that can change: ``assign``, ``assign_add``, sliced assignment, scatters.

    Each op reads the current value; under a GradientTape the read is recorded, so the
    gradient flows to the variable itself.
    """

    __slots__ = ("_v", "_dtype", "_trainable", "_name", "_constraint", "_uid", "__weakref__",
                 "_shape", "synchronization", "aggregation", "_path")

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if callable(initial_value) and not isinstance(initial_value, TensorBase):
            initial_value = initial_value()
        if isinstance(initial_value, TensorBase):
            init = wrap(xp.array(initial_value._v, copy=True), initial_value._dtype)
            if dtype is not None and _dt.as_dtype(dtype) is not init._dtype:
                from ..ops.math_ops import cast
                init = cast(init, dtype)
        else:
            init = convert_to_tensor(initial_value, dtype)
            init = wrap(xp.array(init._v, copy=True), init._dtype)
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: "
                             f"{constraint}")
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ "
                             "only for non-trainable variables.")
        self._v = init._v
        self._dtype = init._dtype
        self._trainable = True if trainable is None else bool(trainable)
        self._name = _default_name(name)
        self._constraint = constraint
        self._uid = next(_uid)
        self._shape = None if validate_shape else shape
        self.synchronization = synchronization
        self.aggregation = aggregation
        self._path = None

    # -- reading -----------------------------------------------------------------------------
    def _as_tensor(self):
        r = wrap(self._v, self._dtype)
        if STATE.recording:
            for tape in STATE.tapes:
                if tape._recording:
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
        if self._shape is None and t._v.shape != self._v.shape:
            if t._v.size == 1 and self._v.size == 1 and t._v.ndim <= self._v.ndim:
                return t._v.reshape(self._v.shape)
            raise ValueError(f"Cannot {what} to variable {self.name} due to variable shape "
                             f"{self.shape} and value shape {t.shape} are incompatible")
        return t._v

    def assign(self, value, use_locking=None, name=None, read_value=True):
        # A fresh array, never in place: tensors read earlier (and tapes) keep their values.
        self._v = xp.array(self._new_value(value, "assign"), copy=True)
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        self._v = self._v + self._new_value(delta, "assign_add")
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        self._v = self._v - self._new_value(delta, "assign_sub")
        return self if read_value else None

    def _scatter(self, indices, updates, how):
        idx = convert_to_tensor(indices)._v
        upd = convert_to_tensor(updates, self._dtype)._v
        v = xp.array(self._v, copy=True)
        key = tuple(xp.moveaxis(idx, -1, 0))
        if how == "update":
            v[key] = upd
        elif how == "add":
            xp.add.at(v, key, upd)
        elif how == "sub":
            xp.subtract.at(v, key, upd)
        elif how == "max":
            xp.maximum.at(v, key, upd)
        elif how == "min":
            xp.minimum.at(v, key, upd)
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


class _SliceRef(TensorBase):
    """``v[...]``: reads like a tensor, and ``.assign`` writes the slice back (TF's sliced
    assignment)."""

    __slots__ = ("_var", "_key")

    def __init__(self, var, key):
        self._var = var
        self._key = key

    def _tensor(self):
        from ..ops.array_ops import getitem
        return getitem(self._var, self._key)

    def _as_tensor(self):
        return self._tensor()

    @property
    def _v(self):
        return self._tensor()._v

    @property
    def _dtype(self):
        return self._var._dtype

    def __repr__(self):
        return repr(self._tensor())

    def assign(self, value, use_locking=None, name=None, read_value=True):
        from ..ops.array_ops import _norm_key
        var = self._var
        key = _norm_key(self._key)
        new = xp.array(var._v, copy=True)
        cur = new[key]
        val = convert_to_tensor(value, var._dtype)._v
        try:
            new[key] = xp.broadcast_to(val, xp.shape(cur))
        except ValueError:
            raise ValueError(f"Cannot assign a value of shape {list(xp.shape(val))} to the "
                             f"slice of shape {list(xp.shape(cur))} of variable "
                             f"{var.name}") from None
        var._v = new
        return var if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._tensor() + delta, read_value=read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._tensor() - delta, read_value=read_value)

    def __getattr__(self, item):
        return getattr(self._tensor(), item)
