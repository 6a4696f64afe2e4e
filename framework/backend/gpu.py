"""GPU backend on CuPy. Imported only when a GPU is asked for; absent CuPy or GPU, it says so.

Most op forwards need nothing from here: NumPy hands its functions called on CuPy arrays to
CuPy (NEP 13/18). This module moves arrays between host and device, holds the fused kernels
that beat CuPy's op-by-op path (one launch instead of several, one pass over memory), the CuPy
forms of the CPU backend's Numba loops (max pooling, col2im), the NumPy ufunc methods CuPy
lacks or has for fewer dtypes (``add_at``, ``multiply_at``, ``maximum_at``, ``minimum_at``,
``logaddexp_accumulate``) and the switch that makes CuPy's solvers report failures.
"""
_cp = None
_kernels = {}


def available():
    """True when CuPy imports and sees at least one CUDA device."""
    return device_count() > 0


def device_count():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


def _cupy():
    global _cp
    if _cp is None:
        import cupy
        # Every allocation goes through CuPy's pool (the default; named here so nothing
        # downstream swaps it for cudaMalloc per array): freed tensors' blocks are reused.
        cupy.cuda.set_allocator(cupy.get_default_memory_pool().malloc)
        _cp = cupy
    return _cp


def __getattr__(name):
    if name == "xp":
        return _cupy()
    raise AttributeError(name)


def is_gpu_array(a):
    return type(a).__module__.startswith("cupy")


def to_gpu(a):
    """A host (NumPy) array or scalar as a CuPy array (one host-to-device copy)."""
    cp = _cupy()
    if is_gpu_array(a):
        return a
    kind = getattr(getattr(a, "dtype", None), "kind", "")
    if kind in ("O", "U", "S"):
        raise TypeError(f"{a.dtype} arrays (strings, objects) stay on the CPU")
    return cp.asarray(a)


def to_cpu(a):
    return a.get() if is_gpu_array(a) else a


# ---- fused kernels -----------------------------------------------------------------------------

def _kernel(name, build):
    k = _kernels.get(name)
    if k is None:
        k = _kernels[name] = build(_cupy())
    return k


def _build_adam(cp):
    # Keras' Adam with the bias correction folded into ``alpha``: one read and one write of
    # each array instead of the ten passes of the op-by-op update.
    return cp.ElementwiseKernel(
        "T var, T m, T v, T g, T alpha, T b1c, T b2c, T eps",
        "T new_var, T new_m, T new_v",
        """
        T mi = m + (g - m) * b1c;
        T vi = v + (g * g - v) * b2c;
        new_m = mi;
        new_v = vi;
        new_var = var - alpha * mi / (sqrt(vi) + eps);
        """, "tfx_adam")


def adam_update(var, m, v, g, alpha, one_minus_b1, one_minus_b2, eps):
    """New (var, m, v) arrays after one Adam step; the inputs are left untouched (tensors
    may share them). ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``."""
    t = var.dtype.type
    return _kernel("adam", _build_adam)(var, m, v, g, t(alpha), t(one_minus_b1),
                                        t(one_minus_b2), t(eps))


def _build_nadam(cp):
    return cp.ElementwiseKernel(
        "T var, T m, T v, T g, T b1c, T b2c, T c_m, T c_g, T v_hat_c, T lr, T eps",
        "T new_var, T new_m, T new_v",
        """
        T mi = m + (g - m) * b1c;
        T vi = v + (g * g - v) * b2c;
        new_m = mi;
        new_v = vi;
        new_var = var - lr * (c_m * mi + c_g * g) / (sqrt(vi * v_hat_c) + eps);
        """, "tfx_nadam")


def nadam_update(var, m, v, g, one_minus_b1, one_minus_b2, c_m, c_g, v_hat_c, lr, eps):
    """New (var, m, v) after one Nadam step: ``c_m = u_{t+1} / (1 - prod u_{..t+1})``,
    ``c_g = (1 - u_t) / (1 - prod u_{..t})``, ``v_hat_c = 1 / (1 - beta_2^t)``."""
    t = var.dtype.type
    return _kernel("nadam", _build_nadam)(var, m, v, g, t(one_minus_b1), t(one_minus_b2),
                                          t(c_m), t(c_g), t(v_hat_c), t(lr), t(eps))


def _build_relu_grad(cp):
    return cp.ElementwiseKernel("T g, T x", "T out", "out = x > (T)0 ? g : (T)0",
                                "tfx_relu_grad")


def relu_grad(g, x):
    """``g * (x > 0)`` in one pass."""
    return _kernel("relu_grad", _build_relu_grad)(g, x)


def _build_sparse_xent(cp):
    # One thread block per row would need a RawKernel; rows here are short (classes), so a
    # row-wise max/sum through CuPy's reductions plus one fused elementwise pass is enough.
    return cp.ElementwiseKernel(
        "T logit, T mx, T s, int64 label, int64 col", "T backprop",
        "backprop = exp(logit - mx) / s - (col == label ? (T)1 : (T)0)", "tfx_sparse_xent_bp")


def sparse_softmax_xent(labels, logits):
    """(loss, softmax - one_hot(labels)) for 2-D ``logits`` on the GPU."""
    cp = _cupy()
    labels = labels.astype(cp.int64, copy=False)
    mx = logits.max(-1, keepdims=True)
    s = cp.exp(logits - mx).sum(-1, keepdims=True)
    rows = cp.arange(logits.shape[0])
    loss = cp.log(s[:, 0]) - (logits[rows, labels] - mx[:, 0])
    cols = cp.arange(logits.shape[1], dtype=cp.int64)
    backprop = _kernel("sparse_xent", _build_sparse_xent)(logits, mx, s, labels[:, None], cols)
    return loss, backprop


def softmax_xent(labels, logits):
    """(loss, softmax - labels) for 2-D ``logits`` and dense ``labels`` on the GPU."""
    cp = _cupy()
    mx = logits.max(-1, keepdims=True)
    shifted = logits - mx
    e = cp.exp(shifted)
    s = e.sum(-1, keepdims=True)
    loss = (labels * (cp.log(s) - shifted)).sum(-1)
    return loss, e / s - labels


# ---- pooling and convolution (5-D: batch, depth, height, width, channels) ----------------------
# The CuPy forms of tfx.backend.kernels' Numba loops, same arguments and results. Each loops
# over the window offsets (a few) with whole-array passes; one offset's positions never
# collide, so no atomics are needed.

def _offsets(ksize):
    return [(a, e, f) for a in range(ksize[0]) for e in range(ksize[1]) for f in range(ksize[2])]


def _windows(v, start, strides, out_shape):
    """v[:, start + strides * i, ..., :] for every output position i: [n, *out_shape, c]."""
    return v[(slice(None),) + tuple(slice(b, b + s * (o - 1) + 1, s) for b, s, o in
                                    zip(start, strides, out_shape)) + (slice(None),)]


def max_pool(x, ksize, strides, pads, out_shape, want_argmax):
    """Max over windows of 5-D ``x`` (``pads``: front, top, left): padding never competes and
    the first maximum in window order wins, as the CPU kernel. With ``want_argmax`` also the
    flat index into ``x`` of each maximum (int64), else an empty array."""
    cp = _cupy()
    n, *sizes, c = x.shape
    # Pad so that every window slice is in range; padded positions are masked out below.
    hi = [max(0, (o - 1) * s + k - p - d) for o, s, k, p, d in
          zip(out_shape, strides, ksize, pads, sizes)]
    xpad = cp.pad(x, ((0, 0),) + tuple(zip(pads, hi)) + ((0, 0),))
    grid = [cp.arange(o) * s - p for o, s, p in zip(out_shape, strides, pads)]  # window starts
    view = [(1, -1, 1, 1, 1), (1, 1, -1, 1, 1), (1, 1, 1, -1, 1)]
    out = cp.zeros((n,) + tuple(out_shape) + (c,), x.dtype)
    arg = cp.zeros(out.shape if want_argmax else (0,) * 5, cp.int64)
    have = cp.zeros((1,) + tuple(out_shape) + (1,), bool)
    base = (cp.arange(n, dtype=cp.int64) * (sizes[0] * sizes[1] * sizes[2] * c)).reshape(
        -1, 1, 1, 1, 1) + cp.arange(c, dtype=cp.int64)
    for offset in _offsets(ksize):
        pos = [(g + a).reshape(shape) for g, a, shape in zip(grid, offset, view)]
        valid = ((pos[0] >= 0) & (pos[0] < sizes[0]) & (pos[1] >= 0) & (pos[1] < sizes[1])
                 & (pos[2] >= 0) & (pos[2] < sizes[2]))
        v = _windows(xpad, offset, strides, out_shape)
        take = valid & (~have | (v > out))
        out = cp.where(take, v, out)
        if want_argmax:
            flat = ((pos[0] * sizes[1] + pos[1]) * sizes[2] + pos[2]) * c
            arg = cp.where(take, base + flat, arg)
        have = have | valid
    return out, arg


def col2im(cols, x_shape, strides, dilations, pads):
    """Sum window patches back into an image: ``cols`` [n, od, oh, ow, kd, kh, kw, c] (any
    strides, broadcast views included); returns [n, *x_shape, c]."""
    cp = _cupy()
    n, od, oh, ow, kd, kh, kw, c = cols.shape
    out_shape, ksize = (od, oh, ow), (kd, kh, kw)
    room = [max(p + d, (o - 1) * s + (k - 1) * r + 1) for p, d, o, s, k, r in
            zip(pads, x_shape, out_shape, strides, ksize, dilations)]
    out = cp.zeros((n,) + tuple(room) + (c,), cols.dtype)
    for a, e, f in _offsets(ksize):
        window = _windows(out, (a * dilations[0], e * dilations[1], f * dilations[2]),
                          strides, out_shape)
        window += cols[:, :, :, :, a, e, f]
    crop = (slice(None),) + tuple(slice(p, p + d) for p, d in zip(pads, x_shape))
    return cp.ascontiguousarray(out[crop + (slice(None),)])


def linalg_errors():
    """A context in which CuPy's solvers raise numpy.linalg.LinAlgError for a singular or
    not positive definite input, as NumPy's do (CuPy's default is to return what the failed
    factorization left; checking costs one synchronization)."""
    import cupyx
    return cupyx.errstate(linalg="raise")


# ---- scatters and scans CuPy lacks -------------------------------------------------------------
# NumPy ufunc methods that CuPy does not have (multiply.at, logaddexp.accumulate) or has for
# fewer dtypes (add/maximum/minimum.at: CUDA's atomics only), as whole-array passes.

_ATOMIC_ADD = frozenset(["int32", "uint32", "uint64", "float16", "float32", "float64"])


def add_at(out, index, values):
    """``numpy.add.at(out, index, values)`` for every dtype (in place). CuPy's add.at takes
    only the dtypes of CUDA's atomicAdd; the others go through one it takes, with the same
    wraparound: int64 through uint64 (the same bits), 8/16-bit integers and bools through
    uint32 (low bits kept; a bool sum is an or), complex numbers part by part."""
    cp = _cupy()
    values = cp.asarray(values)
    d = out.dtype
    if d.name in _ATOMIC_ADD:
        cp.add.at(out, index, values.astype(d, copy=False))
    elif d.kind == "c":
        values = values.astype(d, copy=False)
        add_at(out.real, index, values.real)
        add_at(out.imag, index, values.imag)
    elif d.itemsize == 8:
        cp.add.at(out.view(cp.uint64), index, values.astype(d, copy=False).view(cp.uint64))
    else:
        wide = out.astype(cp.uint32)
        cp.add.at(wide, index, values.astype(d, copy=False).astype(cp.uint32))
        out[...] = wide.astype(d) if d.kind != "b" else wide != 0


_ATOMIC_MAX = frozenset(["int32", "uint32", "uint64", "float32", "float64"])


def _extreme_at(name, out, index, values):
    cp = _cupy()
    values = cp.asarray(values).astype(out.dtype, copy=False)
    d = out.dtype
    at = getattr(cp, name).at
    if d.name in _ATOMIC_MAX:
        at(out, index, values)
    elif d == cp.int64:  # flipping the sign bit orders int64 values as uint64 ones
        sign = cp.uint64(1 << 63)
        wide = out.view(cp.uint64) ^ sign
        at(wide, index, values.view(cp.uint64) ^ sign)
        out[...] = (wide ^ sign).view(cp.int64)
    else:  # float16 and 8/16-bit integers widen exactly; bools compare as 0 and 1
        wide = out.astype(cp.float32 if d.kind == "f" else cp.int32 if d.kind == "i"
                          else cp.uint32)
        at(wide, index, values.astype(wide.dtype))
        out[...] = wide.astype(d)


def maximum_at(out, index, values):
    """``numpy.maximum.at`` for every real dtype (in place); CuPy's takes only the dtypes of
    CUDA's atomicMax, the others go through one of those in the same order."""
    _extreme_at("maximum", out, index, values)


def minimum_at(out, index, values):
    """``numpy.minimum.at`` for every real dtype (in place), as ``maximum_at``."""
    _extreme_at("minimum", out, index, values)


def multiply_at(out, index, values):
    """``numpy.multiply.at(out, index, values)`` (in place) for a 1-D ``index`` into ``out``'s
    first axis: the values sorted by index, a segmented product scan (log2(n) passes; each
    segment's product ends on its last entry), and one multiply per segment. Products are
    taken in a different order than NumPy's, so floats can differ in the last bits."""
    cp = _cupy()
    if not index.size:
        return
    order = cp.argsort(index)
    ids, v = index[order], values[order]
    lead = (-1,) + (1,) * (v.ndim - 1)
    k = 1
    while k < ids.shape[0]:
        same = (ids[k:] == ids[:-k]).reshape(lead)
        v = cp.concatenate([v[:k], cp.where(same, v[k:] * v[:-k], v[k:])])
        k *= 2
    last = cp.concatenate([ids[1:] != ids[:-1], cp.ones(1, bool)])
    segments = ids[last]
    out[segments] = out[segments] * v[last]


def logaddexp_accumulate(v, axis):
    """``numpy.logaddexp.accumulate(v, axis)``: a Hillis-Steele scan of logaddexp (log2(n)
    passes, each exact to rounding; CuPy's logaddexp handles equal infinities as NumPy's)."""
    cp = _cupy()
    v = cp.moveaxis(v, axis, 0)
    k = 1
    while k < v.shape[0]:
        v = cp.concatenate([v[:k], cp.logaddexp(v[k:], v[:-k])])
        k *= 2
    return cp.ascontiguousarray(cp.moveaxis(v, 0, axis))
