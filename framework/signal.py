"""``tfx.signal``: FFTs, framing, windows, short-time Fourier transforms, mel filter banks and
DCTs (``tf.signal``). Everything past the FFT primitives is composed of tfx ops, so gradients
come for free."""
import math as _math

from . import dtypes as _dt
from .backend import xp
from .ops._core import t, wrap
from .ops.signal_ops import (fft, fft2d, fft3d, fftshift, ifft, ifft2d, ifft3d,  # noqa: F401
                             ifftshift, irfft, irfft2d, irfft3d, rfft, rfft2d, rfft3d)

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d",
           "irfft2d", "rfft3d", "irfft3d", "fftshift", "ifftshift", "frame", "overlap_and_add",
           "stft", "inverse_stft", "inverse_stft_window_fn", "hann_window", "hamming_window",
           "kaiser_window", "vorbis_window", "kaiser_bessel_derived_window", "mdct",
           "inverse_mdct", "linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms",
           "dct", "idct"]


def _const(array, dtype):
    dtype = _dt.as_dtype(dtype)
    return wrap(xp.asarray(array, dtype=dtype._np), dtype)


# ---- framing -----------------------------------------------------------------------------------

def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of ``frame_length`` every ``frame_step`` samples along ``axis``: the
    axis of length n becomes [num_frames, frame_length]."""
    from .ops.array_ops import pad, reshape, stack
    x = t(signal)
    nd = x._v.ndim
    ax = axis % nd
    n = x._v.shape[ax]
    length, step = int(frame_length), int(frame_step)
    if pad_end:
        num = -(-n // step)
        need = max(0, (num - 1) * step + length - n)
        if need:
            paddings = [[0, 0]] * nd
            paddings[ax] = [0, need]
            x = pad(x, paddings, constant_values=pad_value)
    else:
        num = max(0, 1 + (n - length) // step)
    if num == 0:
        from .ops.array_ops import zeros
        shape = list(x._v.shape)
        return zeros(shape[:ax] + [0, length] + shape[ax + 1:], x._dtype)
    # Cut the axis into subframes of g = gcd(length, step) samples; frame i is subframes
    # i * step/g ... + length/g, so each of the length/g columns is one strided slice (a dense
    # gradient, unlike a gather's).
    g = _math.gcd(length, step)
    used = (num - 1) * step + length
    shape = list(x._v.shape)
    x = x[(slice(None),) * ax + (slice(0, used),)]
    sub = reshape(x, shape[:ax] + [used // g, g] + shape[ax + 1:])
    hop = step // g
    cols = [sub[(slice(None),) * ax + (slice(j, j + (num - 1) * hop + 1, hop),)]
            for j in range(length // g)]
    framed = stack(cols, axis=ax + 1)  # [..., num, length/g, g, ...]
    return reshape(framed, shape[:ax] + [num, length] + shape[ax + 1:])


def overlap_and_add(signal, frame_step, name=None):
    """Sum frames [..., frames, frame_length] placed every ``frame_step`` samples: the output
    has (frames - 1) * frame_step + frame_length samples."""
    from .ops.array_ops import pad, reshape
    from .ops.math_ops import add_n
    x = t(signal)
    if x._v.ndim < 2:
        raise ValueError("overlap_and_add: signal must have rank at least 2, got "
                         f"{x._v.ndim}")
    step = int(frame_step)
    lead = list(x._v.shape[:-2])
    frames, length = x._v.shape[-2:]
    out_len = (frames - 1) * step + length
    r = -(-length // step)  # each frame covers r blocks of ``step`` samples
    if r * step != length:
        x = pad(x, [[0, 0]] * len(lead) + [[0, 0], [0, r * step - length]])
    blocks = reshape(x, lead + [frames, r, step])
    # Block j of frame i lands on output block i + j.
    parts = [pad(blocks[..., j, :], [[0, 0]] * len(lead) + [[j, r - 1 - j], [0, 0]])
             for j in range(r)]
    total = add_n(parts) if len(parts) > 1 else parts[0]
    return reshape(total, lead + [(frames + r - 1) * step])[..., :out_len]


# ---- windows -----------------------------------------------------------------------------------

def _cosine_window(length, periodic, a, dtype):
    length = int(length)
    if length == 1:
        return _const([1.0], dtype)
    # TensorFlow's periodic window: N = length for an even length only; an odd length
    # gives the symmetric window (N = length - 1) either way.
    denom = length if periodic and length % 2 == 0 else length - 1
    n = xp.arange(length, dtype=xp.float64)
    return _const(a - (1 - a) * xp.cos(2 * _math.pi * n / denom), dtype)


def hann_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.5 - 0.5 cos(2 pi n / N): N = window_length when ``periodic`` and even, else
    window_length - 1."""
    return _cosine_window(window_length, periodic, 0.5, dtype)


def hamming_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.54 - 0.46 cos(2 pi n / N), N as for ``hann_window``."""
    return _cosine_window(window_length, periodic, 0.54, dtype)


def kaiser_window(window_length, beta=12.0, dtype=_dt.float32, name=None):
    """The Kaiser window with shape parameter ``beta``."""
    length = int(window_length)
    if length == 1:
        return _const([1.0], dtype)
    n = xp.arange(length, dtype=xp.float64)
    arg = beta * xp.sqrt(xp.clip(1 - (2 * n / (length - 1) - 1) ** 2, 0, None))
    return _const(xp.i0(arg) / xp.i0(beta), dtype)


def vorbis_window(window_length, dtype=_dt.float32, name=None):
    """sin(pi/2 sin^2(pi (n + 1/2) / N)), the Vorbis power-complementary window."""
    n = xp.arange(int(window_length), dtype=xp.float64)
    return _const(xp.sin(_math.pi / 2 * xp.sin(_math.pi * (n + 0.5) / window_length) ** 2),
                  dtype)


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=_dt.float32, name=None):
    """The Kaiser-Bessel-derived window (power complementary, for MDCTs): the square root of
    the running sum of a Kaiser window of half the length, mirrored."""
    half = int(window_length) // 2
    k = xp.i0(beta * xp.sqrt(xp.clip(1 - (2 * xp.arange(half + 1) / half - 1) ** 2, 0, None))
              ) if half else xp.ones(1)
    csum = xp.cumsum(k)
    rise = xp.sqrt(csum[:-1] / csum[-1])
    return _const(xp.concatenate([rise, rise[::-1]]), dtype)


# ---- short-time Fourier transforms -------------------------------------------------------------

def _enclosing_power_of_2(n):
    return 1 << max(0, (int(n) - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """[..., frames, fft_length // 2 + 1] complex STFT of real ``signals`` [..., samples];
    ``fft_length`` defaults to the smallest power of 2 enclosing ``frame_length``."""
    from .ops.math_ops import multiply
    x = t(signals)
    if x._dtype not in (_dt.float32, _dt.float64):
        x = t(signals, _dt.float32)
    if fft_length is None:
        fft_length = _enclosing_power_of_2(frame_length)
    frames = frame(x, frame_length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        frames = multiply(frames, window_fn(frame_length, dtype=x._dtype))
    return rfft(frames, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window function that makes ``inverse_stft`` invert ``stft`` with
    ``forward_window_fn``: the forward window divided by the overlapping sum of its squares."""
    def window_fn(frame_length, dtype=_dt.float32):
        from .ops.array_ops import pad, reshape, tile
        from .ops.math_ops import divide, reduce_sum, square
        w = forward_window_fn(frame_length, dtype=dtype)
        step = int(frame_step)
        r = -(-int(frame_length) // step)
        sq = pad(square(w), [[0, r * step - int(frame_length)]])
        denom = reduce_sum(reshape(sq, [r, step]), 0, keepdims=True)
        denom = reshape(tile(denom, [r, 1]), [r * step])[:int(frame_length)]
        return divide(w, denom)
    return window_fn


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """Real signals from STFTs: inverse real FFT of each frame, windowed, overlap-added."""
    from .ops.array_ops import pad
    from .ops.math_ops import multiply
    s = t(stfts)
    if fft_length is None:
        fft_length = _enclosing_power_of_2(frame_length)
    frames = irfft(s, [fft_length])
    length = int(frame_length)
    frames = frames[..., :length]
    have = frames._v.shape[-1]
    if have < length:
        frames = pad(frames, [[0, 0]] * (frames._v.ndim - 1) + [[0, length - have]])
    if window_fn is not None:
        frames = multiply(frames, window_fn(length, dtype=frames._dtype))
    return overlap_and_add(frames, frame_step)


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """Modified DCT of frames of ``frame_length`` (a multiple of 4) every frame_length / 2
    samples: [..., frames, frame_length / 2]. Without a window the frames are scaled by
    1 / sqrt(2)."""
    from .ops.array_ops import concat, reverse, split
    from .ops.math_ops import _c, multiply, negative, subtract
    x = t(signals)
    length = int(frame_length)
    if length % 4:
        raise ValueError(f"The frame length must be a multiple of 4, got {length}")
    frames = frame(x, length, length // 2, pad_end=pad_end)
    if window_fn is not None:
        frames = multiply(frames, window_fn(length, dtype=frames._dtype))
    else:
        frames = multiply(frames, _c(1 / _math.sqrt(2), frames))
    a, b, c, d = split(frames, 4, axis=-1)
    # Fold the four quarters into a half-length frame whose DCT-IV is the MDCT.
    first = subtract(negative(reverse(c, [-1])), d)
    second = subtract(a, reverse(b, [-1]))
    return dct(concat([first, second], -1), type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """Signals from ``mdct`` output: DCT-IV, unfolded to full frames, windowed and
    overlap-added (a perfect reconstruction with a power-complementary window)."""
    from .ops.array_ops import concat, reverse, split
    from .ops.math_ops import _c, multiply, negative
    m = t(mdcts)
    half = m._v.shape[-1]
    if norm is None:
        y = dct(m, type=4)
        y = multiply(y, _c(0.5 / half, y))
    elif norm == "ortho":
        y = dct(m, type=4, norm="ortho")
    else:
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
    a, b = split(y, 2, axis=-1)
    frames = concat([b, negative(reverse(b, [-1])), negative(reverse(a, [-1])), negative(a)],
                    -1)
    if window_fn is not None:
        frames = multiply(frames, window_fn(2 * half, dtype=frames._dtype))
    else:
        frames = multiply(frames, _c(1 / _math.sqrt(2), frames))
    return overlap_and_add(frames, half)


# ---- mel filter banks and cepstra --------------------------------------------------------------

def _hz_to_mel(f):
    return 1127.0 * xp.log1p(f / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=_dt.float32, name=None):
    """[num_spectrogram_bins, num_mel_bins] triangular HTK-mel filters; the DC bin gets no
    weight. A linear spectrogram @ this matrix is a mel spectrogram."""
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError(f"lower_edge_hertz {lower_edge_hertz} >= upper_edge_hertz "
                         f"{upper_edge_hertz}")
    if sample_rate <= 0.0:
        raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
    if upper_edge_hertz > sample_rate / 2:
        raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency "
                         f"(sample_rate / 2). Got {upper_edge_hertz} for sample_rate: "
                         f"{sample_rate}")
    d = _dt.as_dtype(dtype)
    f = d._np.type
    nyquist = f(sample_rate / 2.0)
    freqs = xp.linspace(f(0), nyquist, num_spectrogram_bins, dtype=d._np)[1:]
    spec_mel = _hz_to_mel(freqs)[:, None]
    edges = xp.linspace(_hz_to_mel(f(lower_edge_hertz)), _hz_to_mel(f(upper_edge_hertz)),
                        num_mel_bins + 2, dtype=d._np)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (spec_mel - lower) / (center - lower)
    falling = (upper - spec_mel) / (upper - center)
    w = xp.maximum(f(0), xp.minimum(rising, falling))
    return _const(xp.concatenate([xp.zeros((1, num_mel_bins), d._np), w]), d)


def _dct_matrix(n, kind, ortho, np_dtype):
    """M with dct(x) = x @ M along the last axis (SciPy's / TensorFlow's definitions)."""
    i = xp.arange(n, dtype=xp.float64)[:, None]  # input index
    k = xp.arange(n, dtype=xp.float64)[None, :]  # output index
    if kind == 1:
        m = 2 * xp.cos(_math.pi * i * k / (n - 1))
        m[0, :] = 1.0
        m[-1, :] = (-1.0) ** xp.arange(n)
    elif kind == 2:
        m = 2 * xp.cos(_math.pi * k * (2 * i + 1) / (2 * n))
        if ortho:
            m[:, 0] *= _math.sqrt(1 / (4 * n))
            m[:, 1:] *= _math.sqrt(1 / (2 * n))
    elif kind == 3:
        if ortho:  # the transpose (inverse) of the orthonormal type-II matrix
            return _dct_matrix(n, 2, True, np_dtype).T
        m = 2 * xp.cos(_math.pi * i * (2 * k + 1) / (2 * n))
        m[0, :] = 1.0
    else:
        m = 2 * xp.cos(_math.pi * (2 * i + 1) * (2 * k + 1) / (4 * n))
        if ortho:
            m *= _math.sqrt(1 / (2 * n))
    return m.astype(np_dtype)


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """Discrete cosine transform of types 1-4 along the last axis (``n`` crops or zero-pads
    it first; ``norm='ortho'`` for the orthonormal scaling, not for type 1)."""
    from .ops.array_ops import pad
    from .ops.linalg_ops import tensordot
    x = t(input)
    if x._dtype not in (_dt.float32, _dt.float64):
        raise ValueError(f"dct: input must be float32 or float64, got {x._dtype.name}")
    if type not in (1, 2, 3, 4):
        raise ValueError(f"Types I, II, III and IV (I)DCT are supported, got type {type}.")
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
    if type == 1 and norm == "ortho":
        raise ValueError("Normalization is not supported for the Type-I DCT.")
    if n is not None:
        if n < 1:
            raise ValueError(f"n should be a positive integer or None, got {n}")
        have = x._v.shape[-1]
        x = x[..., :n] if n < have else pad(x, [[0, 0]] * (x._v.ndim - 1) + [[0, n - have]])
    size = x._v.shape[-1]
    if type == 1 and size < 2:
        raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    m = _dct_matrix(size, type, norm == "ortho", x._dtype._np)
    return tensordot(x, wrap(m, x._dtype), 1)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """Inverse DCT: the DCT of the inverse type (2 <-> 3); without ``norm``, idct(dct(x)) is
    2 * N * x for types 2-4 (2 * (N - 1) * x for type 1)."""
    return dct(input, type={1: 1, 2: 3, 3: 2, 4: 4}[type], n=n, axis=axis, norm=norm)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """Mel-frequency cepstral coefficients: the orthonormal-scaled type-II DCT of each log-mel
    spectrum, as TensorFlow computes them."""
    from .ops.math_ops import _c, multiply
    x = t(log_mel_spectrograms)
    bins = x._v.shape[-1]
    r = dct(x, type=2)
    return multiply(r, _c(1.0 / _math.sqrt(2.0 * bins), r))


from .ops.fftnd_ops import fftnd, ifftnd, irfftnd, rfftnd  # noqa: E402,F401

__all__ += ["fftnd", "ifftnd", "rfftnd", "irfftnd"]
