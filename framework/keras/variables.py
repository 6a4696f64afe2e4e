"""``keras.Variable``: Keras 3's variable, made from an initializer (or a value), as a tfx
Variable (so it is a ``tfx.Variable`` too and every op takes it).

Differences from Keras kept on purpose: ``value()`` is tf.Variable's method (Keras has a
property), the assignments return the variable as tf.Variable's do, and ``aggregation`` /
``synchronization`` read back as ``tfx.VariableAggregation`` / ``VariableSynchronization``
values (the distribution code compares those); the Keras strings are what the constructor takes.
"""
from .. import dtypes as _dt
from ..core.tensor import TensorBase, convert_to_tensor
from ..core.variable import Variable as _Variable, VariableAggregation, VariableSynchronization

__all__ = ["Variable"]

AGGREGATIONS = {None: VariableAggregation.NONE, "none": VariableAggregation.NONE,
                "mean": VariableAggregation.MEAN, "sum": VariableAggregation.SUM,
                "only_first_replica": VariableAggregation.ONLY_FIRST_REPLICA}
SYNCHRONIZATIONS = {None: VariableSynchronization.AUTO, "auto": VariableSynchronization.AUTO,
                    "none": VariableSynchronization.NONE,
                    "on_write": VariableSynchronization.ON_WRITE,
                    "on_read": VariableSynchronization.ON_READ}


def _choice(value, table, what):
    if isinstance(value, int) and value in table.values():  # a tfx enum value
        return value
    if value not in table:
        names = "`None`, " + ", ".join(f"`{k!r}`" for k in table if k is not None)
        raise ValueError(f"Invalid value for argument `{what}`. Expected one of {names}. "
                         f"Received: {what}={value}")
    return table[value]


class Variable(_Variable):
    """A variable made by ``initializer(shape, dtype)`` (an initializer object, function or
    name, ``shape`` required) or holding ``initializer`` itself (a value; ``dtype`` casts it).

    ``autocast``: read in a layer's compute dtype under a mixed policy. ``layout`` (a
    distribution layout in Keras) is accepted and ignored: tfx places variables itself.
    ``regularizer``, ``constraint`` and ``overwrite_with_gradient`` (the optimizer writes the
    gradient into the variable instead of an update) are attributes, as Keras sets them in
    ``add_weight``.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, layout=None,
                 **kwargs):
        if isinstance(name, str) and "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        agg = _choice(aggregation, AGGREGATIONS, "aggregation")
        sync = _choice(synchronization, SYNCHRONIZATIONS, "synchronization")
        if isinstance(initializer, str):
            from .initializers import get
            initializer = get(initializer)
        if callable(initializer) and not isinstance(initializer, TensorBase):
            if shape is None:
                raise ValueError(f"When creating a Variable from an initializer, the `shape` "
                                 f"argument should be specified. Received: "
                                 f"initializer={initializer} and shape={shape}")
            from .backend import floatx
            d = _dt.as_dtype(dtype if dtype is not None else floatx())
            value = initializer(tuple(shape), dtype=d)
        else:
            value = initializer if isinstance(initializer, TensorBase) else \
                convert_to_tensor(initializer)
            if dtype is not None and _dt.as_dtype(dtype) is not value.dtype:
                from ..ops.math_ops import cast
                value = cast(value, _dt.as_dtype(dtype))
        # ON_READ with trainable=True is refused by tf.Variable but allowed by Keras.
        super().__init__(value, trainable=bool(trainable), name=name or "variable",
                         aggregation=agg)
        self.synchronization = sync
        self.autocast = bool(autocast)
        self.regularizer = None
        self.overwrite_with_gradient = False
        for k in ("regularizer", "constraint", "overwrite_with_gradient"):
            if kwargs.get(k) is not None:
                setattr(self, k, kwargs[k])
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError(f"Variable: unexpected argument(s) {sorted(kwargs)}")

    @property
    def constraint(self):
        return self._constraint

    @constraint.setter
    def constraint(self, value):
        if value is not None and not callable(value):
            raise ValueError(f"The `constraint` argument must be a callable. Received: "
                             f"{value}")
        self._constraint = value

    @property
    def name(self):
        """The variable's own name, ``kernel`` (Keras 3), not TensorFlow's ``kernel:0``."""
        return self._name

    def assign(self, value, use_locking=False, name=None, read_value=True):
        return super().assign(value, use_locking, name, read_value)

    def assign_add(self, value, use_locking=False, name=None, read_value=True):
        return super().assign_add(value, use_locking, name, read_value)

    def assign_sub(self, value, use_locking=False, name=None, read_value=True):
        return super().assign_sub(value, use_locking, name, read_value)

    def __deepcopy__(self, memo):
        v = Variable(self, trainable=self._trainable, autocast=self.autocast,
                     aggregation=self.aggregation, synchronization=self.synchronization,
                     name=self._name)
        v.constraint, v.regularizer = self._constraint, self.regularizer
        v.overwrite_with_gradient = self.overwrite_with_gradient
        memo[id(self)] = v
        return v
