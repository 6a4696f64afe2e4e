"""``tfx.keras.initializers``: Keras 3's weight initializers, ``get``, ``serialize``, ``deserialize``.

Seeds follow Keras 3: an initializer gives the same values on every call for a given shape.
With ``seed=None`` it takes a default seed when it is created (``tfx.keras.random``'s, which
``tfx.random.set_seed`` / ``set_random_seed`` replay), so a whole program's initial weights
repeat; an explicit ``seed`` gives the same values whatever the global seed; a
``SeedGenerator`` gives new values on each call. The draws are ``tfx.keras.random``'s, so a
seeded initializer gives Keras 3's values (on TensorFlow) bit for bit.
"""
import math as _math

from .. import dtypes as _dt
from ..backend import xp
from ..core.tensor import convert_to_tensor, wrap
from ..ops.array_ops import _shape_arg, broadcast_to, eye, reshape, transpose
from ..ops.array_ops import ones as _ones, zeros as _zeros
from ..ops.math_ops import cast
from . import backend as _backend
from . import random as _random
from .saving.autoconfig import AutoConfig, captured_config
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotNormal", "GlorotUniform", "HeNormal",
           "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "Identity", "STFT",
           "STFTInitializer", "stft", "get", "serialize", "deserialize"]

# The standard deviation of a unit normal truncated to [-2, 2]: dividing by it makes the
# truncated draws have the requested standard deviation.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer(AutoConfig):
    """Base class: ``initializer(shape, dtype=None)`` returns a tensor of that shape.

    A subclass whose ``__init__`` takes plain arguments gets ``get_config`` for free.
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype)")

    def get_config(self):
        return captured_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


def _dtype(dtype):
    return _dt.as_dtype(dtype if dtype is not None else _backend.floatx())


def _float_dtype(dtype, who):
    d = _dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"{who} only supports floating-point dtypes; received dtype={d.name}")
    return d


def _scalar(value, d):
    """``value`` in dtype ``d``: converted directly (a float64 keeps all its digits), or cast
    where TensorFlow would refuse the conversion (a float constant for an integer dtype)."""
    try:
        return convert_to_tensor(value, d)
    except (TypeError, ValueError):
        return cast(convert_to_tensor(value), d)


class Zeros(Initializer):
    """All zeros (any dtype)."""

    def __call__(self, shape, dtype=None):
        return _zeros(_shape_arg(shape), _dtype(dtype))

    def get_config(self):
        return {}


class Ones(Initializer):
    """All ones (any dtype)."""

    def __call__(self, shape, dtype=None):
        return _ones(_shape_arg(shape), _dtype(dtype))

    def get_config(self):
        return {}


class Constant(Initializer):
    """``value`` (a scalar, or an array that broadcasts to the shape) cast to the dtype."""

    def __init__(self, value=0.0):
        if hasattr(value, "numpy"):
            value = value.numpy()
        if hasattr(value, "tolist"):
            value = value.tolist()
        self.value = value

    def __call__(self, shape, dtype=None):
        return broadcast_to(_scalar(self.value, _dtype(dtype)), _shape_arg(shape))

    def get_config(self):
        return {"value": self.value}


# ---- random ------------------------------------------------------------------------------------

def _check_seed(seed):
    if isinstance(seed, dict):  # a serialized SeedGenerator
        seed = deserialize_keras_object(seed, module_objects={
            "SeedGenerator": _random.SeedGenerator})
    if seed is not None and (isinstance(seed, bool) or
                             not isinstance(seed, (int, _random.SeedGenerator))):
        raise ValueError("`seed` argument should be an instance of "
                         "`keras.random.SeedGenerator()` or an integer. Received: "
                         f"seed={seed}")
    return seed


def _tensor(values, d):
    return wrap(xp.asarray(values, dtype=d._np), d)


class _RandomInitializer(Initializer):
    """Holds ``seed`` (None: a default seed drawn at construction, but saved as None)."""

    def __init__(self, seed=None):
        self.seed = _check_seed(seed)
        self._seed = self.seed if self.seed is not None else _random.make_default_seed()

    def get_config(self):
        seed = self.seed
        return {"seed": serialize_keras_object(seed) if isinstance(seed, _random.SeedGenerator)
                else seed}


class RandomNormal(_RandomInitializer):
    """Normal values with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "RandomNormal")
        return _random.normal(_shape_arg(shape), mean=self.mean, stddev=self.stddev, dtype=d,
                              seed=self._seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(_RandomInitializer):
    """Normal values with ``mean`` and ``stddev``, redrawn beyond two ``stddev``s."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "TruncatedNormal")
        return _random.truncated_normal(_shape_arg(shape), mean=self.mean, stddev=self.stddev,
                                        dtype=d, seed=self._seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(_RandomInitializer):
    """Uniform values in ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = minval
        self.maxval = maxval

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "RandomUniform")
        return _random.uniform(_shape_arg(shape), minval=self.minval, maxval=self.maxval,
                               dtype=d, seed=self._seed)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)``: a kernel's inputs and outputs; for convolution kernels
    ``[..., in, out]`` each is multiplied by the receptive field (the leading dims).
    ``input_axes`` and ``output_axes`` (both given) name the axes to multiply instead."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (_math.prod(shape[a] for a in input_axes),
                _math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = _math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(_RandomInitializer):
    """Values with variance ``scale / n`` (``n``: fan_in, fan_out or their mean, per ``mode``).

    ``distribution``: ``"truncated_normal"`` (redrawn beyond 2 standard deviations, rescaled to
    keep the variance), ``"untruncated_normal"`` or ``"uniform"`` (``[-limit, limit]`` with
    ``limit = sqrt(3 * scale / n)``).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not (isinstance(scale, (int, float)) and scale > 0):
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {_MODES}")
        if distribution == "normal":  # the Keras 2 name
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: {distribution}. Please use one "
                             f"of {_DISTRIBUTIONS}")
        super().__init__(seed)
        self.scale = float(scale)
        self.mode = mode
        self.distribution = distribution
        self.input_axes = None if input_axes is None else list(input_axes)
        self.output_axes = None if output_axes is None else list(output_axes)

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, type(self).__name__)
        shape = _shape_arg(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = _math.sqrt(3.0 * variance)
            return _random.uniform(shape, minval=-limit, maxval=limit, dtype=d, seed=self._seed)
        if self.distribution == "truncated_normal":
            return _random.truncated_normal(shape, stddev=_math.sqrt(variance) /
                                            _TRUNCATED_STDDEV, dtype=d, seed=self._seed)
        return _random.normal(shape, stddev=_math.sqrt(variance), dtype=d, seed=self._seed)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed scale, mode and distribution (so they are not saved)."""

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotNormal(_Preset):
    """Truncated normal with stddev ``sqrt(2 / (fan_in + fan_out))``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, input_axes, output_axes)


class GlorotUniform(_Preset):
    """Uniform in ``[-limit, limit]`` with ``limit = sqrt(6 / (fan_in + fan_out))``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "uniform", seed, input_axes, output_axes)


class HeNormal(_Preset):
    """Truncated normal with stddev ``sqrt(2 / fan_in)``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class HeUniform(_Preset):
    """Uniform in ``[-limit, limit]`` with ``limit = sqrt(6 / fan_in)``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "uniform", seed, input_axes, output_axes)


class LecunNormal(_Preset):
    """Truncated normal with stddev ``sqrt(1 / fan_in)``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class LecunUniform(_Preset):
    """Uniform in ``[-limit, limit]`` with ``limit = sqrt(3 / fan_in)``."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "uniform", seed, input_axes, output_axes)


class Orthogonal(_RandomInitializer):
    """An orthogonal matrix times ``gain`` (the QR factor of a normal draw); a tensor of rank
    > 2 is made as a ``[prod(shape[:-1]), shape[-1]]`` matrix and reshaped."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "Orthogonal")
        shape = _shape_arg(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = _math.prod(shape[:-1]), shape[-1]
        a = _random.normal((max(rows, cols), min(rows, cols)), dtype=d, seed=self._seed)
        a = a._v if d.size >= 4 else xp.asarray(a._v, dtype="float32")  # LAPACK: no halves
        q, r = xp.linalg.qr(a)
        # Signs of R's diagonal make Q unique, so Q is uniform over orthogonal matrices.
        q = _tensor(q * xp.sign(xp.diagonal(r)) * self.gain, d)
        if rows < cols:
            q = transpose(q)
        return reshape(q, shape)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


class Identity(Initializer):
    """``gain`` on the main diagonal, zeros elsewhere (2-D shapes only, square or not)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        d = _dtype(dtype)
        shape = _shape_arg(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return eye(shape[0], shape[1], dtype=d) * _scalar(self.gain, d)

    def get_config(self):
        return {"gain": self.gain}


# ---- STFT: kernels that make a strided 1-D convolution compute a short-time Fourier transform --

def _named_window(name, length, periodic):
    import scipy.signal
    return scipy.signal.get_window(name, length, fftbins=periodic)


class STFT(Initializer):
    """The DFT table of a kernel ``(frame_length, input_channels, bins)``: entry ``[t, c, k]``
    is ``cos(-2 pi t k / n)`` (``side="real"``) or ``sin(-2 pi t k / n)`` (``"imag"``) with
    ``n = 2 * (bins - 1)``, times the window at ``t``, over the window's scale (``scaling``
    "density": ``sqrt(sum w^2)``, "spectrum": ``sum |w|``, None: 1). (Keras returns one
    input channel whatever the shape asks; here every channel gets the table.)

    ``window``: a SciPy window name ("hann", "hamming", "blackman", ...; ``periodic`` picks
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
        args = (f(-2) * time) * freq * f(_math.pi)
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



OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity
STFTInitializer = STFT

# Every name Keras 3 accepts (class names and snake_case aliases) -> class.
BUILTINS = {c.__name__: c for c in (
    Initializer, Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal,
    LecunUniform, Orthogonal, Identity, STFT)}
BUILTINS.update({
    "STFTInitializer": STFT, "stft": STFT, "OrthogonalInitializer": Orthogonal,
    "IdentityInitializer": Identity,
    "initializer": Initializer, "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones,
    "constant": Constant, "random_normal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "identity": Identity})

# Lowercase function-style names, as ``tf.keras.initializers.glorot_uniform``.
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity
stft = STFT


def serialize(initializer):
    """``{"module", "class_name", "config", "registered_name"}`` (a function: its config)."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """An initializer from ``serialize``'s output or a name (``"he_normal"``)."""
    obj = deserialize_keras_object(config, module_objects=BUILTINS,
                                   custom_objects=custom_objects,
                                   printable_module_name="initializer")
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """``None`` -> None; a name, config, class or instance -> an initializer; a function
    ``fn(shape, dtype=...)`` as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    elif isinstance(identifier, type):
        obj = identifier()
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
