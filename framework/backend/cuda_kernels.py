"""Numba CUDA kernels for the GPU backend: fused updates that CuPy would run as several
kernels. Importing this module loads Numba (tfx imports it only for the GPU); kernels compile
on first launch. In CI they run in Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``); on a
GPU they take CuPy arrays directly (``__cuda_array_interface__``)."""
import math

from numba import cuda

__all__ = ["adam_update", "relu_backward", "launch_config"]


def launch_config(n, threads=256):
    return max(1, math.ceil(n / threads)), threads


@cuda.jit
def _adam(var, m, v, g, lr_t, beta_1, beta_2, epsilon, out_var, out_m, out_v):
    # Keras' Adam step with the bias correction folded into lr_t: one read and one write per
    # array instead of the eight passes of the unfused update.
    i = cuda.grid(1)
    if i < var.size:
        gi = g[i]
        mi = m[i] + (gi - m[i]) * (1.0 - beta_1)
        vi = v[i] + (gi * gi - v[i]) * (1.0 - beta_2)
        out_m[i] = mi
        out_v[i] = vi
        out_var[i] = var[i] - lr_t * mi / (math.sqrt(vi) + epsilon)


@cuda.jit
def _relu_bwd(g, x, out):
    i = cuda.grid(1)
    if i < x.size:
        out[i] = g[i] if x[i] > 0 else 0.0


def adam_update(var, m, v, g, lr_t, beta_1, beta_2, epsilon):
    """New (var, m, v) for 1-D device (or simulator) arrays; inputs are left untouched."""
    out_var = cuda.device_array_like(var)
    out_m = cuda.device_array_like(m)
    out_v = cuda.device_array_like(v)
    blocks, threads = launch_config(var.size)
    _adam[blocks, threads](var, m, v, g, lr_t, beta_1, beta_2, epsilon, out_var, out_m, out_v)
    return out_var, out_m, out_v


def relu_backward(g, x):
    """``g * (x > 0)`` in one pass."""
    out = cuda.device_array_like(x)
    blocks, threads = launch_config(x.size)
    _relu_bwd[blocks, threads](g, x, out)
    return out
