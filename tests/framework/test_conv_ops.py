"""tfx.nn convolutions and pooling: values against direct NumPy loops (and TensorFlow where
installed), gradients and second derivatives against central differences in float64."""
import os

import numpy as np
import pytest

import tfx as tf
from gradcheck import check_grads, check_second, tape_grads

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
rng = np.random.default_rng(7)


@pytest.fixture(scope="module")
def real_tf():
    return pytest.importorskip("tensorflow")


# ---- NumPy references: plain loops over output positions and window offsets --------------------

def _geometry(sizes, ksize, strides, dilations, padding):
    out, pads = [], []
    for i, (size, k, s, d) in enumerate(zip(sizes, ksize, strides, dilations)):
        eff = (k - 1) * d + 1
        if padding == "SAME":
            o = -(-size // s)
            total = max((o - 1) * s + eff - size, 0)
            pad = (total // 2, total - total // 2)
        elif padding == "VALID":
            o, pad = (size - eff) // s + 1, (0, 0)
        else:
            pad = tuple(padding[1 + i])
            o = (size + sum(pad) - eff) // s + 1
        out.append(o)
        pads.append(pad)
    return out, pads


def np_conv(x, w, strides, padding, dilations, depthwise=False):
    n = x.ndim - 2
    ksize = w.shape[:n]
    out, pads = _geometry(x.shape[1:-1], ksize, strides, dilations, padding)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    c = x.shape[-1]
    cout = c * w.shape[-1] if depthwise else w.shape[-1]
    y = np.zeros([x.shape[0]] + out + [cout], dtype=np.result_type(x, w))
    for o in np.ndindex(*out):
        for k in np.ndindex(*ksize):
            idx = tuple(oi * s + ki * d for oi, ki, s, d in zip(o, k, strides, dilations))
            patch = xp[(slice(None),) + idx]
            if depthwise:
                y[(slice(None),) + o] += (patch[:, :, None] * w[k]).reshape(len(x), -1)
            else:
                y[(slice(None),) + o] += patch @ w[k]
    return y


def np_pool(x, ksize, strides, padding, kind):
    n = x.ndim - 2
    out, pads = _geometry(x.shape[1:-1], ksize, strides, (1,) * n, padding)
    y = np.zeros([x.shape[0]] + out + [x.shape[-1]], dtype=x.dtype)
    for o in np.ndindex(*out):
        lo = [oi * s - p[0] for oi, s, p in zip(o, strides, pads)]
        window = tuple(slice(max(a, 0), min(a + k, size))
                       for a, k, size in zip(lo, ksize, x.shape[1:-1]))
        patch = x[(slice(None),) + window + (slice(None),)]
        axes = tuple(range(1, n + 1))
        y[(slice(None),) + o] = patch.max(axes) if kind == "max" else patch.mean(axes)
    return y


# ---- convolution -------------------------------------------------------------------------------

CONVS = [
    # (x shape, w shape, strides, padding, dilations)
    ((2, 9, 3), (3, 3, 4), 1, "SAME", 1),
    ((2, 10, 3), (4, 3, 2), 3, "VALID", 1),
    ((1, 11, 2), (3, 2, 2), 1, "SAME", 2),
    ((2, 7, 8, 3), (3, 3, 3, 4), 1, "SAME", 1),
    ((2, 7, 8, 3), (3, 2, 3, 4), 2, "SAME", 1),
    ((1, 9, 9, 2), (3, 3, 2, 3), [2, 1], "VALID", 1),
    ((1, 9, 10, 2), (3, 3, 2, 2), 1, "SAME", [2, 3]),
    ((1, 9, 9, 2), (2, 2, 2, 2), 2, "VALID", 2),
    ((1, 6, 6, 2), (3, 3, 2, 2), 1, [[0, 0], [1, 2], [0, 1], [0, 0]], 1),
    ((1, 5, 5, 4), (1, 1, 4, 3), 1, "VALID", 1),
    ((1, 4, 5, 6, 2), (2, 3, 2, 2, 3), [1, 2, 1], "SAME", 1),
]


def _conv_call(x, w, strides, padding, dilations):
    return tf.nn.convolution(x, w, strides, padding, dilations=dilations)


@pytest.mark.parametrize("case", CONVS, ids=lambda c: f"{len(c[0]) - 2}d")
def test_conv_values(case):
    xs, ws, strides, padding, dilations = case
    n = len(xs) - 2
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    expand = lambda v: (v,) * n if isinstance(v, int) else tuple(v)  # noqa: E731
    ref = np_conv(x, w, expand(strides), padding, expand(dilations))
    got = {1: tf.nn.conv1d, 2: tf.nn.conv2d, 3: tf.nn.conv3d}[n](
        x, w, strides, padding, dilations=dilations)
    assert got.dtype is tf.float64
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12, atol=1e-12)
    got32 = _conv_call(x.astype(np.float32), w.astype(np.float32), strides, padding, dilations)
    assert got32.dtype is tf.float32
    np.testing.assert_allclose(got32.numpy(), ref, rtol=1e-4, atol=1e-4)


def _tf_conv(real_tf, x, w, strides, padding, dilations):
    if len(x.shape) == 4:  # the only rank whose TF op takes explicit padding
        return real_tf.nn.conv2d(x, w, strides, padding, dilations=dilations)
    if len(x.shape) == 5:  # TF's convolution() has no gradient for 3-D
        five = lambda v: [1] + list(_expand(v, 3)) + [1]  # noqa: E731
        return real_tf.nn.conv3d(x, w, five(strides), padding, dilations=five(dilations))
    return real_tf.nn.convolution(x, w, strides, padding, dilations=dilations)


@pytest.mark.parametrize("case", CONVS, ids=lambda c: f"{len(c[0]) - 2}d")
def test_conv_matches_tensorflow(case, real_tf):
    xs, ws, strides, padding, dilations = case
    x = real_tf.constant(rng.standard_normal(xs).astype(np.float32))
    w = real_tf.constant(rng.standard_normal(ws).astype(np.float32))
    up = real_tf.constant(rng.standard_normal(
        _conv_call(x.numpy(), w.numpy(), strides, padding, dilations).shape).astype(np.float32))
    with real_tf.GradientTape() as tape:
        tape.watch([x, w])
        want = _tf_conv(real_tf, x, w, strides, padding, dilations)
        loss = real_tf.reduce_sum(want * up)
    got = _conv_call(x.numpy(), w.numpy(), strides, padding, dilations)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)
    mine = tape_grads(lambda a, b: tf.reduce_sum(_conv_call(a, b, strides, padding, dilations)
                                                 * up.numpy()), [x.numpy(), w.numpy()])
    for a, b in zip(mine, tape.gradient(loss, [x, w])):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-4)


GRAD_CONVS = [CONVS[0], CONVS[1], CONVS[4], CONVS[6], CONVS[7], CONVS[8],
              ((1, 3, 3, 4, 2), (2, 2, 2, 2, 2), [1, 2, 1], "SAME", 1)]


@pytest.mark.parametrize("case", GRAD_CONVS, ids=lambda c: f"{len(c[0]) - 2}d")
def test_conv_gradients(case):
    xs, ws, strides, padding, dilations = case
    x = rng.standard_normal((1,) + tuple(min(s, 6) for s in xs[1:]))
    w = rng.standard_normal(ws)
    f = lambda a, b: _conv_call(a, b, strides, padding, dilations)  # noqa: E731
    check_grads(f, x, w)
    check_second(f, x, w)


def test_conv_third_order():
    # Each of the trio's gradients is built from the other two: orders beyond two come free.
    x, w = rng.standard_normal((1, 4, 4, 2)), rng.standard_normal((2, 2, 2, 2))
    conv = lambda a, b: tf.nn.conv2d(a, b, 2, "SAME")  # noqa: E731
    from gradcheck import grad_dot
    check_second(grad_dot(conv, [x, w], [0, 1]), x, w, rtol=1e-5, atol=1e-6)


def test_depthwise_conv2d(real_tf):
    x, w = rng.standard_normal((2, 7, 6, 3)), rng.standard_normal((3, 2, 3, 2))
    for strides, padding, dil in (([1, 1, 1, 1], "SAME", None), ([1, 2, 2, 1], "VALID", None),
                                  ([1, 1, 1, 1], "SAME", [2, 2])):
        d = (1, 1) if dil is None else tuple(dil)
        got = tf.nn.depthwise_conv2d(x, w, strides, padding, dilations=dil)
        ref = np_conv(x, w, tuple(strides[1:3]), padding, d, depthwise=True)
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12, atol=1e-12)
        want = real_tf.nn.depthwise_conv2d(x.astype(np.float32), w.astype(np.float32), strides,
                                           padding, dilations=dil)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)
        f = lambda a, b: tf.nn.depthwise_conv2d(a, b, strides, padding, dilations=dil)  # noqa
        check_grads(f, x[:1, :5, :5], w)
    check_second(lambda a, b: tf.nn.depthwise_conv2d(a, b, [1, 2, 2, 1], "SAME"),
                 x[:1, :4, :4], w[:2, :2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="same depth"):
        tf.nn.depthwise_conv2d(tf.ones([1, 8, 8, 4]), tf.ones([2, 2, 3, 3]), [1, 1, 1, 1], "SAME")


def test_conv_transpose(real_tf):
    dy, w = rng.standard_normal((2, 3, 3, 4)), rng.standard_normal((3, 3, 5, 4))
    for out, strides, padding in (((2, 6, 6, 5), 2, "SAME"), ((2, 7, 7, 5), 2, "VALID"),
                                  ((2, 5, 5, 5), 2, "SAME")):
        got = tf.nn.conv2d_transpose(dy, w, out, strides, padding)
        want = real_tf.nn.conv2d_transpose(dy, w, out, strides, padding)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
        # It is conv2d's input gradient.
        x = rng.standard_normal(out)
        (g,) = tape_grads(lambda a: tf.reduce_sum(tf.nn.conv2d(a, w, strides, padding) * dy),
                          [x])
        np.testing.assert_allclose(got.numpy(), g, rtol=1e-12, atol=1e-12)
    f = lambda a, b: tf.nn.conv2d_transpose(a, b, (1, 5, 5, 5), 2, "SAME")  # noqa: E731
    check_grads(f, dy[:1], w[:2, :2])
    check_second(f, dy[:1], w[:2, :2])
    y1 = tf.nn.conv1d_transpose(dy[:, 0], w[0], (2, 6, 5), 2)
    np.testing.assert_allclose(y1.numpy(), real_tf.nn.conv1d_transpose(
        dy[:, 0], w[0], (2, 6, 5), 2).numpy(), rtol=1e-12, atol=1e-12)
    y3 = tf.nn.conv3d_transpose(dy[:, None], w[None], (2, 1, 6, 6, 5), [1, 2, 2])
    np.testing.assert_allclose(y3.numpy(), real_tf.nn.conv3d_transpose(
        dy[:, None], w[None], (2, 1, 6, 6, 5), [1, 1, 2, 2, 1]).numpy(), rtol=1e-12,
        atol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match="doesn't match"):
        tf.nn.conv2d_transpose(dy, w, (2, 9, 9, 5), 2, "SAME")


def test_conv_dtypes():
    x = rng.integers(-3, 4, (1, 5, 5, 2)).astype(np.int32)
    w = rng.integers(-3, 4, (2, 2, 2, 3)).astype(np.int32)
    got = tf.nn.conv2d(x, w, 1, "SAME")
    assert got.dtype is tf.int32
    np.testing.assert_array_equal(got.numpy(), np_conv(x, w, (1, 1), "SAME", (1, 1)))
    half = tf.nn.conv2d(x.astype(np.float16), w.astype(np.float16), 1, "SAME")
    assert half.dtype is tf.float16
    np.testing.assert_allclose(half.numpy(), got.numpy(), rtol=1e-3)


def test_conv_errors():
    x, w = tf.ones([1, 3, 4, 4]), tf.ones([2, 2, 4, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be 4-dimensional"):
        tf.nn.conv2d(tf.ones([3, 4, 4]), w, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="filter must be 4-dimensional"):
        tf.nn.conv2d(x, tf.ones([2, 4, 1]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divisible"):
        tf.nn.conv2d(x, tf.ones([2, 2, 3, 1]), 1, "VALID")
    with pytest.raises(tf.errors.UnimplementedError):
        tf.nn.conv2d(x, tf.ones([2, 2, 2, 1]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.conv2d(x, tf.ones([2, 2, 4, 1], tf.float64), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.conv2d(tf.ones([1, 3, 4, 4], tf.int64), tf.ones([2, 2, 4, 1], tf.int64), 1, "SAME")
    for bad in ("FOO", "same"):
        with pytest.raises(tf.errors.InvalidArgumentError, match="padding"):
            tf.nn.conv2d(x, w, 1, bad)
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative"):
        tf.nn.conv2d(x, tf.ones([5, 2, 4, 1]), 1, "VALID")
    with pytest.raises(tf.errors.UnimplementedError, match="NHWC"):
        tf.nn.conv2d(x, w, 1, "SAME", data_format="NCHW")
    with pytest.raises(tf.errors.UnimplementedError):
        tf.nn.conv2d(x, w, [2, 2, 3, 1], "VALID")
    with pytest.raises(ValueError, match="length"):
        tf.nn.conv2d(x, w, [1, 2, 3], "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be 3-dimensional"):
        tf.nn.conv1d(tf.ones([8, 4]), tf.ones([2, 4, 3]), 2, "SAME")
    assert tf.nn.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 1, 1]), 2, "VALID").shape == \
        [1, 0, 0, 1]


# ---- pooling -----------------------------------------------------------------------------------

POOLS = [
    # (x shape, ksize, strides, padding)
    ((2, 9, 3), 2, 2, "VALID"),
    ((2, 9, 3), 3, 2, "SAME"),
    ((2, 7, 8, 3), 2, 2, "SAME"),
    ((2, 7, 8, 3), 3, 2, "VALID"),
    ((1, 7, 7, 2), [3, 2], [1, 2], "SAME"),
    ((1, 6, 6, 1), 3, 1, "SAME"),
    ((1, 4, 5, 6, 2), 2, [1, 2, 2], "SAME"),
]
_POOL_FNS = {("max", 1): "max_pool1d", ("max", 2): "max_pool2d", ("max", 3): "max_pool3d",
             ("avg", 1): "avg_pool1d", ("avg", 2): "avg_pool2d", ("avg", 3): "avg_pool3d"}


def _expand(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{len(c[0]) - 2}d")
def test_pool_values(case, kind):
    xs, k, s, padding = case
    n = len(xs) - 2
    for dtype in (np.float64, np.float32):
        x = rng.standard_normal(xs).astype(dtype)
        ref = np_pool(x.astype(np.float64), _expand(k, n), _expand(s, n), padding, kind)
        for fn in (getattr(tf.nn, _POOL_FNS[kind, n]), getattr(tf.nn, f"{kind}_pool")):
            got = fn(x, k, s, padding)
            assert got.dtype is tf.as_dtype(dtype)
            np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOLS, ids=lambda c: f"{len(c[0]) - 2}d")
def test_pool_matches_tensorflow(case, kind, real_tf):
    xs, k, s, padding = case
    x = real_tf.constant(rng.standard_normal(xs).astype(np.float32))
    with real_tf.GradientTape() as tape:
        tape.watch(x)
        fmt = {3: "NWC", 4: "NHWC", 5: "NDHWC"}[len(xs)]  # TF's 3-D gradient needs it named
        want = getattr(real_tf.nn, f"{kind}_pool")(x, k, s, padding, data_format=fmt)
        loss = real_tf.reduce_sum(want * want)
    got = getattr(tf.nn, f"{kind}_pool")(x.numpy(), k, s, padding)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    (g,) = tape_grads(lambda v: tf.reduce_sum(getattr(tf.nn, f"{kind}_pool")(v, k, s, padding)
                                              ** 2), [x.numpy()])
    np.testing.assert_allclose(g, tape.gradient(loss, x).numpy(), rtol=1e-5, atol=1e-6)


def test_max_pool_ties_follow_tensorflow(real_tf):
    x = np.ones((1, 4, 5, 2), np.float32)
    x[0, 1:3, 1:3] = 2
    for k, s, padding in ((2, 1, "SAME"), (3, 2, "VALID"), (2, 2, "SAME")):
        tx = real_tf.constant(x)
        with real_tf.GradientTape() as tape:
            tape.watch(tx)
            y = real_tf.nn.max_pool2d(tx, k, s, padding)
        (g,) = tape_grads(lambda v: tf.reduce_sum(tf.nn.max_pool2d(v, k, s, padding)), [x])
        np.testing.assert_array_equal(g, tape.gradient(y, tx).numpy())


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", [POOLS[1], POOLS[3], POOLS[4], POOLS[6]],
                         ids=lambda c: f"{len(c[0]) - 2}d")
def test_pool_gradients(case, kind):
    xs, k, s, padding = case
    x = rng.standard_normal((1,) + xs[1:])
    f = lambda v: getattr(tf.nn, f"{kind}_pool")(v, k, s, padding)  # noqa: E731
    check_grads(f, x)
    check_second(f, x)  # zero: both poolings are piecewise linear in x
    # Through the gradient's own gradient: d/dg of the input gradient (scatter <-> gather,
    # spread <-> average), first and second order.
    y_shape = f(tf.constant(x)).shape.as_list()

    def input_grad(v, up):
        with tf.GradientTape() as tape:
            tape.watch(v)
            y = f(v)
        return tape.gradient(y, v, output_gradients=up)

    up = rng.standard_normal(y_shape)
    check_grads(input_grad, x, up, wrt=[1])
    check_second(input_grad, x, up, wrt=[1], of=[1])


def test_pool_dtypes_and_errors():
    x = rng.integers(0, 200, (1, 4, 4, 2))
    for dtype in (np.int32, np.uint8):
        got = tf.nn.max_pool2d(x.astype(dtype), 2, 2, "SAME")
        assert got.dtype is tf.as_dtype(dtype)
        np.testing.assert_array_equal(got.numpy(), np_pool(x, (2, 2), (2, 2), "SAME", "max"))
    half = tf.nn.avg_pool2d(x.astype(np.float16), 2, 2, "SAME")
    assert half.dtype is tf.float16
    np.testing.assert_allclose(half.numpy(), np_pool(x * 1.0, (2, 2), (2, 2), "SAME", "avg"),
                               rtol=1e-3)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.avg_pool2d(x.astype(np.int32), 2, 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="4-dimensional"):
        tf.nn.max_pool2d(tf.ones([8, 4, 3]), 2, 2, "SAME")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        tf.nn.max_pool2d(tf.ones([1, 4, 4, 1]), [2, 2, 2], 1, "VALID")
    with pytest.raises(tf.errors.UnimplementedError):
        tf.nn.max_pool2d(tf.ones([1, 4, 4, 1]), [2, 2, 2, 1], 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="padding"):
        tf.nn.max_pool2d(tf.ones([1, 4, 4, 1]), 2, 1, "same")
    with pytest.raises(ValueError, match="rank"):
        tf.nn.max_pool(tf.ones([4, 4]), 2, 1, "SAME")
    assert tf.nn.max_pool2d(tf.ones([1, 2, 2, 3]), 3, 1, "VALID").shape == [1, 0, 0, 3]


def test_max_pool_same_with_and_without_tape():
    # Under a tape the forward also records argmaxes; the values must not change.
    x = rng.standard_normal((2, 6, 6, 3))
    plain = tf.nn.max_pool2d(x, 2, 2, "SAME").numpy()
    with tf.GradientTape() as tape:
        t = tf.constant(x)
        tape.watch(t)
        taped = tf.nn.max_pool2d(t, 2, 2, "SAME").numpy()
    np.testing.assert_array_equal(plain, taped)
