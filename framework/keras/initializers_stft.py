"""``STFT`` (alias ``STFTInitializer``): kernels that make a strided 1-D convolution compute a
short-time Fourier transform (Keras 3's ``keras.initializers.STFT``).

For a kernel of shape ``(frame_length, input_channels, bins)`` the DFT length is
``2 * (bins - 1)``; entry ``[t, c, k]`` is ``cos(-2 pi t k / n)`` (``side="real"``) or
``sin(-2 pi t k / n)`` (``"imag"``), times the window at ``t``, over the window's scale
(``"density"``: ``sqrt(sum w^2)``, ``"spectrum"``: ``sum |w|``, None: 1).
"""
import math

from .. import dtypes as _dt
from ..backend import xp
from ..core.tensor import wrap
from . import backend as _backend
from .initializers import Initializer

__all__ = ["STFT", "STFTInitializer", "stft"]


def _named_window(name, length, periodic):
    import scipy.signal
    return scipy.signal.get_window(name, length, fftbins=periodic)


class STFT(Initializer):
    """``window``: a SciPy window name ("hann", "hamming", "blackman", ...; ``periodic`` picks
    the periodic form), an array of ``frame_length`` values, or None (rectangular).
    ValueError for a ``side`` other than "real"/"imag", an unknown window or scaling."""

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str):
            _named_window(window, 1, periodic)  # an unknown name fails here, not at build
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        d = _dt.as_dtype(dtype if dtype is not None else _backend.floatx())
        frame_length, channels, bins = (int(n) for n in shape)
        f = d._np.type
        n = (bins - 1) * 2
        # In the kernel's dtype step by step, as Keras computes it.
        freq = xp.arange(bins, dtype=f).reshape(1, 1, bins) / f(n)
        time = xp.arange(frame_length, dtype=f).reshape(frame_length, 1, 1)
        args = (f(-2) * time) * freq * f(math.pi)
        kernel = xp.cos(args) if self.side == "real" else xp.sin(args)
        if self.window is not None:
            win = self.window
            if isinstance(win, str):
                win = _named_window(win, frame_length, self.periodic)
            win = xp.asarray(win, dtype=f)
            if win.ndim != 1 or win.shape[0] != frame_length:
                raise ValueError("The shape of `window` must be equal to [frame_length]."
                                 f"Received: window shape={win.shape}")
            win = win.reshape(frame_length, 1, 1)
            scale = f(1)
            if self.scaling == "density":
                scale = xp.sqrt(xp.sum(xp.square(win)))
            elif self.scaling == "spectrum":
                scale = xp.sum(xp.abs(win))
            kernel = (kernel * win) / scale
        kernel = xp.broadcast_to(kernel, (frame_length, channels, bins))
        return wrap(xp.ascontiguousarray(kernel, dtype=f), d)

    def get_config(self):
        window = self.window
        if window is not None and not isinstance(window, str):
            window = [float(v) for v in window]
        return {"side": self.side, "window": window, "periodic": self.periodic,
                "scaling": self.scaling}


STFTInitializer = STFT
stft = STFT
