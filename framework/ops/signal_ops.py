"""The FFT family on the innermost 1, 2 or 3 dimensions, each with its gradient beside it.

Three primitives carry everything: the complex transform (forward or inverse), the real
transform and its inverse. ``fft_length`` cropping and padding happen before the primitive,
with tfx ops, so the primitive always transforms its input's own sizes.
"""
from .. import dtypes as _dt
from ..backend import namespace, xp
from ._core import STATE, Tensor, record, register, t, wrap
from .math_ops import _unsupported

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d",
           "irfft2d", "rfft3d", "irfft3d", "fftshift", "ifftshift"]

_COMPLEX = frozenset([_dt.complex64, _dt.complex128])
_REAL = frozenset([_dt.float32, _dt.float64])
_TO_COMPLEX = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}
_TO_REAL = {_dt.complex64: _dt.float32, _dt.complex128: _dt.float64}


def _axes(k):
    return tuple(range(-k, 0))


def _size(shape, k):
    n = 1
    for s in shape[len(shape) - k:]:
        n *= s
    return n


def _input(x, default, allowed, api):
    """Tensors keep their dtype (checked); Python and NumPy values take the op's default
    dtype, as TensorFlow converts them."""
    if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
        x = t(x)
    else:
        x = wrap(xp.asarray(xp.asarray(x).real if default in _REAL else x,
                            dtype=default._np), default)
    if x._dtype not in allowed:
        raise _unsupported(api, x._dtype, allowed)
    return x


def _check_rank(x, k, api):
    if x._v.ndim < k:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, api, f"{api}: input must have rank of at least {k} "
                                   f"but got: {x._v.ndim}")


# ---- complex to complex ------------------------------------------------------------------------

def _fft_fwd(ins, attrs):
    k, inverse = attrs
    f = xp.fft.ifftn if inverse else xp.fft.fftn
    return (f(ins[0], axes=_axes(k)).astype(ins[0].dtype, copy=False),)


_fft_op = register("fft", api="tfx.signal.fft", forward=_fft_fwd)


def _fft_grad(node, g):
    # y = F x is complex-linear, so the gradient is F^H g: N * ifft(g), or fft(g) / N.
    from .math_ops import _c, divide, multiply
    k, inverse = node.attrs
    n = _size(g._v.shape, k)
    r = _fft_prim(g, k, not inverse)
    return (divide(r, _c(n, r)) if inverse else multiply(r, _c(n, r)),)


_fft_op.grad = _fft_grad
_fft_op.differentiable = True


def _fft_prim(x, k, inverse):
    r = wrap(_fft_fwd((x._v,), (k, inverse))[0], x._dtype)
    if STATE.recording:
        record(_fft_op, (x,), (r,), (k, inverse))
    return r


def _complex_transform(k, inverse, api):
    def transform(input, name=None):  # noqa: A002 - TensorFlow's argument name
        x = _input(input, _dt.complex64, _COMPLEX, api)
        _check_rank(x, k, api)
        return _fft_prim(x, k, inverse)
    return transform


fft = _complex_transform(1, False, "tfx.signal.fft")
ifft = _complex_transform(1, True, "tfx.signal.ifft")
fft2d = _complex_transform(2, False, "tfx.signal.fft2d")
ifft2d = _complex_transform(2, True, "tfx.signal.ifft2d")
fft3d = _complex_transform(3, False, "tfx.signal.fft3d")
ifft3d = _complex_transform(3, True, "tfx.signal.ifft3d")
for _f, _n in ((fft, "fft"), (ifft, "ifft"), (fft2d, "fft2d"), (ifft2d, "ifft2d"),
               (fft3d, "fft3d"), (ifft3d, "ifft3d")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = (f"{'Inverse d' if _n[0] == 'i' else 'D'}iscrete Fourier transform over the "
                  f"inner {_n[-2] if _n[-1] == 'd' else 1} dimension(s) of a complex tensor.")


# ---- real to complex and back ------------------------------------------------------------------

_rfft_op = register("rfft", api="tfx.signal.rfft", forward=lambda ins, attrs: (
    xp.fft.rfftn(ins[0], axes=_axes(attrs[0])).astype(attrs[1], copy=False),))


def _rfft_grad(node, g):
    # y = P F x keeps the first n//2+1 bins; gx = Re(F^H P^T g) = Re(N * ifft(zero-padded g)).
    from .array_ops import pad
    from .math_ops import _c, multiply, real
    k = node.attrs[0]
    shape = node.inputs[0]._v.shape
    n = shape[-1]
    padded = pad(g, [[0, 0]] * (g._v.ndim - 1) + [[0, n - g._v.shape[-1]]])
    r = real(_fft_prim(padded, k, True))
    return (multiply(r, _c(_size(shape, k), r)),)


_rfft_op.grad = _rfft_grad
_rfft_op.differentiable = True

_irfft_op = register("irfft", api="tfx.signal.irfft", forward=lambda ins, attrs: (
    xp.fft.irfftn(ins[0], s=attrs[1], axes=_axes(attrs[0])).astype(attrs[2], copy=False),))


def _irfft_grad(node, g):
    # Each interior bin stands for itself and its mirror image, the first (and, for an even
    # length, the last) only for itself: gy = c * rfft(g) / N with c in {1, 2}.
    from .math_ops import multiply
    k, lengths, _ = node.attrs
    n = lengths[-1]
    r = _rfft_prim(g, k)
    c = namespace(r._v).full(n // 2 + 1, 2.0)  # built where the gradient lives
    c[0] = 1.0
    if n % 2 == 0:
        c[-1] = 1.0
    scale = wrap((c / _size(lengths, k)).astype(r._dtype._np), r._dtype)
    return (multiply(r, scale),)


_irfft_op.grad = _irfft_grad
_irfft_op.differentiable = True


def _rfft_prim(x, k):
    cd = _TO_COMPLEX[x._dtype]
    r = wrap(_rfft_op.forward((x._v,), (k, cd._np))[0], cd)
    if STATE.recording:
        record(_rfft_op, (x,), (r,), (k, cd._np))
    return r


def _fit(x, sizes):
    """Crop or zero-pad the inner len(sizes) dimensions of ``x`` to ``sizes``."""
    from .array_ops import pad
    shape = x._v.shape
    k = len(sizes)
    lead = len(shape) - k
    if tuple(shape[lead:]) == tuple(sizes):
        return x
    x = x[(Ellipsis,) + tuple(slice(0, s) for s in sizes)]
    extra = [[0, max(0, s - c)] for s, c in zip(sizes, x._v.shape[lead:])]
    if any(e[1] for e in extra):
        x = pad(x, [[0, 0]] * lead + extra)
    return x


def _lengths(fft_length, k, api):
    if fft_length is None:
        return None
    vals = fft_length.numpy() if hasattr(fft_length, "numpy") else fft_length
    vals = [int(v) for v in xp.asarray(vals).reshape(-1)]
    if len(vals) != k:
        raise ValueError(f"{api}: fft_length must have {k} element(s), got {vals}")
    return vals


def _real_transform(k, api):
    def transform(input_tensor, fft_length=None, name=None):
        x = _input(input_tensor, _dt.float32, _REAL, api)
        _check_rank(x, k, api)
        lengths = _lengths(fft_length, k, api)
        if lengths is not None:
            x = _fit(x, lengths)
        return _rfft_prim(x, k)
    return transform


def _inverse_real_transform(k, api):
    def transform(input_tensor, fft_length=None, name=None):
        y = _input(input_tensor, _dt.complex64, _COMPLEX, api)
        _check_rank(y, k, api)
        lengths = _lengths(fft_length, k, api)
        if lengths is None:
            lengths = list(y._v.shape[-k:-1]) + [2 * (y._v.shape[-1] - 1)]
        y = _fit(y, lengths[:-1] + [lengths[-1] // 2 + 1])
        rd = _TO_REAL[y._dtype]
        attrs = (k, tuple(lengths), rd._np)
        r = wrap(_irfft_op.forward((y._v,), attrs)[0], rd)
        if STATE.recording:
            record(_irfft_op, (y,), (r,), attrs)
        return r
    return transform


rfft = _real_transform(1, "tfx.signal.rfft")
rfft2d = _real_transform(2, "tfx.signal.rfft2d")
rfft3d = _real_transform(3, "tfx.signal.rfft3d")
irfft = _inverse_real_transform(1, "tfx.signal.irfft")
irfft2d = _inverse_real_transform(2, "tfx.signal.irfft2d")
irfft3d = _inverse_real_transform(3, "tfx.signal.irfft3d")
for _f, _n in ((rfft, "rfft"), (rfft2d, "rfft2d"), (rfft3d, "rfft3d"), (irfft, "irfft"),
               (irfft2d, "irfft2d"), (irfft3d, "irfft3d")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = ("Real-input FFT over the inner dimension(s): n//2+1 complex bins on the "
                  "last (``fft_length`` crops or zero-pads the input first)." if _n[0] == "r"
                  else "Inverse of the real FFT: real output of ``fft_length`` (default "
                       "2 * (bins - 1) on the last dimension).")


# ---- shifts ------------------------------------------------------------------------------------

def _shift(x, axes, sign):
    from .array_ops import roll
    x = t(x)
    if axes is None:
        axes = list(range(x._v.ndim))
    elif isinstance(axes, int):
        axes = [axes]
    axes = [int(a) for a in axes]
    shifts = [sign * (x._v.shape[a] // 2) for a in axes]
    return roll(x, shifts, axes)


def fftshift(x, axes=None, name=None):
    """Move the zero-frequency bin to the middle of ``axes`` (all by default)."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None, name=None):
    """The inverse of ``fftshift``."""
    return _shift(x, axes, -1)
