"""N-dimensional FFTs over any axes (``tf.signal.fftnd``, ``ifftnd``, ``rfftnd``, ``irfftnd``).

Composites over the FFT primitives of ``signal_ops``: the transformed axes move innermost (in
the order given, the last one being the halved axis of the real transforms), are cropped or
zero-padded to ``fft_length``, transformed, and moved back. Gradients come from those pieces.
``norm`` scales as NumPy's: "backward" (the default) leaves the forward transform unscaled,
"ortho" scales both ways by 1/sqrt(n), "forward" puts the 1/n on the forward transform.
"""
import math

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import signal_ops as _so
from ._core import STATE, record, wrap
from .array_ops import transpose
from .math_ops import _c, multiply

__all__ = ["fftnd", "ifftnd", "rfftnd", "irfftnd"]

_NORMS = (None, "backward", "ortho", "forward")


def _ints(v):
    if v is None:
        return None
    if hasattr(v, "numpy"):
        v = v.numpy()
    if isinstance(v, int) or getattr(v, "ndim", 1) == 0:
        return [int(v)]
    return [int(a) for a in v]


def _plan(x, fft_length, axes, norm, api, inverse_real=False):
    """(axes, lengths) checked and normalised, with ``x``'s rank."""
    if norm not in _NORMS:
        raise ValueError(f"{api}: norm must be one of 'backward', 'ortho' or 'forward', "
                         f"got {norm!r}")
    nd = x._v.ndim
    axes = list(range(nd)) if axes is None else _ints(axes)
    for a in axes:
        if not -nd <= a < nd:
            raise InvalidArgumentError(None, api, f"{api}: axis {a} is out of range for a "
                                       f"tensor of rank {nd}")
    axes = [a % nd for a in axes]
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(None, api, f"{api}: axes must be distinct, got {axes}")
    shape = x._v.shape
    lengths = _ints(fft_length)
    if lengths is None:
        lengths = [shape[a] for a in axes]
        if inverse_real and axes:
            lengths[-1] = 2 * (shape[axes[-1]] - 1)
    elif len(lengths) != len(axes):
        raise InvalidArgumentError(None, api, f"{api}: fft_length has {len(lengths)} "
                                   f"element(s) but there are {len(axes)} axes")
    if any(n <= 0 for n in lengths):
        raise InvalidArgumentError(None, api, f"{api}: fft_length must be positive, got "
                                   f"{lengths}")
    return axes, lengths


def _innermost(x, axes):
    """``x`` with ``axes`` moved innermost, and the permutation that puts them back."""
    nd = x._v.ndim
    perm = [a for a in range(nd) if a not in axes] + list(axes)
    if perm == list(range(nd)):
        return x, None
    back = [0] * nd
    for i, p in enumerate(perm):
        back[p] = i
    return transpose(x, perm), back


def _restore(y, back):
    return y if back is None else transpose(y, back)


def _scaled(y, lengths, norm, inverse):
    if norm in (None, "backward"):
        return y
    n = 1
    for s in lengths:
        n *= s
    factor = math.sqrt(n) if norm == "ortho" else n
    return multiply(y, _c(factor if inverse else 1.0 / factor, y))


def _complex(inverse, api):
    def transform(input_tensor, fft_length=None, axes=None, norm=None, name=None):
        x = _so._input(input_tensor, _dt.complex64, _so._COMPLEX, api)
        axes, lengths = _plan(x, fft_length, axes, norm, api)
        if not axes:
            return x
        x, back = _innermost(x, axes)
        y = _so._fft_prim(_so._fit(x, lengths), len(axes), inverse)
        return _restore(_scaled(y, lengths, norm, inverse), back)
    return transform


def rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """FFT of a real tensor over ``axes`` (all by default): the last axis keeps its
    fft_length // 2 + 1 non-negative frequencies."""
    api = "tfx.signal.rfftnd"
    x = _so._input(input_tensor, _dt.float32, _so._REAL, api)
    axes, lengths = _plan(x, fft_length, axes, norm, api)
    if not axes:
        return wrap(x._v.astype(_so._TO_COMPLEX[x._dtype]._np), _so._TO_COMPLEX[x._dtype])
    x, back = _innermost(x, axes)
    y = _so._rfft_prim(_so._fit(x, lengths), len(axes))
    return _restore(_scaled(y, lengths, norm, False), back)


def irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    """Inverse of ``rfftnd``: a real tensor of ``fft_length`` over ``axes`` (by default the
    input's sizes, and 2 * (bins - 1) on the last axis)."""
    api = "tfx.signal.irfftnd"
    y = _so._input(input_tensor, _dt.complex64, _so._COMPLEX, api)
    axes, lengths = _plan(y, fft_length, axes, norm, api, inverse_real=True)
    rd = _so._TO_REAL[y._dtype]
    if not axes:
        return wrap(y._v.real.astype(rd._np), rd)
    y, back = _innermost(y, axes)
    y = _so._fit(y, lengths[:-1] + [lengths[-1] // 2 + 1])
    attrs = (len(axes), tuple(lengths), rd._np)
    r = wrap(_so._irfft_op.forward((y._v,), attrs)[0], rd)
    if STATE.recording:
        record(_so._irfft_op, (y,), (r,), attrs)
    return _restore(_scaled(r, lengths, norm, True), back)


fftnd = _complex(False, "tfx.signal.fftnd")
ifftnd = _complex(True, "tfx.signal.ifftnd")
fftnd.__name__ = fftnd.__qualname__ = "fftnd"
ifftnd.__name__ = ifftnd.__qualname__ = "ifftnd"
fftnd.__doc__ = "Discrete Fourier transform of a complex tensor over ``axes`` (all by default)."
ifftnd.__doc__ = "Inverse of ``fftnd`` (divides by the transform's size)."
