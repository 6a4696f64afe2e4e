"""A CPU stand-in for CuPy, strict where CuPy is. Its arrays refuse to mix with NumPy arrays in
ufuncs and array functions (``TypeError: Unsupported type``) and refuse implicit conversion
(``__array__``); NumPy ufuncs run on them only where CuPy has the ufunc and the method (no
``np.maximum.reduce``, no Numba or SciPy ufuncs) and ``at`` only for the dtypes CuPy's
scatters take, NumPy functions CuPy lacks are refused, and Numba's CPU kernels reject them.
Not CuPy: NumPy does the arithmetic, and ``np.asarray(a)`` on a stand-in array still succeeds
silently (a subclass), so the GPU tests also check that results are stand-in arrays.
tests/framework/test_gpu_standin.py runs the GPU tests against it, so placement mistakes
surface without a GPU."""
import types

import numpy as np

__version__ = "0+standin"

# The ufunc methods CuPy has (v12.1 on), which its __array_ufunc__ dispatches to; any other
# method of a NumPy ufunc on a CuPy array (np.maximum.reduce, np.logaddexp.accumulate) fails.
_UFUNC_METHODS = {"__call__": None, "outer": None,
                  "at": {"add", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"},
                  "reduce": {"add", "multiply"}, "accumulate": {"add"}, "reduceat": {"add"}}
# The dtypes CuPy's add.at / maximum.at / minimum.at take (CUDA's atomics; its scatter raises
# TypeError for the others: no int64, no 8/16-bit integers, no complex or bool).
_AT_DTYPES = {"add": {"int32", "uint32", "uint64", "float16", "float32", "float64"},
              "maximum": {"int32", "uint32", "uint64", "float32", "float64"},
              "minimum": {"int32", "uint32", "uint64", "float32", "float64"}}
# NumPy functions older CuPy releases do not implement (its __array_function__ answers
# NotImplemented, and there is no cupy.<name>): the general, non-symmetric eigensolver, and
# NumPy's floating-point error state (CuPy's kernels never warn).
_MISSING = {"numpy.linalg.eig", "numpy.linalg.eigvals", "numpy.errstate", "numpy.seterr",
            "numpy.geterr"}


def _host(x, strict=True):
    if isinstance(x, ndarray):
        return x.view(np.ndarray)
    if isinstance(x, np.ndarray):
        if strict:
            raise TypeError(f"Unsupported type {type(x)}")
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_host(v, strict) for v in x)
    return x


def _device(r):
    if isinstance(r, np.ndarray) and not isinstance(r, ndarray):
        return r.view(ndarray)
    if isinstance(r, np.generic) and r.dtype.kind not in "OUS":
        return np.asarray(r).view(ndarray)  # CuPy's reductions return 0-d arrays
    if isinstance(r, tuple) and hasattr(r, "_fields"):  # slogdet, eigh, ... results
        return type(r)(*[_device(v) for v in r])
    if isinstance(r, (tuple, list)):
        return type(r)(_device(v) for v in r)
    return r


def _on_host(fn, strict=True):
    """``fn`` run by NumPy on stand-in arguments, its results stand-in arrays."""
    def run(*args, **kwargs):
        return _device(fn(*_host(list(args), strict),
                          **{k: _host(v, strict) for k, v in kwargs.items()}))
    run.__name__ = getattr(fn, "__name__", "fn")
    return run


class ndarray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # CuPy looks the ufunc up by name among its own (no Numba or SciPy ufuncs)
        names = _UFUNC_METHODS.get(method, ())
        if getattr(np, ufunc.__name__, None) is not ufunc or (
                names is not None and ufunc.__name__ not in names):
            return NotImplemented
        if method == "at":
            return _at(ufunc, *inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_host(o) for o in kwargs["out"])
        return _device(getattr(ufunc, method)(*[_host(x) for x in inputs], **kwargs))

    def __array_function__(self, func, types_, args, kwargs):
        if f"{func.__module__}.{func.__name__}" in _MISSING:
            return NotImplemented
        for t in types_:
            if issubclass(t, np.ndarray) and not issubclass(t, ndarray):
                raise TypeError(f"Unsupported type {t}")
        return _device(func(*_host(list(args)), **{k: _host(v) for k, v in kwargs.items()}))

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __getitem__(self, key):  # CuPy takes NumPy index arrays
        return _device(np.ndarray.__getitem__(self.view(np.ndarray), _host(key, strict=False)))

    def get(self, stream=None):
        return np.array(self.view(np.ndarray))

    def __float__(self):
        return float(self.view(np.ndarray))

    def __int__(self):
        return int(self.view(np.ndarray))

    def __index__(self):
        return int(self.view(np.ndarray))

    def __bool__(self):
        return bool(self.view(np.ndarray))


# NumPy implements these methods with ufunc methods (np.maximum.reduce, ...) that
# __array_ufunc__ refuses, as CuPy does; CuPy's arrays have them as methods of their own.
for _name in ("sum", "prod", "max", "min", "mean", "var", "std", "any", "all", "cumsum",
              "cumprod", "clip", "round", "dot"):
    setattr(ndarray, _name, _on_host(getattr(np.ndarray, _name)))


def asarray(a, dtype=None, order=None, **kwargs):
    if isinstance(a, ndarray):
        return a if dtype is None else a.astype(dtype, copy=False)
    return np.array(a, dtype=dtype).view(ndarray)


def array(a, dtype=None, copy=True, order="K", ndmin=0, **kwargs):
    r = asarray(a, dtype)
    return r.copy() if copy else r


def ascontiguousarray(a, dtype=None, **kwargs):
    return asarray(a, dtype)


asanyarray = asfortranarray = ascontiguousarray

# Creation from shapes and Python values (and *_like, which read only shape and dtype)
for _name in ("zeros", "ones", "empty", "full", "arange", "eye", "zeros_like", "ones_like",
              "empty_like", "full_like"):
    globals()[_name] = _on_host(getattr(np, _name), strict=False)
float32, float64, int32, int64 = np.float32, np.float64, np.int32, np.int64


def __getattr__(name):
    """The rest of NumPy's namespace, strict about host arrays (CuPy implements most of it)."""
    if f"numpy.{name}" in _MISSING or not hasattr(np, name):
        raise AttributeError(f"module 'cupy' has no attribute {name!r}")
    value = getattr(np, name)
    return _on_host(value) if callable(value) and not isinstance(value, type) else value


class _Submodule(types.ModuleType):
    def __init__(self, host):
        super().__init__(f"cupy.{host.__name__.split('.', 1)[1]}")
        self._numpy = host

    def __getattr__(self, name):
        if f"{self._numpy.__name__}.{name}" in _MISSING:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(self._numpy, name)
        return _on_host(value) if callable(value) and not isinstance(value, type) else value


linalg = _Submodule(np.linalg)
fft = _Submodule(np.fft)


def _as_strided(x, shape=None, strides=None):  # CuPy's signature: no subok, no writeable
    if not isinstance(x, ndarray):
        raise TypeError(f"Unsupported type {type(x)}")
    return np.lib.stride_tricks.as_strided(x.view(np.ndarray), shape, strides).view(ndarray)


lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))


def _at(ufunc, out, index, values):
    """CuPy's ufunc.at: its scatter kernels, for the dtypes they take."""
    if not isinstance(out, ndarray):
        raise TypeError(f"Unsupported type {type(out)}")
    if out.dtype.name not in _AT_DTYPES.get(ufunc.__name__, (out.dtype.name,)):
        raise TypeError(f"scatter_{ufunc.__name__} does not support {out.dtype.name}")
    ufunc.at(out.view(np.ndarray), _host(index, False), _host(values))


class _Ufunc:
    """cupy.add, cupy.maximum, cupy.minimum: callable, with ``at``."""

    def __init__(self, name):
        self.__name__ = name
        self._numpy = getattr(np, name)

    def __call__(self, *args, **kwargs):
        return _on_host(self._numpy)(*args, **kwargs)

    def at(self, out, index, values):
        _at(self._numpy, out, index, values)


add, maximum, minimum = _Ufunc("add"), _Ufunc("maximum"), _Ufunc("minimum")

# tfx.backend.gpu's ElementwiseKernels, by name, as NumPy
_KERNELS = {
    "tfx_adam": lambda var, m, v, g, a, b1, b2, eps: (
        lambda mi, vi: (var - a * mi / (np.sqrt(vi) + eps), mi, vi))(
        m + (g - m) * b1, v + (g * g - v) * b2),
    "tfx_nadam": lambda var, m, v, g, b1, b2, cm, cg, vh, lr, eps: (
        lambda mi, vi: (var - lr * (cm * mi + cg * g) / (np.sqrt(vi * vh) + eps), mi, vi))(
        m + (g - m) * b1, v + (g * g - v) * b2),
    "tfx_relu_grad": lambda g, x: np.where(x > 0, g, 0).astype(g.dtype),
    "tfx_sparse_xent_bp": lambda lg, mx, s, label, col: (
        np.exp(lg - mx) / s - (col == label)).astype(lg.dtype),
}


class ElementwiseKernel:
    def __init__(self, in_params, out_params, operation, name):
        self._fn = _KERNELS[name]

    def __call__(self, *args):
        return _device(self._fn(*[_host(a) for a in args]))


class _Pool:
    def malloc(self, nbytes):
        raise NotImplementedError


def get_default_memory_pool():
    return _Pool()


class _Stream:
    def synchronize(self):
        pass


cuda = types.SimpleNamespace(
    runtime=types.SimpleNamespace(getDeviceCount=lambda: 1),
    set_allocator=lambda malloc: None,
    get_current_stream=_Stream)


def _refuse_in_numba():
    """Numba's CPU kernels cannot type a CuPy array (it is no NumPy buffer): typing one fails
    with 'non-precise type pyobject'. The stand-in, a NumPy subclass, would be taken."""
    try:
        from numba.extending import typeof_impl
    except ImportError:
        return
    typeof_impl.register(ndarray)(lambda val, c: None)


_refuse_in_numba()
