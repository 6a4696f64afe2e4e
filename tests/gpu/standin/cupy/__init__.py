"""A CPU stand-in for CuPy, strict where CuPy is: its arrays refuse to mix with NumPy arrays in
ufuncs and array functions (``TypeError: Unsupported type``) and refuse implicit conversion
(``__array__``). Not CuPy: NumPy does the arithmetic, and ``np.asarray(a)`` on a stand-in
array still succeeds silently (a subclass). tests/framework/test_gpu_standin.py runs the GPU
tests against it, so placement mistakes surface without a GPU."""
import types

import numpy as np

__version__ = "0+standin"


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


class ndarray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            kwargs["out"] = tuple(_host(o) for o in kwargs["out"])
        return _device(getattr(ufunc, method)(*[_host(x) for x in inputs], **kwargs))

    def __array_function__(self, func, types_, args, kwargs):
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


def _creation(name):
    host = getattr(np, name)
    return lambda *args, **kwargs: _device(host(*_host(list(args), False), **kwargs))


for _name in ("zeros", "ones", "empty", "full", "arange", "eye", "exp", "log", "tanh", "sqrt",
              "zeros_like", "ones_like", "maximum", "where"):
    globals()[_name] = _creation(_name)
float32, float64, int32, int64 = np.float32, np.float64, np.int32, np.int64


class _AddAt:
    @staticmethod
    def at(out, index, values):
        np.add.at(out.view(np.ndarray), _host(index, False), _host(values, False))


add = _AddAt()

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
        return _device(self._fn(*[_host(a, False) for a in args]))


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
