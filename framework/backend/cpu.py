"""CPU backend: NumPy arrays, with Numba kernels compiled lazily (importing tfx stays cheap).

``xp`` is NumPy's namespace with one difference: the conversions NumPy performs without
dispatching (``asarray``, ``array``, ``ascontiguousarray``, ...) hand a CuPy array to CuPy
instead of copying it to the host (which CuPy refuses), so op code written against ``xp``
keeps GPU arrays on the GPU. Every other name is NumPy's own object.
"""
import types

import numpy as np

ndarray = np.ndarray


_host_classes = {ndarray}  # classes seen not to be CuPy's: one set lookup on the CPU path


def _on_gpu(cls):
    if cls in _host_classes:
        return False
    if cls.__module__.startswith("cupy"):
        return True
    _host_classes.add(cls)
    return False


def _device_aware(name):
    host = getattr(np, name)

    def convert(a, *args, **kwargs):
        if _on_gpu(a.__class__):
            from . import gpu
            return getattr(gpu.xp, name)(a, *args, **kwargs)
        return host(a, *args, **kwargs)

    convert.__name__ = name
    convert.__doc__ = host.__doc__
    return convert


def _asarray(a, dtype=None, order=None, **kwargs):  # the hot one: one set lookup on the CPU
    if a.__class__ in _host_classes and not kwargs:
        return _np_asarray(a, dtype, order)
    if _on_gpu(a.__class__):
        from . import gpu
        return gpu.xp.asarray(a, dtype, order)
    return _np_asarray(a, dtype, order, **kwargs)


_np_asarray = np.asarray
_asarray.__doc__ = np.asarray.__doc__


xp = types.ModuleType("tfx.backend.xp", "NumPy for tfx's ops (see tfx.backend.cpu)")
xp.__dict__.update((k, v) for k, v in vars(np).items() if not k.startswith("__"))
# A module-level __getattr__ (PEP 562) serves names NumPy loads lazily (np.fft, np.testing)
# while every other lookup stays a plain module-dict read.
xp.__getattr__ = lambda name: getattr(np, name)
for _name in ("array", "ascontiguousarray", "asanyarray", "asfortranarray"):
    setattr(xp, _name, _device_aware(_name))
xp.asarray = _asarray


def asarray(value, dtype=None):
    return np.asarray(value, dtype=dtype)


def to_numpy(array):
    return array

# TensorFlow's kernels return inf/nan silently (exp overflow, 0/0); NumPy would warn on stderr
# for every such op. tfx owns the arrays, so it follows TensorFlow.
np.seterr(all="ignore")

from .threads import apply_env as _apply_env  # noqa: E402

_apply_env()  # TFX_NUM_THREADS, before any pool is used
