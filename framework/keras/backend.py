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
    """Reset the automatic names (``dense``, ``dense_1``, ``precision``...) as Keras does."""
    from . import naming
    naming.reset()
