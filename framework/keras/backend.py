"""``tfx.keras.backend``: session-level settings (floatx, epsilon) and clear_session."""
_config = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def floatx():
    return _config["floatx"]


def set_floatx(value):
    if value not in ("float16", "float32", "float64", "bfloat16"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of float16, float32, "
                         "float64, bfloat16")
    _config["floatx"] = str(value)


def epsilon():
    return _config["epsilon"]


def set_epsilon(value):
    _config["epsilon"] = float(value)


def image_data_format():
    return _config["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _config["image_data_format"] = data_format


def backend():
    return "tfx"


def clear_session(free_memory=True):
    """Reset the automatic names (``dense``, ``dense_1``, ``precision``...) and the global
    dtype policy, as Keras does."""
    from . import dtype_policies, naming
    naming.reset()
    dtype_policies._STATE.policy = None


def result_type(*dtypes):
    """The dtype Keras 3 gives an operation on these dtypes (its promotion lattice)."""
    from .ops._dtypes import result_type as _result_type
    return _result_type(*dtypes)


def standardize_dtype(dtype=None):
    from .. import dtypes as _dt
    if dtype is None:
        return floatx()
    return _dt.as_dtype(getattr(dtype, "name", dtype)).name


def is_float_dtype(dtype):
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    return standardize_dtype(dtype).startswith(("int", "uint"))


# Keras 2's backend functions (K.mean, K.std, K.random_normal, ...).
from .backend_functions import *  # noqa: E402,F401,F403
from .backend_legacy import *  # noqa: E402,F401,F403
