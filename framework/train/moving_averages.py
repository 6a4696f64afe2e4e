"""``tfx.train.ExponentialMovingAverage``: shadow variables that track moving averages, as
``tf.train.ExponentialMovingAverage``.

Each ``apply`` moves every shadow toward its variable::

    decay  = min(decay, (1 + num_updates) / (10 + num_updates))   # when num_updates is given
    shadow -= (1 - decay) * (shadow - variable)

with ``decay`` computed in float32 and cast to the variable's dtype, as TensorFlow does (so
float64 shadows match it to the bit). As in TensorFlow 2, only Variables can be averaged
(eagerly or inside ``tfx.function``): ``zero_debias`` concerns averages of plain tensors,
which TensorFlow 2 refuses too, so it is accepted and has no effect. The shadows are tracked under their average names, so a
``tfx.train.Checkpoint`` holding the EMA (or the model and ``ema.average(v)``) saves and
restores them.
"""
from .. import dtypes as _dt
from ..backend import xp
from ..core.tensor import convert_to_tensor
from ..core.variable import Variable
from ..module import Module
from ..ops.math_ops import cast, multiply, subtract, truediv

__all__ = ["ExponentialMovingAverage"]

_FLOATS = ("float16", "bfloat16", "float32", "float64")


def _base_name(var):
    name = getattr(var, "name", None) or "Tensor"
    return name[:-2] if name.endswith(":0") else name.split(":")[0]


def _value_before_trace(var):
    """``var``'s value as the enclosing tfx.function found it. A trace runs on real values
    and writes variables (rolled back when it ends); TensorFlow makes a shadow under
    init_scope, from the value before the function ran, and so do we."""
    from ..core.state import STATE
    from ..graph import init_scope
    rec = STATE.tracing
    snapshot = rec.root._snapshots.get(id(var)) if rec is not None else None
    with init_scope():
        if snapshot is not None:
            return convert_to_tensor(snapshot[1], var.dtype)
        return var.read_value()


class ExponentialMovingAverage(Module):
    """Moving averages of variables.

    Args:
      decay: the decay, typically close to 1 (0.999, 0.9999).
      num_updates: optional count of updates so far (an int or an integer Variable such as
        an optimizer's ``iterations``); early on it lowers the decay to
        ``(1 + num_updates) / (10 + num_updates)`` so the averages move faster.
      zero_debias: kept for TensorFlow's signature (it applies to tensors, never averaged).
      name: suffix of the shadow variables' names.
    """

    _TRACK_SKIP = frozenset(["_by_id", "_num_updates"])
    _TF_MODULE_IGNORED_PROPERTIES = frozenset(["_by_id", "_num_updates"])

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        # TensorFlow's names may contain '/', which Module names may not: set it directly.
        self._name = name
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = bool(zero_debias)
        self._averages = {}   # average name -> shadow variable (what checkpoints save)
        self._by_id = {}      # id(averaged object) -> (object, average name)

    @property
    def name(self):
        return self._name

    def _decay_tensor(self):
        decay = xp.float32(self._decay._v if hasattr(self._decay, "_v") else self._decay)
        decay = convert_to_tensor(decay, _dt.float32)
        if self._num_updates is None:
            return decay
        from ..ops.math_ops import minimum
        n = cast(self._num_updates, _dt.float32)
        return minimum(decay, truediv(n + 1.0, n + 10.0))

    def apply(self, var_list=None):
        """Create the shadows of ``var_list`` (each starting equal to its variable) and move
        every one of them one step toward its variable. Returns None."""
        if var_list is None:
            var_list = []
        var_list = list(var_list)
        for var in var_list:
            d = var.dtype.name if hasattr(var, "dtype") else None
            if d not in _FLOATS:
                raise TypeError(f"The variables must be half, float, or double: "
                                f"{getattr(var, 'name', var)}")
            if not isinstance(var, Variable):
                raise TypeError("tf.train.ExponentialMovingAverage does not support "
                                "non-Variable tensors when eager execution is enabled.")
        if len({id(v) for v in var_list}) != len(var_list):
            raise ValueError("Duplicate variables in var_list: "
                             f"{[getattr(v, 'name', v) for v in var_list]}")
        for var in var_list:
            if id(var) not in self._by_id:
                self._create(var)
        one_minus = 1.0 - self._decay_tensor()
        for var in var_list:
            name = self._by_id[id(var)][1]
            avg = self._averages[name]
            rate = cast(one_minus, avg.dtype)
            avg.assign_sub(multiply(subtract(avg.read_value(), var.read_value()), rate))
        return None

    def _create(self, var):
        name = self.average_name(var)
        avg = Variable(_value_before_trace(var), trainable=False, name=name)
        self._by_id[id(var)] = (var, name)
        # A new dict (not an update in place): a pending checkpoint restore sees it.
        self._averages = {**self._averages, name: avg}

    def average(self, var):
        """The shadow of ``var``, or None if ``apply`` never saw it."""
        entry = self._by_id.get(id(var))
        return None if entry is None else self._averages[entry[1]]

    def average_name(self, var):
        """The name ``var``'s shadow has (or would have): ``'<var name>/<ema name>'``."""
        entry = self._by_id.get(id(var))
        if entry is not None:
            return entry[1]
        return f"{_base_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None):
        """``{average name: variable}``, to load the averages into the variables themselves
        (e.g. for evaluation) with a name-based restore."""
        if moving_avg_variables is None:
            moving_avg_variables = [v for v, _ in self._by_id.values()]
        return {self.average_name(v): v for v in moving_avg_variables}
