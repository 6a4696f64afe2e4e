"""Each Numba kernel against its NumPy reference (float32 and float64)."""
import itertools
import math

import numpy as np
import pytest

from tfx.backend import kernels

rng = np.random.default_rng(3)
FLOATS = [np.float32, np.float64]


def _tol(dtype):
    return dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", FLOATS + [np.float16])
def test_elementwise(dtype):
    x = (rng.standard_normal(1000) * 3).astype(dtype)
    wide = x.astype(np.float64)
    erf = kernels.erf(x)
    assert erf.dtype == dtype
    np.testing.assert_allclose(erf, np.vectorize(math.erf)(wide), rtol=2e-3 if dtype ==
                               np.float16 else 1e-6)
    gelu = kernels.gelu_tanh(x)
    ref = 0.5 * wide * (1 + np.tanh(np.sqrt(2 / np.pi) * (wide + 0.044715 * wide ** 3)))
    assert gelu.dtype == dtype
    tol = dict(rtol=2e-3, atol=2e-3) if dtype == np.float16 else _tol(dtype)
    np.testing.assert_allclose(gelu, ref, **tol)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_xent(dtype):
    logits = (rng.standard_normal((16, 7)) * 4).astype(dtype)
    labels = rng.dirichlet(np.ones(7), 16).astype(dtype)
    shifted = logits - logits.max(1, keepdims=True)
    softmax = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(1, keepdims=True))
    loss, backprop = kernels.softmax_xent(labels, logits)
    np.testing.assert_allclose(loss, (labels * (lse - shifted)).sum(1), **_tol(dtype))
    np.testing.assert_allclose(backprop, softmax - labels, **_tol(dtype))
    ids = rng.integers(0, 7, 16)
    loss, backprop = kernels.sparse_softmax_xent(ids, logits)
    rows = np.arange(16)
    np.testing.assert_allclose(loss, (lse[:, 0] - shifted[rows, ids]), **_tol(dtype))
    np.testing.assert_allclose(backprop, softmax - np.eye(7)[ids], **_tol(dtype))


def _windows(out, ksize, strides, pads, sizes, dilations=(1, 1, 1)):
    """(output index, offset index, input index) for every in-bounds window position."""
    for o in itertools.product(*(range(n) for n in out)):
        for k in itertools.product(*(range(n) for n in ksize)):
            i = tuple(a * s + b * d - p for a, b, s, d, p in zip(o, k, strides, dilations, pads))
            if all(0 <= v < n for v, n in zip(i, sizes)):
                yield o, k, i


@pytest.mark.parametrize("dtype", FLOATS + [np.int32])
def test_max_pool(dtype):
    x = (rng.standard_normal((2, 3, 5, 6, 2)) * 10).astype(dtype)
    ksize, strides, pads, out = (2, 3, 2), (1, 2, 2), (0, 1, 0), (2, 3, 3)
    got, arg = kernels.max_pool(x, ksize, strides, pads, out, True)
    ref = np.full((2,) + out + (2,), -np.inf)
    ref_arg = np.zeros(ref.shape, np.int64)
    flat = np.arange(x.size).reshape(x.shape)
    for o, _, i in _windows(out, ksize, strides, pads, x.shape[1:4]):
        for b, c in itertools.product(range(2), range(2)):
            if x[(b,) + i + (c,)] > ref[(b,) + o + (c,)]:
                ref[(b,) + o + (c,)] = x[(b,) + i + (c,)]
                ref_arg[(b,) + o + (c,)] = flat[(b,) + i + (c,)]
    np.testing.assert_array_equal(got, ref.astype(dtype))
    np.testing.assert_array_equal(arg, ref_arg)
    again, none = kernels.max_pool(x, ksize, strides, pads, out, False)
    np.testing.assert_array_equal(again, got)
    assert none.size == 0


@pytest.mark.parametrize("dtype", FLOATS)
def test_scatter_add(dtype):
    index = rng.integers(0, 50, 400)
    values = rng.standard_normal(400).astype(dtype)
    ref = np.zeros(50, dtype)
    np.add.at(ref, index, values)
    np.testing.assert_allclose(kernels.scatter_add(50, index, values), ref, **_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_col2im(dtype):
    sizes, ksize, strides, dil, pads, out = (3, 6, 7), (2, 2, 3), (1, 2, 2), (1, 2, 1), \
        (0, 1, 1), (2, 3, 4)
    cols = rng.standard_normal((2,) + out + ksize + (3,)).astype(dtype)
    ref = np.zeros((2,) + sizes + (3,), dtype)
    for o, k, i in _windows(out, ksize, strides, pads, sizes, dil):
        ref[(slice(None),) + i] += cols[(slice(None),) + o + k]
    np.testing.assert_allclose(kernels.col2im(cols, sizes, strides, dil, pads), ref,
                               **_tol(dtype))
    # Broadcast (zero-stride) views work too: average pooling spreads through them.
    spread = np.broadcast_to(cols[:, :, :, :, :1, :1, :1], cols.shape)
    np.testing.assert_allclose(kernels.col2im(spread, sizes, strides, dil, pads),
                               kernels.col2im(np.ascontiguousarray(spread), sizes, strides, dil,
                                              pads), **_tol(dtype))


def test_widen():
    assert kernels.widen(np.ones(2, np.float16)).dtype == np.float32
    for dtype in (np.float32, np.float64, np.int16, np.uint16):
        a = np.ones(2, dtype)
        assert kernels.widen(a) is a
