"""Convolutions, pooling, CTC, matrix decompositions, FFTs, scatters, segment reductions,
cumulative logsumexp, special functions, non-max suppression and the other index and box ops
on the GPU: every output and every gradient is a GPU tensor (no host array leaks into them)
equal to the CPU's to 1e-5.
Skipped without a GPU; tests/framework/test_gpu_standin.py runs them on the CPU stand-in for
CuPy, which refuses host arrays where CuPy does."""
import numpy as np
import pytest

import tfx
from tfx.backend import device_of

pytestmark = pytest.mark.gpu

RNG = np.random.default_rng(0)


def f32(*shape):
    return RNG.uniform(-1, 1, shape).astype(np.float32)


def f64(*shape):
    return RNG.uniform(-1, 1, shape)


def spd(n):
    a = RNG.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _flat(y):
    if isinstance(y, (list, tuple)):
        return [t for v in y for t in _flat(v)]
    if hasattr(y, "dense_shape"):
        return [y.indices, y.values, y.dense_shape]
    return [] if y is None else [y]


def _weighted_sum(outs):
    """sum(y * cos(position)) over the float outputs (real and imaginary parts), as float64:
    a scalar whose gradient reaches every output element with its own weight."""
    terms = []
    for y in outs:
        parts = [tfx.math.real(y), tfx.math.imag(y)] if y.dtype.is_complex else [y]
        for p in parts:
            if not p.dtype.is_floating:
                continue
            p = tfx.cast(p, tfx.float64)
            w = tfx.cos(tfx.cast(tfx.reshape(tfx.range(tfx.size(p)), tfx.shape(p)), tfx.float64))
            terms.append(tfx.reduce_sum(p * w))
    return tfx.add_n(terms)


def _run(fn, arrays, n_grad, device):
    with tfx.device(device):
        xs = [tfx.constant(a) for a in arrays]
        with tfx.GradientTape() as tape:
            for x in xs[:n_grad]:
                tape.watch(x)
            outs = _flat(fn(*xs))
            total = _weighted_sum(outs) if n_grad else None
        grads = tape.gradient(total, xs[:n_grad]) if n_grad else []
    return outs, list(grads)


def _check(fn, arrays, n_grad=1):
    want_out, want_grad = _run(fn, arrays, n_grad, "/CPU:0")
    got_out, got_grad = _run(fn, arrays, n_grad, "/GPU:0")
    assert len(got_out) == len(want_out) and len(got_grad) == len(want_grad)
    for what, got, want in (("output", got_out, want_out), ("gradient", got_grad, want_grad)):
        for i, (g, w) in enumerate(zip(got, want)):
            assert g is not None and w is not None, f"{what} {i}: no gradient"
            assert device_of(g._v) == "GPU", f"{what} {i} is a host array: {type(g._v)}"
            assert g.dtype == w.dtype and g.shape == w.shape, (what, i)
            gv, wv = g.numpy(), w.numpy()
            if gv.dtype.kind in "fc":
                np.testing.assert_allclose(gv, wv, rtol=1e-5, atol=1e-5, err_msg=f"{what} {i}")
            else:
                np.testing.assert_array_equal(gv, wv, err_msg=f"{what} {i}")


# ---- convolutions and pooling ------------------------------------------------------------------

def test_conv1d_2d_3d():
    nn = tfx.nn
    _check(lambda x, w: [nn.conv1d(x, w, 2, "SAME"), nn.conv1d(x, w, 1, "VALID", dilations=2),
                         nn.convolution(x, w, padding="SAME")], [f32(2, 9, 3), f32(3, 3, 4)], 2)
    _check(lambda x, w: [nn.conv2d(x, w, [1, 2, 2, 1], "SAME"),
                         nn.conv2d(x, w, 1, [[0, 0], [1, 2], [2, 1], [0, 0]]),
                         nn.conv2d(x, w, 1, "VALID", dilations=[1, 2, 2, 1])],
           [f32(2, 7, 6, 3), f32(3, 2, 3, 4)], 2)
    _check(lambda x, w: nn.conv3d(x, w, [1, 2, 1, 2, 1], "SAME"),
           [f32(1, 5, 4, 6, 2), f32(2, 3, 2, 2, 3)], 2)


def test_integer_conv2d():
    x = RNG.integers(-3, 4, (1, 5, 5, 2)).astype(np.int32)
    w = RNG.integers(-2, 3, (2, 2, 2, 3)).astype(np.int32)
    _check(lambda x, w: tfx.nn.conv2d(x, w, 1, "SAME"), [x, w], 0)


def test_transposed_convolutions():
    nn = tfx.nn
    _check(lambda dy, w: nn.conv1d_transpose(dy, w, [2, 9, 3], 2, "SAME"),
           [f32(2, 5, 4), f32(3, 3, 4)], 2)
    _check(lambda dy, w: [nn.conv2d_transpose(dy, w, [2, 7, 6, 3], 2, "SAME"),
                          nn.conv2d_transpose(dy, w, [2, 9, 7, 3], 2, "VALID")],
           [f32(2, 4, 3, 4), f32(3, 3, 3, 4)], 2)
    _check(lambda dy, w: nn.conv3d_transpose(dy, w, [1, 5, 4, 6, 2], [1, 2, 2, 2, 1], "SAME"),
           [f32(1, 3, 2, 3, 3), f32(2, 2, 2, 2, 3)], 2)


def test_depthwise_and_separable():
    nn = tfx.nn
    _check(lambda x, d: [nn.depthwise_conv2d(x, d, [1, 2, 2, 1], "SAME"),
                         nn.depthwise_conv2d(x, d, [1, 1, 1, 1], "VALID", dilations=[2, 2])],
           [f32(2, 6, 5, 3), f32(3, 3, 3, 2)], 2)
    _check(lambda x, d, p: nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "VALID"),
           [f32(2, 6, 5, 3), f32(3, 3, 3, 2), f32(1, 1, 6, 4)], 3)


def test_max_pooling():
    nn = tfx.nn
    _check(lambda a, b, c: [nn.max_pool1d(a, 3, 2, "SAME"),
                            nn.max_pool2d(b, [2, 3], [2, 1], "VALID"),
                            nn.max_pool2d(b, 3, 2, "SAME"), nn.max_pool3d(c, 2, 2, "SAME"),
                            nn.max_pool_with_argmax(b, 2, 2, "SAME")],
           [f32(2, 9, 3), f32(2, 7, 6, 3), f32(1, 5, 4, 3, 2)], 3)
    ints = RNG.integers(-9, 9, (2, 5, 5, 3)).astype(np.int32)
    _check(lambda x: nn.max_pool2d(x, 2, 2, "SAME"), [ints], 0)


def test_max_pool_ties_and_infinities_as_the_cpu():
    x = np.zeros((1, 4, 4, 1), np.float32)
    x[0, 1:3, 1:3, 0] = [[-np.inf, 2.0], [2.0, 2.0]]
    x[0, 3, 3, 0] = -np.inf
    _check(lambda v: tfx.nn.max_pool2d(v, 3, 1, "SAME"), [x])


def test_avg_pooling():
    nn = tfx.nn
    _check(lambda a, b, c: [nn.avg_pool1d(a, 3, 2, "SAME"),
                            nn.avg_pool2d(b, [2, 3], [2, 1], "VALID"),
                            nn.avg_pool2d(b, 3, 2, "SAME"), nn.avg_pool3d(c, 2, 1, "SAME"),
                            nn.pool(b, [2, 2], "AVG", [1, 1], "SAME")],
           [f32(2, 9, 3), f32(2, 7, 6, 3), f32(1, 5, 4, 3, 2)], 3)


def _window_config(rng, dilate):
    ksize = tuple(int(k) for k in rng.integers(1, 4, 3))
    dil = tuple(int(d) for d in rng.integers(1, 3, 3)) if dilate else (1, 1, 1)
    eff = [(k - 1) * d + 1 for k, d in zip(ksize, dil)]
    strides = tuple(int(s) for s in rng.integers(1, 3, 3))
    # Front and back padding each narrower than the window: every window meets the input
    pads = tuple(int(rng.integers(0, e)) for e in eff)
    back = [int(rng.integers(0, e)) for e in eff]
    sizes = tuple(int(max(1, e - p - q + int(rng.integers(0, 3)))) for e, p, q in
                  zip(eff, pads, back))
    out = tuple((d + p + q - e) // s + 1 for d, p, q, e, s in
                zip(sizes, pads, back, eff, strides))
    return ksize, dil, strides, pads, sizes, out


def test_gpu_pooling_kernels_match_the_numba_ones():
    """tfx.backend.gpu's max_pool and col2im (tfx.backend.kernels hands them GPU arrays)
    against the CPU's Numba kernels: windows cut by the padding, ties, -inf and NaN (the first
    maximum in window order wins)."""
    import cupy
    from tfx.backend import gpu, kernels
    rng = np.random.default_rng(3)
    for _ in range(16):
        ksize, _, strides, pads, sizes, out = _window_config(rng, False)
        x = rng.integers(-3, 3, (2,) + sizes + (3,)).astype(np.float32)  # many ties
        x.reshape(-1)[rng.integers(0, x.size, 3)] = [-np.inf, np.nan, np.inf]
        want = kernels.max_pool(x, ksize, strides, pads, out, True)
        got = kernels.max_pool(cupy.asarray(x), ksize, strides, pads, out, True)
        for g, w in zip(got, want):
            assert device_of(g) == "GPU"
            np.testing.assert_array_equal(g.get(), w)
        assert gpu.max_pool(cupy.asarray(x), ksize, strides, pads, out, False)[1].size == 0
    for _ in range(16):
        ksize, dil, strides, pads, sizes, out = _window_config(rng, True)
        cols = rng.standard_normal((2,) + out + ksize + (3,))
        got = kernels.col2im(cupy.asarray(cols), sizes, strides, dil, pads)
        assert device_of(got) == "GPU"
        np.testing.assert_allclose(got.get(), kernels.col2im(cols, sizes, strides, dil, pads),
                                   rtol=1e-12, atol=1e-12)


# ---- CTC ---------------------------------------------------------------------------------------

_LABELS = np.array([[1, 2, 2], [3, 1, 0], [1, 1, 1]], np.int32)


def test_ctc_loss_dense():
    # The last sequence cannot be aligned (1, 1, 1 needs five frames): TensorFlow's large
    # finite loss and its gradient, on both devices.
    nn = tfx.nn
    _check(lambda z: [nn.ctc_loss(_LABELS, z, [3, 2, 3], [5, 4, 3], blank_index=0),
                      nn.ctc_loss(_LABELS, z, [3, 2, 3], [5, 5, 5], blank_index=-1),
                      nn.ctc_loss(_LABELS, tfx.transpose(z, [1, 0, 2]), [3, 2, 2], [5, 4, 3],
                                  logits_time_major=False, blank_index=0)], [f32(5, 3, 5)])


def test_ctc_loss_sparse():
    def loss(z):
        sp = tfx.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1]], [1, 1, 2, 3, 1], [3, 2])
        return tfx.nn.ctc_loss(sp, z, None, [4, 2, 2], blank_index=0)  # the first: inf
    _check(loss, [f64(4, 3, 4)])


def test_ctc_decoders_and_label_helpers():
    nn = tfx.nn

    def decode(z, labels):
        (greedy,), g_score = nn.ctc_greedy_decoder(z, [6, 4, 5])
        beams, b_score = nn.ctc_beam_search_decoder(z, [6, 4, 5], beam_width=4, top_paths=2)
        return [greedy, g_score, beams, b_score, list(nn.collapse_repeated(labels, [3, 2, 3])),
                nn.ctc_unique_labels(labels)]
    _check(decode, [f32(6, 3, 4), _LABELS], 0)


# ---- matrix decompositions ---------------------------------------------------------------------

def test_svd_and_qr():
    la = tfx.linalg
    # Singular vectors and QR factors are unique up to signs, which LAPACK and cuSOLVER may
    # choose differently: compared (and differentiated) through their absolute values.
    _check(lambda a, w: [la.svd(a, compute_uv=False), tfx.abs(la.svd(a)[1]),
                         tfx.abs(la.svd(a)[2]), la.svd(w, compute_uv=False),
                         [tfx.abs(m) for m in la.qr(a)], [tfx.abs(m) for m in la.qr(w)],
                         la.pinv(a), la.matrix_rank(a)], [f64(2, 5, 3), f64(3, 5)], 2)


def test_lu_and_solves():
    la = tfx.linalg

    def lu_ops(a, b):
        lu, p = la.lu(a)
        return [lu, p, la.lu_solve(lu, p, b), la.lu_matrix_inverse(lu, p),
                la.lu_reconstruct(lu, p), la.solve(a, b), la.inv(a), la.det(a),
                la.slogdet(a), la.lstsq(a, b), la.lstsq(a, b, fast=False)]
    _check(lu_ops, [f64(2, 4, 4) + 2 * np.eye(4), f64(2, 4, 2)], 2)


def test_cholesky_and_eigh():
    la = tfx.linalg
    s = np.stack([spd(4), spd(4)])
    _check(lambda s: [la.cholesky(s), la.eigh(s)[0], tfx.abs(la.eigh(s)[1]), la.eigvalsh(s),
                      la.logdet(s)], [s])


def test_general_eig_and_matrix_functions():
    la = tfx.linalg
    a = f64(4, 4) + np.diag([1.0, 2.0, 3.0, 4.0])  # distinct eigenvalues
    c = (np.eye(3) + 0.1 * f64(3, 3) + 0.1j * f64(3, 3)).astype(np.complex128)
    _check(lambda a: [la.eig(a)[0], tfx.abs(la.eig(a)[1]), tfx.math.real(la.eigvals(a)),
                      la.sqrtm(tfx.matmul(a, a, transpose_b=True)), la.expm(0.3 * a)], [a])
    _check(lambda c: la.logm(c), [c], 0)


# ---- FFTs --------------------------------------------------------------------------------------

def test_irfft_and_rfft():
    sig = tfx.signal

    def ffts(re, im, x):
        z = tfx.complex(re, im)
        z2 = tfx.reshape(z, [2, 2, 3])
        return [sig.irfft(z), sig.irfft(z, [7]), sig.irfft2d(z2, [2, 4]),
                sig.irfft3d(tfx.reshape(z, [1, 2, 2, 3])), sig.rfft(x), sig.rfft2d(x, [3, 4]),
                sig.fft(z), sig.ifft2d(z2)]
    _check(ffts, [f64(4, 3), f64(4, 3), f64(3, 6)], 3)


# ---- scatters, segment reductions, scans -------------------------------------------------------
# NumPy ufunc methods CuPy lacks (subtract.at, multiply.at, logaddexp.accumulate) or has for
# fewer dtypes (add/maximum/minimum.at: CUDA's atomics): tfx.backend.gpu's forms.

_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
           np.float16, np.float32, np.float64]


def _values(dtype, shape):
    if np.dtype(dtype).kind == "f":
        return RNG.uniform(-2, 2, shape).astype(dtype)
    info = np.iinfo(dtype)  # the whole range: sums and products wrap around
    return RNG.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def test_gpu_scatters_match_numpy_ufunc_at():
    import cupy
    from tfx.backend import gpu
    index = RNG.integers(0, 5, 40)  # each row hit about 8 times
    for dtype in _DTYPES + [np.complex64, np.complex128, np.bool_]:
        if dtype in (np.complex64, np.complex128):
            out, vals = (_values(np.float64, s) + 1j * _values(np.float64, s)
                         for s in ((5, 3), (40, 3)))
            out, vals = out.astype(dtype), vals.astype(dtype)
        elif dtype is np.bool_:
            out, vals = RNG.random((5, 3)) < 0.3, RNG.random((40, 3)) < 0.3
        else:
            out, vals = _values(dtype, (5, 3)), _values(dtype, (40, 3))
        names = ["add", "multiply"] + (["maximum", "minimum"] if out.dtype.kind != "c" else [])
        for name in names:
            want = out.copy()
            getattr(np, name).at(want, index, vals)
            got = cupy.asarray(out)
            getattr(gpu, f"{name}_at")(got, cupy.asarray(index), cupy.asarray(vals))
            assert device_of(got) == "GPU" and got.dtype == want.dtype
            if want.dtype.kind in "fc":  # products in another order: last bits may differ
                np.testing.assert_allclose(got.get(), want, rtol=2e-3 if dtype is np.float16
                                           else 1e-6, err_msg=f"{name} {dtype}")
            else:
                np.testing.assert_array_equal(got.get(), want, err_msg=f"{name} {dtype}")


def test_tensor_scatter_sub_add_and_gather_gradient():
    idx = np.array([[0], [2], [0]], np.int32)  # row 0 twice: both updates count
    _check(lambda x, u, z: [tfx.tensor_scatter_nd_sub(x, idx, u),
                            tfx.tensor_scatter_nd_add(x, idx, u),
                            tfx.tensor_scatter_nd_sub(x, [[1, 2], [1, 2]], u[:2, 0]),
                            tfx.gather(z, [2, 0, 2], axis=1)],
           [f64(3, 4), f64(3, 4), f64(2, 3) + 1j * f64(2, 3)], 3)
    for dtype in _DTYPES + [np.complex64]:
        x = _values(dtype if dtype is not np.complex64 else np.float32, (3, 2)).astype(dtype)
        u = _values(dtype if dtype is not np.complex64 else np.float32, (3, 2)).astype(dtype)
        _check(lambda x, u: [tfx.tensor_scatter_nd_sub(x, idx, u),
                             tfx.tensor_scatter_nd_add(x, idx, u),
                             tfx.tensor_scatter_nd_max(x, idx, u),
                             tfx.tensor_scatter_nd_min(x, idx, u)]
               if dtype is not np.complex64 else [tfx.tensor_scatter_nd_sub(x, idx, u)],
               [x, u], 0)


def test_unsorted_segment_reductions():
    m = tfx.math
    ids = np.array([0, 2, 0, -1, 2, 2], np.int32)  # segments 1 and 3 empty; row 3 dropped
    x = f64(6, 3)
    x[4, 1] = 0.0  # the gradient of a product through its only zero
    _check(lambda x: [m.unsorted_segment_prod(x, ids, 4), m.unsorted_segment_sum(x, ids, 4),
                      m.unsorted_segment_max(x, ids, 4), m.unsorted_segment_min(x, ids, 4),
                      m.unsorted_segment_mean(x, ids, 4), m.segment_prod(x, [0, 0, 1, 3, 3, 3]),
                      m.unsorted_segment_prod(tfx.reshape(x[:, 0], [2, 3]),
                                              [[1, 1, 1], [0, 1, 1]], 2)], [x])
    for dtype in (np.int8, np.uint8, np.int16, np.int32, np.int64):  # wrapping around
        v = _values(dtype, (6, 2))
        _check(lambda v: [m.unsorted_segment_prod(v, ids, 4), m.unsorted_segment_sum(v, ids, 4),
                          m.unsorted_segment_max(v, ids, 4), m.unsorted_segment_min(v, ids, 4)],
               [v], 0)
    # float16 sums and products round at every step, in another order on the GPU (ulps
    # apart: test_gpu_scatters_match_numpy_ufunc_at); maxima and minima are exact
    _check(lambda v: [m.unsorted_segment_max(v, ids, 4), m.unsorted_segment_min(v, ids, 4)],
           [_values(np.float16, (6, 2))], 0)


def test_cumulative_logsumexp():
    cl = tfx.math.cumulative_logsumexp
    x = f64(7, 3) * 30.0  # far apart: a naive exp would overflow or underflow
    x[2, 1] = x[5, 1] = -np.inf
    x[:, 2] = -np.inf  # a column of log(0): stays -inf, gradient 0
    _check(lambda x: [cl(x), cl(x, exclusive=True), cl(x, reverse=True),
                      cl(x, 1, exclusive=True, reverse=True), cl(x[:, :2], 0, True, True)], [x])
    _check(lambda y: [cl(y), cl(y, 1, reverse=True)], [f32(2, 9)])


# ---- special functions -------------------------------------------------------------------------

def test_special_functions():
    sp = tfx.math.special
    funcs = [sp.bessel_j0, sp.bessel_j1, sp.bessel_y0, sp.bessel_y1, sp.bessel_k0, sp.bessel_k0e,
             sp.bessel_k1, sp.bessel_k1e, sp.bessel_i0, sp.bessel_i1e, sp.dawsn, sp.expint,
             sp.fresnel_cos, sp.fresnel_sin, sp.spence]
    x = RNG.uniform(0.2, 3.0, 6)
    _check(lambda x: [f(x) for f in funcs], [x])
    # Below zero: TensorFlow's inf / -inf / nan where SciPy's real functions stop
    _check(lambda x: [f(x) for f in funcs[:8] + [sp.expint]], [np.float32([-1.5, 0.5, 2.0])], 0)


# ---- index shuffles, boxes, edit distance, sampled-loss helpers --------------------------------

def test_dynamic_stitch_later_entries_win():
    # Index 2 comes twice: the later entry wins on both devices (CuPy's scatter alone would
    # write repeated indices in no set order).
    _check(lambda a, b: [tfx.dynamic_stitch([[0, 2], [2, 1, 3]], [a, b]),
                         tfx.dynamic_stitch([[[1, 0]], [2]], [a[None], b[:1]])],
           [f64(2, 3), f64(3, 3)], 2)


def test_edit_distance():
    def dist(hv, tv):
        h = tfx.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0]], hv, [3, 2])
        t = tfx.SparseTensor([[0, 0], [1, 0], [1, 1], [1, 2]], tv, [3, 3])
        return [tfx.edit_distance(h, t), tfx.edit_distance(h, t, normalize=False)]
    _check(dist, [np.int64([1, 2, 3, 4]), np.int64([1, 3, 5, 3])], 0)


_BOXES = np.concatenate([RNG.uniform(0, 0.6, (8, 2)), RNG.uniform(0.2, 0.4, (8, 2))], 1)
_BOXES[:, 2:] += _BOXES[:, :2]


def test_non_max_suppression_variants_and_drawing():
    im = tfx.image

    def boxes_ops(boxes, scores, overlaps, images):
        return [im.non_max_suppression(boxes, scores, 5, 0.3),
                im.non_max_suppression(boxes, scores, 5, 0.3, score_threshold=0.4),
                list(im.non_max_suppression_with_scores(boxes, scores, 6, 0.3,
                                                        soft_nms_sigma=0.5)),
                im.non_max_suppression_overlaps(overlaps, scores, 4, 0.2),
                im.non_max_suppression_padded(boxes, scores, 6, 0.3,
                                              pad_to_max_output_size=True)[0],
                list(im.combined_non_max_suppression(tfx.reshape(boxes, [2, 4, 1, 4]),
                                                     tfx.reshape(scores, [2, 4, 1]) * [1, 0.5],
                                                     3, 4, 0.3)),
                im.draw_bounding_boxes(images, tfx.reshape(boxes, [2, 4, 4]),
                                       [[1.0, 0.0, 0.0, 1.0], [0.0, 0.5, 1.0, 1.0]])]
    _check(boxes_ops, [_BOXES.astype(np.float32), RNG.uniform(0, 1, 8).astype(np.float32),
                       RNG.uniform(0, 1, (8, 8)).astype(np.float32), f32(2, 9, 7, 3)], 0)


def test_compute_accidental_hits():
    labels = np.int64([[1, 5], [3, 1], [7, 7], [9, 2]])
    _check(lambda lab, s: [list(tfx.nn.compute_accidental_hits(lab, s, 2)),
                           list(tfx.nn.compute_accidental_hits(lab, s[:0], 2))],
           [labels, np.int64([1, 7, 3, 1, 8])], 0)
