"""``tfx.keras.utils``: seeds, label encoding, progress bars, registration helpers, logging
switches, ``Config``."""
import random as _pyrandom

from ..registry import (custom_object_scope, get_registered_name, get_registered_object,
                        register_keras_serializable)
from .dataset_utils import get_file, split_dataset, timeseries_dataset_from_array
from .plot_model import plot_model
from .progbar import Progbar
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["set_random_seed", "to_categorical", "normalize", "Progbar",
           "register_keras_serializable", "get_registered_name", "get_registered_object",
           "custom_object_scope", "serialize_keras_object", "deserialize_keras_object",
           "CustomObjectScope", "get_custom_objects", "plot_model", "get_file",
           "split_dataset", "timeseries_dataset_from_array", "pad_sequences", "PyDataset",
           "Sequence", "clear_session", "get_source_inputs", "is_keras_tensor",
           "pack_x_y_sample_weight", "unpack_x_y_sample_weight", "standardize_dtype",
           "array_to_img", "img_to_array", "load_img", "save_img",
           "image_dataset_from_directory", "text_dataset_from_directory", "Config",
           "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "model_to_dot"]

from .backend import clear_session, standardize_dtype  # noqa: E402
from .preprocessing.image import array_to_img, img_to_array, load_img, save_img  # noqa: E402
from .py_dataset import PyDataset, Sequence  # noqa: E402
from .directory_datasets import (image_dataset_from_directory,  # noqa: E402
                                 text_dataset_from_directory)
from .io_utils import (disable_interactive_logging, enable_interactive_logging,  # noqa: E402
                       is_interactive_logging_enabled)
from .model_dot import model_to_dot  # noqa: E402
from .utils_config import Config  # noqa: E402

CustomObjectScope = custom_object_scope


def set_random_seed(seed):
    """Seed every random source tfx owns (tfx.random and its global Generator, initializers,
    dropout, fit's shuffle), plus Python's ``random`` and NumPy's global generator, as Keras
    does."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    import numpy as np
    from ..ops.random_ops import set_seed
    from ..random_generator import reset_global_generator
    _pyrandom.seed(seed)
    np.random.seed(seed)
    set_seed(seed)
    reset_global_generator(seed)


def to_categorical(x, num_classes=None):
    import numpy as np
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    import numpy as np
    x = np.asarray(x)
    n = np.linalg.norm(x, order, axis, keepdims=True)
    n[n == 0] = 1
    return x / n


class _CustomObjects(dict):
    """``get_custom_objects()``: the registry as a dict; names set here resolve when loading
    (they are registered under that exact name), and deleting one unregisters it."""

    def __setitem__(self, name, obj):
        from .. import registry
        key = str(name)
        registry._GLOBAL[key] = registry.Entry(key, obj, registry._infer_kind(obj),
                                               "get_custom_objects()")
        registry._NAMES[id(obj)] = key
        super().__setitem__(key, obj)

    def update(self, *args, **kwargs):
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def __delitem__(self, name):
        from .. import registry
        registry.unregister(name)
        super().__delitem__(name)

    def pop(self, name, *default):
        from .. import registry
        registry.unregister(name)
        return super().pop(name, *default)

    def clear(self):
        for k in list(self):
            del self[k]


def get_custom_objects():
    """Every registered custom object by name, as a dict that also registers new entries."""
    from .. import registry
    out = _CustomObjects()
    dict.update(out, {e.name: e.obj for e in registry.entries()})
    return out


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Lists of ids to one (samples, maxlen) array, padded and cut at the front ("pre") or
    the back ("post"), as ``keras.utils.pad_sequences``."""
    import numpy as np
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f'`padding` and `truncating` must be "pre" or "post". Received: '
                         f"padding={padding}, truncating={truncating}")
    seqs = [list(np.asarray(s).reshape(len(s), -1)) if len(s) else [] for s in sequences]
    lengths = [len(s) for s in seqs]
    maxlen = max(lengths + [0]) if maxlen is None else maxlen
    tail = ()
    for s in seqs:
        if len(s):
            tail = np.asarray(s[0]).shape if np.asarray(s[0]).size > 1 else ()
            break
    out = np.full((len(seqs), maxlen) + tail, value, dtype=dtype)
    for i, s in enumerate(seqs):
        if not len(s) or not maxlen:
            continue
        s = np.asarray(s).reshape((len(s),) + tail)
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if padding == "post":
            out[i, :len(s)] = s
        else:
            out[i, maxlen - len(s):] = s
    return out


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``: what a step receives."""
    if y is None:
        # a tuple x stays one element (x,) so that unpacking gives it back whole
        return (x,) if isinstance(x, tuple) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from what ``pack_x_y_sample_weight`` made (missing: None)."""
    from .trainers.data import unpack_x_y_sample_weight as unpack
    return unpack(data)


def is_keras_tensor(x):
    """True for the symbolic tensors of the functional API (``keras.Input`` and what layers
    return on them)."""
    from .keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor):
    """The ``keras.Input`` tensors that ``tensor`` (a functional-API tensor) comes from."""
    from .keras_tensor import KerasTensor
    if not isinstance(tensor, KerasTensor):
        raise ValueError(f"Expected a KerasTensor from keras.Input or a layer call, got "
                         f"{tensor!r}")
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        history = t._keras_history
        layer = history[0] if history is not None else None
        parents = [] if layer is None or getattr(layer, "is_input_layer", False) else \
            list(layer._inbound_nodes[history[1]].input_tensors)
        if not parents:
            found.append(t)
        stack.extend(reversed(parents))
    return found
