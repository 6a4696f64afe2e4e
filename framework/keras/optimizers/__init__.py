"""``tfx.keras.optimizers``: Keras 3's optimizers, updating variables on backend arrays.

``get`` accepts a name (``"adam"``, ``"RMSprop"``, any case), a config dict or an instance.
"""
from ..saving.serialization import (UnknownObjectError, deserialize_keras_object,
                                    serialize_keras_object)
from . import schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import Optimizer
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .loss_scale_optimizer import LossScaleOptimizer
from .muon import Muon
from .nadam import Nadam
from .rmsprop import RMSprop
from .schedule_free_adamw import ScheduleFreeAdamW
from .sgd import SGD
from . import legacy  # noqa: E402 - Keras 2's spellings (lr=, decay=)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Nadam", "RMSprop", "Adagrad", "Adamax",
           "Adadelta", "Ftrl", "Lion", "Adafactor", "Lamb", "LossScaleOptimizer", "Muon",
           "ScheduleFreeAdamW", "schedules",
           "get", "serialize",
           "deserialize"]

_CLASSES = (Optimizer, SGD, Adam, AdamW, Nadam, RMSprop, Adagrad, Adamax, Adadelta, Ftrl, Lion,
            Adafactor, Lamb, LossScaleOptimizer, Muon, ScheduleFreeAdamW)
# Class names, and their lower-case forms: Keras resolves built-in names case-insensitively.
BUILTINS = {c.__name__: c for c in _CLASSES}
BUILTINS.update({c.__name__.lower(): c for c in _CLASSES})


def serialize(optimizer):
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """An optimizer from ``serialize``'s output (built-in class names in any case)."""
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name.lower() in BUILTINS and name not in BUILTINS:
            config = dict(config, class_name=name.lower())
    return deserialize_keras_object(config, module_objects=BUILTINS,
                                    custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from a name, a config dict or an instance (``None`` gives ``None``)."""
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        config = identifier if isinstance(identifier, dict) else {"class_name": identifier,
                                                                   "config": {}}
        try:
            obj = deserialize(config)
        except UnknownObjectError as e:
            raise UnknownObjectError(f"Could not interpret optimizer identifier: {identifier}. "
                                     f"{e}") from None
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
