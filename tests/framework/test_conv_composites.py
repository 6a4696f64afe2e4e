"""tfx.conv, conv2d_backprop_filter_v2/input_v2 and extract_volume_patches against
TensorFlow; gradients against central differences in float64."""
import numpy as np
import pytest

import tfx
from gradcheck import check_grads

RNG = np.random.default_rng(2)
X = RNG.standard_normal((2, 5, 6, 4))
W = RNG.standard_normal((3, 3, 4, 6))


@pytest.mark.parametrize("kw", [
    dict(strides=[1, 1, 1, 1], padding="SAME"),
    dict(strides=[1, 2, 1, 1], padding="EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 1, 0, 0],
         dilations=[1, 1, 2, 1]),
    dict(strides=[1, 2, 3, 1], padding="VALID"),
])
def test_conv_2d_matches_tensorflow(kw):
    tf = pytest.importorskip("tensorflow")
    got = tfx.conv(tfx.constant(X), tfx.constant(W), **kw)
    np.testing.assert_allclose(got.numpy(), tf.conv(X, W, **kw).numpy(), rtol=1e-10,
                               atol=1e-12)


def test_conv_3d_batch_dims_and_layouts():
    tf = pytest.importorskip("tensorflow")
    x3 = RNG.standard_normal((2, 4, 5, 6, 3))
    w3 = RNG.standard_normal((2, 2, 2, 3, 4))
    np.testing.assert_allclose(tfx.conv(x3, w3, [1, 1, 2, 1, 1], "SAME").numpy(),
                               tf.conv(x3, w3, [1, 1, 2, 1, 1], "SAME").numpy(), rtol=1e-10)
    x5 = RNG.standard_normal((2, 3, 5, 6, 4))
    np.testing.assert_allclose(tfx.conv(x5, W, [1, 1, 1, 1], "VALID", batch_dims=2).numpy(),
                               tf.conv(x5, W, [1, 1, 1, 1], "VALID", batch_dims=2).numpy(),
                               rtol=1e-10)
    first = tfx.conv(X.transpose(0, 3, 1, 2), W, [1, 1, 1, 1], "SAME",
                     data_format="CHANNELS_FIRST")
    np.testing.assert_allclose(first.numpy().transpose(0, 2, 3, 1),
                               tf.nn.conv2d(X, W, 1, "SAME").numpy(), rtol=1e-10)
    # groups: each group of input channels meets its own group of filters
    grouped = tfx.conv(X, W[:, :, :2], [1, 1, 1, 1], "VALID", groups=2).numpy()
    parts = [tf.nn.conv2d(X[..., 2 * g:2 * g + 2], W[:, :, :2, 3 * g:3 * g + 3], 1,
                          "VALID").numpy() for g in range(2)]
    np.testing.assert_allclose(grouped, np.concatenate(parts, -1), rtol=1e-10)


def test_conv_errors_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x, w = X.astype(np.float32), W.astype(np.float32)
    for call in [lambda m: m.conv(x, w, [2, 1, 1, 1], "SAME"),
                 lambda m: m.conv(x, w[:, :, :3], [1, 1, 1, 1], "SAME"),
                 lambda m: m.conv(x, w, [1, 1, 1], "SAME"),
                 lambda m: m.conv(x[:, 0], w[0], [1, 1, 1], "VALID")]:
        with pytest.raises(tf.errors.InvalidArgumentError) as theirs:
            call(tf)
        with pytest.raises(tfx.errors.InvalidArgumentError) as ours:
            call(tfx)
        assert str(ours.value) in str(theirs.value)


def test_conv_gradients():
    check_grads(lambda x, w: tfx.conv(x, w, [1, 2, 1, 1], "SAME", groups=2),
                X[:1, :4, :4], W[:2, :2, :2, :4], rtol=1e-5)


@pytest.mark.parametrize("fmt,strides,padding", [("NHWC", [1, 2, 2, 1], "SAME"),
                                                 ("NHWC", [1, 1, 2, 1], "VALID"),
                                                 ("NCHW", [1, 1, 2, 1], "SAME")])
def test_backprops_match_tensorflows_v1_kernels(fmt, strides, padding):
    tf = pytest.importorskip("tensorflow")
    x = X if fmt == "NHWC" else X.transpose(0, 3, 1, 2)
    dy = tfx.nn.conv2d(X, W, [strides[i] for i in ((0, 1, 2, 3) if fmt == "NHWC" else
                                                    (0, 2, 3, 1))], padding)
    dy = dy.numpy() if fmt == "NHWC" else dy.numpy().transpose(0, 3, 1, 2)
    dy = RNG.standard_normal(dy.shape)
    got_w = tfx.conv2d_backprop_filter_v2(x, W, dy, strides, padding, data_format=fmt)
    got_x = tfx.conv2d_backprop_input_v2(x, W, dy, strides, padding, data_format=fmt)
    if fmt == "NCHW":  # TensorFlow's CPU kernels take NHWC only: compare there
        x, dy, strides = X, dy.transpose(0, 2, 3, 1), [strides[i] for i in (0, 2, 3, 1)]
        got_x = tfx.transpose(got_x, [0, 2, 3, 1])
    want_w = tf.compat.v1.nn.conv2d_backprop_filter(x, W.shape, dy, strides, padding)
    want_x = tf.compat.v1.nn.conv2d_backprop_input(x.shape, W, dy, strides, padding)
    np.testing.assert_allclose(got_w.numpy(), want_w.numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(got_x.numpy(), want_x.numpy(), rtol=1e-9, atol=1e-10)


def test_backprop_gradients():
    x, w = X[:1, :4, :4, :2], W[:2, :2, :2, :3]
    dy = RNG.standard_normal((1, 2, 2, 3))
    check_grads(lambda a, g: tfx.conv2d_backprop_filter_v2(a, w, g, [1, 2, 2, 1], "SAME"),
                x, dy, rtol=1e-5)
    check_grads(lambda b, g: tfx.conv2d_backprop_input_v2(x, b, g, [1, 2, 2, 1], "SAME"),
                w, dy, rtol=1e-5)


@pytest.mark.parametrize("ks,ss,padding", [([1, 2, 3, 2, 1], [1, 1, 2, 3, 1], "SAME"),
                                           ([1, 2, 3, 2, 1], [1, 1, 2, 3, 1], "VALID"),
                                           ([1, 1, 1, 1, 1], [1, 2, 2, 2, 1], "SAME"),
                                           ([1, 3, 2, 4, 1], [1, 2, 1, 1, 1], "SAME")])
def test_extract_volume_patches_matches_tensorflow(ks, ss, padding):
    tf = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((2, 4, 5, 6, 3)).astype(np.float32)
    got = tfx.extract_volume_patches(x, ks, ss, padding)
    np.testing.assert_array_equal(got.numpy(), tf.extract_volume_patches(x, ks, ss,
                                                                         padding).numpy())


def test_extract_volume_patches_gradient_and_errors():
    x = RNG.standard_normal((1, 3, 3, 4, 2))
    check_grads(lambda v: tfx.extract_volume_patches(v, [1, 2, 2, 2, 1], [1, 1, 2, 1, 1],
                                                     "SAME"), x)
    with pytest.raises(tfx.errors.UnimplementedError, match="ksizes across space"):
        tfx.extract_volume_patches(x, [2, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(tfx.errors.InvalidArgumentError, match="must be 5-dimensional"):
        tfx.extract_volume_patches(x[0], [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(tfx.errors.InvalidArgumentError, match="would be negative"):
        tfx.extract_volume_patches(x, [1, 9, 2, 2, 1], [1, 1, 1, 1, 1], "VALID")
