"""Argument checks shared by the spatial layers (Keras' spellings and messages)."""
from ...ops import array_ops as A

__all__ = ["standardize_tuple", "standardize_padding", "standardize_data_format",
           "to_channels_last", "from_channels_last", "pairs"]


def _is_int(v):
    return hasattr(v, "__index__") and not isinstance(v, bool)


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or ``n`` ints as a tuple of ``n`` ints (``kernel_size=3`` -> ``(3, 3)``)."""
    if _is_int(value):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            out = ()
        if len(out) != n or not all(_is_int(v) for v in out):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                             f"Received {name}={value}")
        out = tuple(int(v) for v in out)
    low = 0 if allow_zero else 1
    bad = {v for v in out if v < low}
    if bad:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={value}, including values {bad} that do not "
                         f"satisfy `value {'>= 0' if allow_zero else '> 0'}`")
    return out


def standardize_padding(value, allow_causal=False):
    padding = value.lower() if isinstance(value, str) else value
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    if padding not in allowed:
        raise ValueError("The `padding` argument must be a list/tuple or one of "
                         f"{allowed}. Received: {value}")
    return padding


def standardize_data_format(value):
    """``value``, or the global ``image_data_format()`` when None (as Keras), checked."""
    if value is None:
        from ..backend import image_data_format
        value = image_data_format()
    data_format = value.lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return data_format


def pairs(value, n, name):
    """Per-axis (before, after) amounts from an int, ``n`` ints or ``n`` pairs (padding and
    cropping arguments)."""
    if _is_int(value):
        return ((int(value), int(value)),) * n
    value = tuple(value)
    if n == 1 and len(value) == 2 and all(_is_int(v) for v in value):
        return (standardize_tuple(value, 2, name, True),)
    if len(value) != n:
        raise ValueError(f"`{name}` should have {n} elements. Received: {name}={value}.")
    out = []
    for v in value:
        out.append(standardize_tuple((v, v) if _is_int(v) else v, 2, name, True))
    return tuple(out)


def to_channels_last(x, data_format):
    """Layers compute channels-last (the tfx kernels' layout); channels-first moves the
    channel axis there and back."""
    if data_format == "channels_last":
        return x
    nd = x._v.ndim
    return A.transpose(x, [0] + list(range(2, nd)) + [1])


def from_channels_last(x, data_format):
    if data_format == "channels_last":
        return x
    nd = x._v.ndim
    return A.transpose(x, [0, nd - 1] + list(range(1, nd - 1)))
