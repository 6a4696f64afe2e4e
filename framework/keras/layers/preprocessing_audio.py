"""Audio front ends (Keras 3): ``MelSpectrogram`` (fixed: STFT power through mel filters,
optionally in decibels) and ``STFTSpectrogram`` (a strided 1-D convolution whose kernels
start as the windowed DFT and may be trained)."""
import math

from ... import signal as S
from ...core.shape import TensorShape
from ...core.tensor import constant
from ...ops import array_ops as A
from ...ops import conv_ops as C
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ..ops import spectral as _spectral
from .arguments import standardize_data_format
from .layer import Layer

__all__ = ["MelSpectrogram", "STFTSpectrogram"]


class MelSpectrogram(Layer):
    """(batch, samples) or (samples,) audio -> (batch, num_mel_bins, frames): the centred
    STFT's magnitude ** ``mag_exp`` through ``num_mel_bins`` HTK mel filters between
    ``min_freq`` and ``max_freq``; with ``power_to_db`` in decibels relative to
    ``ref_power``, floored ``top_db`` below the maximum."""

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else M.cast(inputs, self._dtype)
        real, imag = _spectral.stft(x, self.sequence_length, self.sequence_stride,
                                    self.fft_length, window=self.window, center=True)
        power = M.square(real) + M.square(imag)
        if self.mag_exp != 2.0:
            power = M.pow(M.sqrt(power), float(self.mag_exp))
        weights = S.linear_to_mel_weight_matrix(
            num_mel_bins=self.num_mel_bins, num_spectrogram_bins=self.fft_length // 2 + 1,
            sample_rate=self.sampling_rate, lower_edge_hertz=self.min_freq,
            upper_edge_hertz=self.max_freq, dtype=power.dtype)
        mel = L.matmul(power, weights)                     # (..., frames, mels)
        mel = A.transpose(mel, [0, 2, 1]) if mel.ndim == 3 else A.transpose(mel, [1, 0])
        if self.power_to_db:
            mel = self._db(mel)
        return mel

    def _db(self, power):
        floor = float(self.min_power)
        db = 10.0 * M.log(M.maximum(power, floor)) / math.log(10.0)
        db = db - 10.0 * math.log10(max(float(self.ref_power), floor))
        if self.top_db is not None:
            db = M.maximum(db, M.reduce_max(db) - float(self.top_db))
        return db

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        n = shape[-1]
        frames = None if n is None else 1 + n // self.sequence_stride
        return TensorShape(shape[:-1] + [self.num_mel_bins, frames])

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}


_MODES = ("real", "imag", "angle", "magnitude", "psd", "log")


class STFTSpectrogram(Layer):
    """(batch, time, channels) -> (batch, frames, bins * channels) (``expand_dims``:
    (batch, frames, bins, channels); channels-first: (batch, channels * bins, frames) or
    (batch, channels, frames, bins)); ``mode`` "real", "imag", "magnitude", "psd"
    (one-sided), "angle" or "log" (log of the magnitude). Kernels ``real_kernel`` and
    ``imag_kernel`` of shape (frame_length, 1, fft_length // 2 + 1) hold the windowed DFT,
    scaled by ``scaling`` ("density": 1 / sqrt(sum w^2), "spectrum": 1 / sum w, None)."""

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than "
                             f"`frame_length`. Received frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. Received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if not isinstance(window, str) and window is not None:
            window = list(window)
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError("If a string is passed to `window`, it must be one of `\"hann\"`, "
                             f"`\"hamming\"`. Received: window={window}")
        if scaling not in ("density", "spectrum", None):
            raise ValueError("Scaling is not supported. Received scaling=" f"{scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is not supported. Received padding={padding}")
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}."
                             f" Received: mode={mode}")
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or self.frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)

    def _window(self):
        n = self.frame_length
        if self.window is None:
            return [1.0] * n
        if not isinstance(self.window, str):
            return [float(v) for v in self.window]
        a = 0.5 if self.window == "hann" else 0.54
        denom = n if self.periodic else n - 1
        return [a - (1 - a) * math.cos(2 * math.pi * i / max(denom, 1)) for i in range(n)]

    def _dft(self, imag, dtype):
        win = self._window()
        if self.scaling == "density":
            scale = 1.0 / math.sqrt(sum(w * w for w in win))
        elif self.scaling == "spectrum":
            scale = 1.0 / sum(win)
        else:
            scale = 1.0
        bins = self._fft_length // 2 + 1
        trig = math.sin if imag else math.cos
        sign = -1.0 if imag else 1.0
        rows = [[sign * w * scale * trig(2 * math.pi * k * i / self._fft_length)
                 for k in range(bins)] for i, w in enumerate(win)]
        return A.reshape(constant(rows, dtype), [self.frame_length, 1, bins])

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if len(shape) != 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=3, found ndim={len(shape)}. Full shape "
                             f"received: {tuple(shape)}")
        bins = self._fft_length // 2 + 1
        kernel_shape = (self.frame_length, 1, bins)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=kernel_shape,
                initializer=lambda shape, dtype=None, **_: self._dft(False, dtype))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=kernel_shape,
                initializer=lambda shape, dtype=None, **_: self._dft(True, dtype))
        self.built = True

    def _conv(self, x, kernel):
        return C.convolution(x, kernel, strides=[self._frame_step],
                             padding=self.padding.upper())

    def _one_sided(self, bins, dtype):
        """A one-sided density counts every bin but DC (and Nyquist, for an even FFT)
        twice: the negative frequencies fold onto it."""
        last = bins - 1 if self._fft_length % 2 == 0 else bins
        return constant([2.0 if 0 < k < last else 1.0 for k in range(bins)], dtype)

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else M.cast(inputs, self._dtype)
        if self.data_format == "channels_last":
            x = A.transpose(x, [0, 2, 1])                     # (batch, channels, time)
        b, c, n = x.shape[0], x.shape[1], x.shape[2]
        x = A.reshape(x, [b * c, n, 1])
        if self.mode == "real":
            y = self._conv(x, self.real_kernel)
        elif self.mode == "imag":
            y = self._conv(x, self.imag_kernel)
        else:
            re = self._conv(x, self.real_kernel)
            im = self._conv(x, self.imag_kernel)
            if self.mode == "angle":
                y = M.atan2(im, re)
            else:
                y = M.square(re) + M.square(im)
                if self.mode == "psd":
                    y = y * self._one_sided(y.shape[-1], y.dtype)
                if self.mode == "magnitude":
                    y = M.sqrt(y)
                elif self.mode == "log":  # the log of the magnitude, as Keras
                    y = 0.5 * M.log(M.maximum(y, 1e-12))
        frames, bins = y.shape[1], y.shape[2]
        y = A.reshape(y, [b, c, frames, bins])
        if self.data_format == "channels_last":
            if self.expand_dims:
                return A.transpose(y, [0, 2, 3, 1])           # (batch, frames, bins, ch)
            return A.reshape(A.transpose(y, [0, 2, 1, 3]), [b, frames, c * bins])
        if self.expand_dims:
            return y
        return A.reshape(A.transpose(y, [0, 1, 3, 2]), [b, c * bins, frames])

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        n, c = (shape[1], shape[2]) if last else (shape[2], shape[1])
        if n is None:
            frames = None
        elif self.padding == "same":
            frames = (n + self._frame_step - 1) // self._frame_step
        else:
            frames = (n - self.frame_length) // self._frame_step + 1
        bins = self._fft_length // 2 + 1
        if last:
            return TensorShape([shape[0], frames, bins, c] if self.expand_dims
                               else [shape[0], frames, None if c is None else bins * c])
        return TensorShape([shape[0], c, frames, bins] if self.expand_dims
                           else [shape[0], None if c is None else c * bins, frames])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}
