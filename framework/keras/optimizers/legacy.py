"""``tfx.keras.optimizers.legacy``: tf.keras 2's optimizer spellings (``lr=``, ``decay=``)
on tfx's optimizers, so Keras 2 code that imports ``optimizers.legacy.Adam`` runs.

``decay`` is Keras 2's time decay, ``lr / (1 + decay * iterations)`` (an
``InverseTimeDecay`` schedule); ``lr`` is the old name of ``learning_rate``. The update rules
are the current optimizers' (equal to Keras 2's for SGD, Adam, Adamax, Nadam, RMSprop;
Adagrad and Adadelta place epsilon inside the square root, as Keras 3 does).
"""
from . import adadelta, adagrad, adam, adamax, ftrl, nadam, rmsprop, sgd
from .base import Optimizer as _Optimizer
from .schedules import InverseTimeDecay

__all__ = ["Optimizer", "SGD", "Adam", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta",
           "Ftrl"]


def _legacy(base, default_lr):
    class Legacy(base):
        __doc__ = f"Keras 2's ``{base.__name__}``: accepts ``lr`` and ``decay``."

        def __init__(self, learning_rate=None, *args, lr=None, decay=0.0, **kwargs):
            if learning_rate is None:
                learning_rate = default_lr if lr is None else lr
            self.decay = float(decay)
            if self.decay:
                if self.decay < 0:
                    raise ValueError(f"decay cannot be less than 0. Received: decay={decay}.")
                learning_rate = InverseTimeDecay(learning_rate, decay_steps=1,
                                                 decay_rate=self.decay)
            super().__init__(learning_rate, *args, **kwargs)

        def get_config(self):
            config = super().get_config()
            lr = config.get("learning_rate")
            if self.decay and isinstance(lr, dict):
                config["learning_rate"] = lr.get("config", {}).get("initial_learning_rate",
                                                                    lr)
            config["decay"] = self.decay
            return config

    Legacy.__name__ = Legacy.__qualname__ = base.__name__
    Legacy.__module__ = __name__
    return Legacy


Optimizer = _Optimizer
SGD = _legacy(sgd.SGD, 0.01)
Adam = _legacy(adam.Adam, 0.001)
Adamax = _legacy(adamax.Adamax, 0.001)
Nadam = _legacy(nadam.Nadam, 0.001)
RMSprop = _legacy(rmsprop.RMSprop, 0.001)
Adagrad = _legacy(adagrad.Adagrad, 0.001)
Adadelta = _legacy(adadelta.Adadelta, 0.001)
Ftrl = _legacy(ftrl.Ftrl, 0.001)
