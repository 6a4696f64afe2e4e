"""Numba kernels for the CPU backend, compiled on first use (``import tfx`` never compiles).

Each kernel has a NumPy reference in the tests; a kernel stays only where it beats NumPy.
Measured against NumPy on 2 cores (float32): the tanh form of GELU 3x; max pooling 1.3-2.8x
forward (strided-slice maxima) and 7x for its gradient (argmax mask and add); scatter-add
1.5-3x (np.bincount); col2im (convolution input gradient, average-pool gradient) 3-6x;
softmax cross-entropy 3x on small batches only, as NumPy's vectorized ``exp`` wins on large
ones (Numba has no SIMD ``exp`` without SVML). Losers, not kept: exact GELU (erf dominates
both), GELU and SiLU gradients, im2col (a strided view's copy is as fast), row softmax.
Kernels loop serially, so results do not depend on the thread count.
"""
import math

import numpy as np

_cache = {}


def _gpu(a):
    """The GPU backend module when ``a`` is a CuPy array (these kernels are CPU code), else
    None."""
    if type(a).__module__.startswith("cupy"):
        from . import gpu
        return gpu
    return None


def _kernel(name, build):
    fn = _cache.get(name)
    if fn is None:
        fn = _cache[name] = build()
    return fn



def widen(a):
    """float16/bfloat16 -> float32 (Numba compiles neither); other arrays unchanged."""
    return a.astype(np.float32) if a.dtype.itemsize == 2 and a.dtype.kind not in "iu" else a


# ---- elementwise -------------------------------------------------------------------------------

def _build_erf():
    import numba

    @numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
    def erf(x):
        return math.erf(x)

    return erf


def erf(a):
    if _gpu(a):
        from cupyx.scipy.special import erf as gpu_erf
        return gpu_erf(a)
    return _kernel("erf", _build_erf)(widen(a)).astype(a.dtype, copy=False)


def _build_gelu_tanh():
    import numba

    @numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
    def gelu_tanh(x):
        return 0.5 * x * (1.0 + math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))

    return gelu_tanh


def gelu_tanh(a):
    """0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in one pass."""
    if _gpu(a):
        return 0.5 * a * (1.0 + _gpu(a).xp.tanh(0.7978845608028654 * (a + 0.044715 * a ** 3)))
    return _kernel("gelu_tanh", _build_gelu_tanh)(widen(a)).astype(a.dtype, copy=False)


def relu_grad(g, z):
    """``g * (z > 0)``: one fused kernel on the GPU."""
    gpu = _gpu(g)
    if gpu is not None and g.dtype == z.dtype and g.shape == z.shape:
        return gpu.relu_grad(g, z)
    return g * (z > 0)


# ---- softmax cross-entropy (small batches) -----------------------------------------------------

# Above this many logits NumPy's SIMD exp beats the scalar loop.
XENT_MAX_SIZE = 8192


def _build_xent():
    import numba

    @numba.njit(cache=True)
    def xent(labels, logits):
        n, k = logits.shape
        loss = np.empty(n, logits.dtype)
        backprop = np.empty_like(logits)
        for i in range(n):
            m = logits[i, 0]
            for j in range(1, k):
                if logits[i, j] > m:
                    m = logits[i, j]
            s = 0.0
            for j in range(k):
                e = math.exp(logits[i, j] - m)
                backprop[i, j] = e
                s += e
            lse = math.log(s)
            inv = 1.0 / s
            acc = 0.0
            for j in range(k):
                acc += labels[i, j] * (lse - (logits[i, j] - m))
                backprop[i, j] = backprop[i, j] * inv - labels[i, j]
            loss[i] = acc
        return loss, backprop

    return xent


def _build_sparse_xent():
    import numba

    @numba.njit(cache=True)
    def sparse_xent(labels, logits):
        n, k = logits.shape
        loss = np.empty(n, logits.dtype)
        backprop = np.empty_like(logits)
        for i in range(n):
            m = logits[i, 0]
            for j in range(1, k):
                if logits[i, j] > m:
                    m = logits[i, j]
            s = 0.0
            for j in range(k):
                e = math.exp(logits[i, j] - m)
                backprop[i, j] = e
                s += e
            inv = 1.0 / s
            for j in range(k):
                backprop[i, j] *= inv
            y = labels[i]
            loss[i] = math.log(s) - (logits[i, y] - m)
            backprop[i, y] -= 1.0
        return loss, backprop

    return sparse_xent


def softmax_xent(labels, logits):
    """Rows of 2-D float32/float64 ``logits``: (loss, softmax - labels)."""
    if _gpu(logits):
        return _gpu(logits).softmax_xent(labels, logits)
    return _kernel("xent", _build_xent)(labels, logits)


def sparse_softmax_xent(labels, logits):
    """``labels``: in-range int class ids, one per row of 2-D ``logits``."""
    if _gpu(logits):
        return _gpu(logits).sparse_softmax_xent(labels, logits)
    return _kernel("sparse_xent", _build_sparse_xent)(labels, logits)


# ---- pooling and convolution (5-D: batch, depth, height, width, channels) ----------------------

def _build_max_pool():
    import numba

    @numba.njit(cache=True)
    def max_pool(x, ksize, strides, pads, out_shape, want_argmax):
        n, dd, hh, ww, c = x.shape
        od, oh, ow = out_shape
        out = np.empty((n, od, oh, ow, c), x.dtype)
        arg = np.empty((n, od, oh, ow, c) if want_argmax else (0, 0, 0, 0, 0), np.int64)
        for b in range(n):
            for i in range(od):
                for j in range(oh):
                    for l in range(ow):
                        # Padding never competes: only positions inside the input are read,
                        # and the first maximum in window order wins (as TF's argmax).
                        first = True
                        for a in range(ksize[0]):
                            p = i * strides[0] + a - pads[0]
                            if p < 0 or p >= dd:
                                continue
                            for e in range(ksize[1]):
                                q = j * strides[1] + e - pads[1]
                                if q < 0 or q >= hh:
                                    continue
                                for f in range(ksize[2]):
                                    r = l * strides[2] + f - pads[2]
                                    if r < 0 or r >= ww:
                                        continue
                                    base = (((b * dd + p) * hh + q) * ww + r) * c
                                    for ch in range(c):
                                        v = x[b, p, q, r, ch]
                                        if first or v > out[b, i, j, l, ch]:
                                            out[b, i, j, l, ch] = v
                                            if want_argmax:
                                                arg[b, i, j, l, ch] = base + ch
                                    first = False
        return out, arg

    return max_pool


def max_pool(x, ksize, strides, pads, out_shape, want_argmax):
    """Max over windows of 5-D ``x``; ``pads``: (front, top, left). With ``want_argmax`` also
    the flat index into ``x`` of each maximum (int64), else an empty array."""
    if _gpu(x):
        return _gpu(x).max_pool(x, ksize, strides, pads, out_shape, want_argmax)
    return _kernel("max_pool", _build_max_pool)(x, ksize, strides, pads, out_shape, want_argmax)


def _build_scatter_add():
    import numba

    @numba.njit(cache=True)
    def scatter_add(size, index, values):
        out = np.zeros(size, values.dtype)
        for i in range(index.size):
            out[index[i]] += values[i]
        return out

    return scatter_add


def scatter_add(size, index, values):
    """A flat array of ``size`` zeros with ``values`` added at ``index`` (both 1-D)."""
    if _gpu(values) or _gpu(index):
        cp = (_gpu(values) or _gpu(index)).xp
        out = cp.zeros(size, values.dtype)
        cp.add.at(out, cp.asarray(index), cp.asarray(values))
        return out
    return _kernel("scatter_add", _build_scatter_add)(size, index, values)


def _build_col2im():
    import numba

    @numba.njit(cache=True)
    def col2im(cols, x_shape, strides, dilations, pads):
        n, od, oh, ow, kd, kh, kw, c = cols.shape
        dd, hh, ww = x_shape
        out = np.zeros((n, dd, hh, ww, c), cols.dtype)
        for b in range(n):
            for i in range(od):
                for j in range(oh):
                    for l in range(ow):
                        for a in range(kd):
                            p = i * strides[0] + a * dilations[0] - pads[0]
                            if p < 0 or p >= dd:
                                continue
                            for e in range(kh):
                                q = j * strides[1] + e * dilations[1] - pads[1]
                                if q < 0 or q >= hh:
                                    continue
                                for f in range(kw):
                                    r = l * strides[2] + f * dilations[2] - pads[2]
                                    if r < 0 or r >= ww:
                                        continue
                                    for ch in range(c):
                                        out[b, p, q, r, ch] += cols[b, i, j, l, a, e, f, ch]
        return out

    return col2im


def col2im(cols, x_shape, strides, dilations, pads):
    """Sum window patches back into an image: ``cols`` is [n, od, oh, ow, kd, kh, kw, c]
    (any strides, broadcast views included); returns [n, *x_shape, c]."""
    if _gpu(cols):
        return _gpu(cols).col2im(cols, x_shape, strides, dilations, pads)
    return _kernel("col2im", _build_col2im)(cols, x_shape, strides, dilations, pads)
