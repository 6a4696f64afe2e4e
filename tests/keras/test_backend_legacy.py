"""The legacy tf.keras.backend functions (convolutions, pooling, padding, resizing, CTC, rnn,
updates) against TensorFlow's tf.keras.backend on the same inputs."""
import numpy as np
import pytest

import tfx

K = tfx.keras.backend
RNG = np.random.RandomState(0)


def test_by_hand():
    np.testing.assert_allclose(K.hard_sigmoid(tfx.constant([-5.0, 0.0, 1.0])).numpy(),
                               [0.0, 0.5, 0.7], rtol=1e-6)
    v = K.variable(np.ones(3))
    K.moving_average_update(v, np.zeros(3), 0.9)
    np.testing.assert_allclose(v.numpy(), [0.9] * 3, rtol=1e-6)
    K.update_add(v, np.ones(3))
    assert K.get_value(v)[0] == pytest.approx(1.9)
    assert K.temporal_padding(np.ones((1, 2, 3), "float32"), (1, 2)).shape == (1, 5, 3)
    st = K.ctc_label_dense_to_sparse(np.array([[1, 2, 0], [3, 0, 0]]), np.array([2, 1]))
    assert st.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0]]
    assert st.values.numpy().tolist() == [1, 2, 3]
    assert K.is_sparse(st) and K.to_dense(st).shape == (2, 3)
    with pytest.raises(ValueError, match="Invalid pooling mode"):
        K.pool2d(np.ones((1, 4, 4, 1), "float32"), (2, 2), pool_mode="min")

    def step(x, states):
        h = states[0] + x
        return h, [h]
    x = np.arange(12, dtype="float32").reshape(2, 3, 2)
    mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    last, outs, states = K.rnn(step, x, [np.zeros((2, 2), "float32")], mask=mask)
    np.testing.assert_allclose(states[0].numpy(), [[2.0, 4.0], [6.0, 7.0]])
    assert outs.shape == (2, 3, 2)


def _tfk():
    return pytest.importorskip("tensorflow").keras.backend


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_convolutions_and_pooling_match_tensorflow(fmt):
    TK = _tfk()
    import tensorflow as tf
    x2 = RNG.rand(2, 6, 7, 3).astype("float32")
    if fmt == "channels_first":
        x2 = x2.transpose(0, 3, 1, 2).copy()
    k = RNG.rand(3, 3, 3, 4).astype("float32")
    for pad in ("same", "valid"):
        for strides in ((1, 1), (2, 1)):
            np.testing.assert_allclose(
                K.conv2d(x2, k, strides, pad, fmt).numpy(),
                np.asarray(TK.conv2d(tf.constant(x2), tf.constant(k), strides, pad, fmt)), rtol=1e-5, atol=1e-5)
        for mode in ("max", "avg"):
            np.testing.assert_allclose(
                K.pool2d(x2, (2, 2), (2, 2), pad, fmt, mode).numpy(),
                np.asarray(TK.pool2d(tf.constant(x2), (2, 2), (2, 2), pad, fmt, mode)), rtol=1e-6)
    dk = RNG.rand(3, 3, 3, 2).astype("float32")
    pk = RNG.rand(1, 1, 6, 5).astype("float32")
    if fmt == "channels_last":  # TF's CPU kernels have no NCHW depthwise/separable
        np.testing.assert_allclose(K.depthwise_conv2d(x2, dk, padding="same").numpy(),
                                   np.asarray(TK.depthwise_conv2d(tf.constant(x2), tf.constant(dk), padding="same")),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(K.separable_conv2d(x2, dk, pk).numpy(),
                                   np.asarray(TK.separable_conv2d(tf.constant(x2), tf.constant(dk), tf.constant(pk))), rtol=1e-5,
                                   atol=1e-5)
        kt = RNG.rand(3, 3, 5, 3).astype("float32")
        np.testing.assert_allclose(
            K.conv2d_transpose(x2, kt, (2, 12, 14, 5), (2, 2), "same").numpy(),
            np.asarray(TK.conv2d_transpose(tf.constant(x2), tf.constant(kt), (2, 12, 14, 5), (2, 2), "same")),
            rtol=1e-5, atol=1e-5)
        x1 = RNG.rand(2, 9, 3).astype("float32")
        k1 = RNG.rand(3, 3, 4).astype("float32")
        for pad in ("same", "valid", "causal"):
            np.testing.assert_allclose(K.conv1d(x1, k1, padding=pad).numpy(),
                                       np.asarray(TK.conv1d(tf.constant(x1), tf.constant(k1), padding=pad)), rtol=1e-5,
                                       atol=1e-5)
        x3 = RNG.rand(1, 4, 5, 6, 2).astype("float32")
        k3 = RNG.rand(2, 2, 2, 2, 3).astype("float32")
        np.testing.assert_allclose(K.conv3d(x3, k3).numpy(), np.asarray(TK.conv3d(tf.constant(x3), tf.constant(k3))),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(K.pool3d(x3, (2, 2, 2), (2, 2, 2), pool_mode="avg").numpy(),
                                   np.asarray(TK.pool3d(tf.constant(x3), (2, 2, 2), (2, 2, 2), pool_mode="avg")), rtol=1e-6)
    np.testing.assert_allclose(K.spatial_2d_padding(x2, ((1, 0), (2, 1)), fmt).numpy(),
                               np.asarray(TK.spatial_2d_padding(x2, ((1, 0), (2, 1)), fmt)))
    for interp in ("nearest", "bilinear"):
        np.testing.assert_allclose(K.resize_images(x2, 2, 3, fmt, interp).numpy(),
                                   np.asarray(TK.resize_images(tf.constant(x2), 2, 3, fmt, interp)),
                                   rtol=1e-5, atol=1e-6)
    v = RNG.rand(1, 2, 3, 4, 2).astype("float32")
    np.testing.assert_array_equal(K.resize_volumes(v, 2, 1, 3, fmt).numpy(),
                                  np.asarray(TK.resize_volumes(tf.constant(v), 2, 1, 3, fmt)))
    np.testing.assert_array_equal(K.spatial_3d_padding(v, data_format=fmt).numpy(),
                                  np.asarray(TK.spatial_3d_padding(tf.constant(v), data_format=fmt)))


def test_math_losses_and_ctc_match_tensorflow():
    TK = _tfk()
    import tensorflow as tf
    t = (RNG.rand(4, 5) > 0.5).astype("float32")
    p = RNG.rand(4, 5).astype("float32") * 0.9 + 0.05
    for kw in ({}, {"apply_class_balancing": True, "gamma": 1.0}):
        np.testing.assert_allclose(K.binary_focal_crossentropy(t, p, **kw).numpy(),
                                   np.asarray(TK.binary_focal_crossentropy(tf.constant(t), tf.constant(p), **kw)),
                                   rtol=1e-5)
    onehot = np.eye(5, dtype="float32")[RNG.randint(0, 5, 4)]
    np.testing.assert_allclose(K.categorical_focal_crossentropy(onehot, p).numpy(),
                               np.asarray(TK.categorical_focal_crossentropy(tf.constant(onehot), tf.constant(p))),
                               rtol=1e-5)
    np.testing.assert_allclose(K.cumprod(p, 1).numpy(), np.asarray(TK.cumprod(tf.constant(p), 1)),
                               rtol=1e-6)
    np.testing.assert_array_equal(K.reverse(p, (0, 1)).numpy(),
                                  np.asarray(TK.reverse(tf.constant(p), (0, 1))))
    np.testing.assert_array_equal(K.in_top_k(p, np.array([0, 1, 2, 3]), 2).numpy(),
                                  np.asarray(TK.in_top_k(tf.constant(p), np.array([0, 1, 2, 3]), 2)))
    probs = RNG.dirichlet(np.ones(5), (2, 7)).astype("float32")
    labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], "int32")
    in_len, lab_len = np.array([[7], [6]]), np.array([[3], [2]])
    np.testing.assert_allclose(K.ctc_batch_cost(labels, probs, in_len, lab_len).numpy(),
                               np.asarray(TK.ctc_batch_cost(tf.constant(labels), tf.constant(probs), tf.constant(in_len), tf.constant(lab_len))),
                               rtol=1e-4)
    ours, ours_lp = K.ctc_decode(probs, np.array([7, 6]))
    theirs, their_lp = TK.ctc_decode(tf.constant(probs), np.array([7, 6]))
    np.testing.assert_array_equal(ours[0].numpy(), np.asarray(theirs[0]))
    np.testing.assert_allclose(ours_lp.numpy(), np.asarray(their_lp), rtol=1e-5)


def test_rnn_matches_tensorflow():
    TK = _tfk()
    import tensorflow as tf
    w = RNG.rand(3, 4).astype("float32")
    u = RNG.rand(4, 4).astype("float32")
    x = RNG.rand(2, 5, 3).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    h0 = np.zeros((2, 4), "float32")

    def make(B, mm):
        def step(inp, states):
            h = B.tanh(mm(inp, B.constant(w)) + mm(states[0], B.constant(u)))
            return h, [h]
        return step
    for kw in ({}, {"go_backwards": True}, {"mask": mask},
               {"mask": mask, "zero_output_for_mask": True}):
        ours = K.rnn(make(K, K.dot), x, [h0], **kw)
        tkw = dict(kw, mask=tf.constant(kw["mask"])) if "mask" in kw else kw
        theirs = TK.rnn(make(TK, TK.dot), tf.constant(x), [tf.constant(h0)], **tkw)
        for a, b in zip((ours[0], ours[1], ours[2][0]), (theirs[0], theirs[1], theirs[2][0])):
            np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-5, atol=1e-6)
