"""``tfx.bitwise``: bitwise operations on integer tensors (``tf.bitwise``)."""
from .backend import xp
from .ops.math_ops import _INTS, _binary, bitwise_and, bitwise_or, bitwise_xor, invert

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def _clamped(y, x):
    # TensorFlow clamps the shift into [0, bits - 1] instead of leaving it undefined.
    return xp.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype)


def _left(x, y):
    # Shift the bit pattern as unsigned so a signed overflow wraps instead of raising.
    u = x.view(xp.dtype(f"u{x.dtype.itemsize}")) if x.dtype.kind == "i" else x
    r = xp.left_shift(u, _clamped(y, x).astype(u.dtype))
    return r.view(x.dtype) if x.dtype.kind == "i" else r


def _right(x, y):
    return xp.right_shift(x, _clamped(y, x))  # arithmetic for signed types, as TensorFlow


left_shift = _binary("left_shift", _left, "tfx.bitwise.left_shift", _INTS)
right_shift = _binary("right_shift", _right, "tfx.bitwise.right_shift", _INTS)
left_shift.__doc__ = "x << y elementwise (y clamped to [0, bits - 1])."
right_shift.__doc__ = "x >> y elementwise, arithmetic for signed types (y clamped)."
