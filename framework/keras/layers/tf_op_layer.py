"""``TFOpLambda``: a tfx op applied to symbolic functional-API tensors, as tf.keras 2
allowed (``tfx.reduce_sum(inp, axis=1)``, ``keras.ops.exp(inp)``, ``inp * 2``). The node runs
the op when the model is called and saves by the op's public name; see
``tfx.keras.symbolic_dispatch`` for how the ops hand KerasTensors over.
"""
from ... import nest
from ..keras_tensor import KerasTensor
from ..symbolic_dispatch import OPS, install_symbolic_dispatch
from .layer import Layer

__all__ = ["TFOpLambda", "symbolic_op"]

def _has_symbolic(structure):
    return any(isinstance(x, KerasTensor) for x in nest.flatten(structure))


def symbolic_op(name, args, kwargs):
    """Record ``name``'s op applied to ``args`` (holding KerasTensors) as a layer node."""
    return TFOpLambda(name)(*args, **kwargs)


class TFOpLambda(Layer):
    """A tfx op applied to symbolic tensors (the node ``tfx.reduce_sum(inp, 1)`` records).
    ``function``: the op's public name under ``tfx`` ("math.reduce_sum")."""

    def __init__(self, function, **kwargs):
        from ..naming import unique_name
        if not isinstance(function, str):
            raise TypeError(f"TFOpLambda takes the public name of a tfx op, got {function!r}")
        install_symbolic_dispatch()
        if function not in OPS:
            raise ValueError(f"Unknown tfx op {function!r} in a TFOpLambda layer (only "
                             "tfx's public ops can be recorded and loaded).")
        kwargs.setdefault("name", unique_name("tfx." + function))
        super().__init__(**kwargs)
        self.function = function
        self._fn = OPS[function]
        self.supports_masking = False

    def __call__(self, *args, **kwargs):
        if _has_symbolic((args, kwargs)):
            from .functional_call import symbolic_call
            return symbolic_call(self, args[0] if args else None, args[1:], kwargs)
        return super().__call__(*args, **kwargs)

    def _convert_input(self, x):
        return x  # the op converts its own arguments (some are not tensors: einsum's string)

    def call(self, *args, **kwargs):
        kwargs.pop("training", None)
        return self._fn(*args, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("trainable", None)
        return {**cfg, "function": self.function}
