"""The one seam between tfx's ops and array libraries.

Op forwards call ``xp`` (the NumPy-API namespace). NumPy routes ufuncs and array functions on
CuPy arrays to CuPy (NEP 13/18), so the same op code runs on both; a backend module adds
kernels (Numba on the CPU, CuPy/Numba-CUDA on the GPU) where they beat the generic path.
Nothing above this package imports numpy or cupy for computing.
"""
from . import cpu

xp = cpu.xp
ndarray = cpu.ndarray
asarray = cpu.asarray
to_numpy = cpu.to_numpy


def namespace(array):
    """The array module that owns ``array`` (numpy, or cupy for GPU arrays)."""
    if array.__class__ is ndarray:
        return cpu.xp
    mod = type(array).__module__
    if mod.startswith("cupy"):
        from . import gpu
        return gpu.xp
    return cpu.xp


def device_of(array):
    """'CPU' or 'GPU' for a backend array."""
    return "GPU" if type(array).__module__.startswith("cupy") else "CPU"


def to_device(array, kind):
    """``array`` on 'CPU' or 'GPU' (a copy when it moves; the array itself when it is there)."""
    on_gpu = type(array).__module__.startswith("cupy")
    if kind == "GPU":
        if on_gpu:
            return array
        from . import gpu
        return gpu.to_gpu(array)
    return array.get() if on_gpu else array
