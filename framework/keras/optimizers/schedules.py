"""Learning-rate schedules (``tf.keras.optimizers.schedules``): ``schedule(step)`` -> a rate.

An optimizer calls its schedule once per step with its iteration count, so each ``__call__``
computes on backend scalars in the dtype of ``initial_learning_rate`` (float32 for a Python
float, as Keras does) and returns a rank-0 Tensor, without going through taped ops.
"""
import math

from ... import dtypes as _dt
from ...backend import xp
from ...core.tensor import convert_to_tensor, wrap
from ..saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _scalar_of(value):
    """``value`` as a backend array and its scalar type: float32 for Python floats."""
    t = convert_to_tensor(value)
    return t._v, t._v.dtype.type


def _step_as(step, s):
    v = getattr(step, "_v", None)  # a Tensor or the optimizer's iteration Variable, unread
    return s(v if v is not None else step)


def _out(value, s):
    return wrap(xp.asarray(value, dtype=s), _dt.from_numpy(xp.dtype(s)))


def _check_steps(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class _RateDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments and the decay
    progress ``step / decay_steps`` (floored if staircase); each adds its formula."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__

    def __call__(self, step):
        lr, s = _scalar_of(self.initial_learning_rate)
        p = _step_as(step, s) / s(self.decay_steps)
        if self.staircase:
            p = xp.floor(p)
        return _out(self._decay(lr, s, p), s)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, s, p):
        return lr * xp.power(s(self.decay_rate), p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        x = getattr(step, "_v", None)
        x = step if x is None else x
        i = 0
        for b in self.boundaries:
            if not x > b:
                break
            i += 1
        t = convert_to_tensor(self.values[0])
        return wrap(xp.asarray(self.values[i], dtype=t._v.dtype), t._dtype)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` along ``(1 - step/decay_steps)
    ** power``; with ``cycle`` the decay restarts every multiple of ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        lr, s = _scalar_of(self.initial_learning_rate)
        end = s(self.end_learning_rate)
        x = _step_as(step, s)
        steps = s(self.decay_steps)
        if self.cycle:
            steps = steps * (s(1) if x == 0 else xp.ceil(x / steps))
        else:
            x = xp.minimum(x, steps)
        p = x / steps
        return _out((lr - end) * xp.power(s(1) - p, s(self.power)) + end, s)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, s, p):
        return lr / (s(1) + s(self.decay_rate) * p)


def _cosine(s, fraction, alpha, scale=1.0):
    decayed = s(0.5) * s(scale) * (s(1) + xp.cos(s(math.pi) * fraction))
    return (s(1) - s(alpha)) * decayed + s(alpha)


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup to ``warmup_target`` over ``warmup_steps``, then a cosine from
    the peak down to ``alpha`` times it over ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        lr, s = _scalar_of(self.initial_learning_rate)
        steps = s(self.decay_steps)
        x = _step_as(step, s)
        if self.warmup_target is None:
            x = xp.minimum(x, steps)
            return _out(lr * _cosine(s, x / steps, self.alpha), s)
        target = s(self.warmup_target)
        warmup = s(self.warmup_steps)
        x = xp.minimum(x, steps + warmup)
        if x < warmup:
            return _out((target - lr) * (x / warmup) + lr, s)
        return _out(target * _cosine(s, (x - warmup) / steps, self.alpha), s)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period ``first_decay_steps * t_mul**i`` and
    peak ``initial_learning_rate * m_mul**i`` for the i-th restart."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _check_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        lr, s = _scalar_of(self.initial_learning_rate)
        t_mul = s(self._t_mul)
        fraction = _step_as(step, s) / s(self.first_decay_steps)
        one = s(1)
        if t_mul == one:
            restart = xp.floor(fraction)
            fraction = fraction - restart
        else:
            restart = xp.floor(xp.log(one - fraction * (one - t_mul)) / xp.log(t_mul))
            done = (one - xp.power(t_mul, restart)) / (one - t_mul)
            fraction = (fraction - done) / xp.power(t_mul, restart)
        m_fac = xp.power(s(self._m_mul), restart)
        return _out(lr * _cosine(s, fraction, self.alpha, m_fac), s)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


BUILTINS = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
    InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, module_objects=BUILTINS,
                                    custom_objects=custom_objects, printable_module_name="decay")
