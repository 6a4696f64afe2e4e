"""``keras.ops`` Fourier transforms and complex views: Keras 3 passes complex values as
``(real, imag)`` tuples of float tensors, and its STFT centres frames with reflect padding and
a periodic window zero-padded to ``fft_length`` (the TensorFlow backend's recipe)."""
from ... import signal as S
from ...ops import array_ops as A
from ...ops import math_ops as M
from ...ops import signal_ops as SO
from ._dtypes import exports, to_tensor

_t = to_tensor


def _complex(x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         f"Received: x={x}")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape.as_list() != imag.shape.as_list():
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         "Both the real and imaginary parts should have the same shape. "
                         f"Received: x[0].shape = {real.shape}, x[1].shape = {imag.shape}")
    if not real.dtype.is_floating or not imag.dtype.is_floating:
        raise ValueError("At least one tensor in input `x` is not of type float."
                         f"Received: x={x}.")
    return M.complex(real, imag)


def _parts(z):
    return M.real(z), M.imag(z)


def fft(x):
    """1-D FFT over the last axis of ``(real, imag)``; returns ``(real, imag)``."""
    return _parts(SO.fft(_complex(x)))


def fft2(x):
    """2-D FFT over the last two axes of ``(real, imag)``; returns ``(real, imag)``."""
    return _parts(SO.fft2d(_complex(x)))


def ifft2(x):
    """Inverse 2-D FFT over the last two axes of ``(real, imag)``; returns ``(real, imag)``."""
    return _parts(SO.ifft2d(_complex(x)))


def rfft(x, fft_length=None):
    """FFT of a real signal over its last axis: the ``fft_length // 2 + 1`` non-negative
    frequencies as ``(real, imag)``."""
    x = _t(x)
    return _parts(SO.rfft(x, None if fft_length is None else [fft_length]))


def irfft(x, fft_length=None):
    """Inverse of ``rfft``: a real signal of ``fft_length`` (default ``2 * (n - 1)``)."""
    return SO.irfft(_complex(x), None if fft_length is None else [fft_length])


def _window(window, sequence_length, fft_length, dtype):
    """The analysis window, zero-padded on both sides to ``fft_length``."""
    if isinstance(window, str):
        make = S.hann_window if window == "hann" else S.hamming_window
        win = make(sequence_length, periodic=True, dtype=dtype)
    else:
        win = _t(window, dtype)
    if win.shape.rank != 1 or win.shape[-1] != sequence_length:
        raise ValueError("The shape of `window` must be equal to [sequence_length]."
                         f"Received: window shape={win.shape}")
    left = (fft_length - sequence_length) // 2
    return A.pad(win, [[left, fft_length - sequence_length - left]])


def _check_window(window):
    if isinstance(window, str) and window not in ("hann", "hamming"):
        raise ValueError('If a string is passed to `window`, it must be one of `"hann"`, '
                         f'`"hamming"`. Received: window={window}')


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis: ``(real, imag)`` of shape
    ``(..., frames, fft_length // 2 + 1)``. ``center`` reflect-pads ``fft_length // 2`` on
    both sides so frame ``t`` is centred on sample ``t * sequence_stride``."""
    x = _t(x)
    if x.dtype.name not in ("float32", "float64"):
        raise TypeError("Invalid input type. Expected `float32` or `float64`. "
                        f"Received: input type={x.dtype.name}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. "
                         f"Received: sequence_length={sequence_length}, "
                         f"fft_length={fft_length}")
    _check_window(window)
    if center:
        pads = [[0, 0]] * (x.shape.rank - 1) + [[fft_length // 2, fft_length // 2]]
        x = A.pad(x, pads, mode="REFLECT")
    win = None if window is None else _window(window, sequence_length, fft_length, x.dtype)
    z = S.stft(x, fft_length, sequence_stride, fft_length,
               window_fn=None if win is None else (lambda n, dtype: win))
    return _parts(z)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of ``stft`` (overlap-add with the window's dual); ``length`` trims the result."""
    z = _complex(x)
    dtype = M.real(z).dtype
    _check_window(window)
    window_fn = None
    if window is not None:
        win = _window(window, sequence_length, fft_length, dtype)
        window_fn = S.inverse_stft_window_fn(sequence_stride, lambda n, dtype: win)
    out = S.inverse_stft(z, fft_length, sequence_stride, fft_length, window_fn=window_fn)
    n = out.shape[-1]
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = n - fft_length // 2
    else:
        end = fft_length + sequence_stride * (z.shape[-2] - 1)
    return A.slice_axis(out, out.shape.rank - 1, start, max(start, min(end, n)))


def view_as_complex(x):
    """A real ``(..., 2)`` tensor as complex64 of shape ``(...)``."""
    x = _t(x)
    if x.shape.rank < 1 or x.shape[-1] != 2:
        raise ValueError("Last dimension of input must be size 2 (real and imaginary). "
                         f"Received shape: {x.shape}")
    parts = A.unstack(M.cast(x, "float32"), axis=-1)
    return M.complex(parts[0], parts[1])


def view_as_real(x):
    """A complex tensor as reals of shape ``(..., 2)`` (real and imaginary parts)."""
    x = _t(x)
    if not x.dtype.is_complex:
        return A.stack([x, A.zeros_like(x)], -1)
    return A.stack([M.real(x), M.imag(x)], -1)


__all__ = exports(globals(), ("to_tensor",))
