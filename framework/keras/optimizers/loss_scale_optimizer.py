"""``LossScaleOptimizer``: dynamic loss scaling around another optimizer (Keras 3's).

Float16 gradients underflow; training on ``scale_loss(loss)`` (the loss times the scale) keeps
them representable, and ``apply`` divides them back. A step with a non-finite gradient is
skipped and halves the scale; ``dynamic_growth_steps`` finite steps in a row double it.
"""
from ... import dtypes as _dt
from ...core.indexed_slices import IndexedSlices
from ...core.state import STATE
from ...ops import math_ops as M
from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from .base import Optimizer, _constant

__all__ = ["LossScaleOptimizer"]

# Base optimizer arguments Keras refuses here (they belong on the inner optimizer).
_REFUSED = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
            "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
            "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer``; ``initial_scale`` (default 2**15) is the first loss scale,
    doubled after every ``dynamic_growth_steps`` (default 2000) steps with finite gradients."""

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "simply set `loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _REFUSED.items():
            if arg in kwargs:
                value = kwargs.pop(arg)
                if value is not None and value != default:
                    raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, "
                                     f"set `{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs)}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, var_list):
        var_list = list(var_list)
        self.step_counter = self.add_variable((), "zeros", _dt.int64, name="step_counter")
        self.dynamic_scale = self.add_variable((), _constant(float(self.initial_scale)),
                                               _dt.float32, name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    def scale_loss(self, loss):
        scale = self.dynamic_scale if self.built else self.initial_scale
        return M.multiply(loss, M.cast(scale, loss.dtype) if self.built else scale)

    def check_finite(self, grads):
        """Whether every gradient value is finite (a Python bool)."""
        for g in grads:
            if g is None:
                continue
            values = g.values if isinstance(g, IndexedSlices) else g
            if not bool(M.reduce_all(M.is_finite(values))):
                return False
        return True

    def apply(self, grads, trainable_variables=None):
        if STATE.tracing is not None:  # inside tfx.function: the node calls back eagerly
            from .traced import record_apply
            return record_apply(self, grads, trainable_variables)
        grads = list(grads)
        if not self.built:
            self.build(trainable_variables if trainable_variables is not None else [])
        if not self.check_finite(grads):
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale * 0.5)
            return
        scale = self.dynamic_scale
        unscaled = [None if g is None else _divide(g, scale) for g in grads]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        if int(self.step_counter.numpy()) == self.dynamic_growth_steps - 1:
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale * 2.0)
        else:
            self.step_counter.assign_add(1)

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def save_own_variables(self, store):
        for i, var in enumerate(self.variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store):
        variables = self.variables
        if len(store) != len(variables):
            raise ValueError(f"Skipping variable loading for optimizer '{self.name}', because "
                             f"it has {len(variables)} variables whereas the saved optimizer "
                             f"has {len(store)} variables.")
        for i, var in enumerate(variables):
            var.assign(store[str(i)])

    def get_config(self):
        return {"name": self.name, "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import BUILTINS
        config = dict(config)
        inner = deserialize_keras_object(config.pop("inner_optimizer"), module_objects=BUILTINS,
                                         custom_objects=custom_objects,
                                         printable_module_name="optimizer")
        return cls(inner, **config)


def _divide(g, scale):
    if isinstance(g, IndexedSlices):
        return IndexedSlices(g.values / M.cast(scale, g.values.dtype), g.indices, g.dense_shape)
    return g / M.cast(scale, g.dtype)
