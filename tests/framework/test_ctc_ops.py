"""CTC against TensorFlow where alignments are impossible (dense labels: TensorFlow's large
finite loss and its gradient; SparseTensor labels: inf, or an error when the labels outnumber
the frames), and the vectorized decoders and label helpers on random inputs."""
import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _loss_and_grad(lib, labels, logits, ll, tl, blank):
    with lib.GradientTape() as tape:
        x = lib.constant(logits)
        tape.watch(x)
        loss = lib.nn.ctc_loss(labels, x, ll, tl, blank_index=blank)
    return loss.numpy(), tape.gradient(loss, x).numpy()


def test_dense_labels_match_tensorflow_including_impossible_alignments():
    rng = np.random.default_rng(1)
    impossible = 0
    for _ in range(40):
        T, B, K, L = (int(v) for v in (rng.integers(1, 7), rng.integers(1, 4),
                                        rng.integers(2, 6), rng.integers(1, 5)))
        logits = (rng.standard_normal((T, B, K)) * 2).astype(np.float32)
        blank = int(rng.integers(0, K))
        labels = rng.integers(0, K, (B, L)).astype(np.int32)
        labels[labels == blank] = (blank + 1) % K
        ll = rng.integers(0, L + 1, B).astype(np.int32)
        tl = rng.integers(0, T + 1, B).astype(np.int32)
        want, want_g = _loss_and_grad(tf, labels, logits, ll, tl, blank)
        got, got_g = _loss_and_grad(tfx, labels, logits, ll, tl, blank)
        impossible += int((want > 700).sum())
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        # TensorFlow computes the posteriors of the 1e-307-weighted paths in float32 (from
        # log values near -707, a float32 step of 6e-5): hence the looser gradient bound
        np.testing.assert_allclose(got_g, want_g, rtol=1e-4, atol=5e-5)
    assert impossible > 10


def test_the_reported_case():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 2, 4)).astype(np.float32)
    labels = np.array([[1, 1, 2], [1, 2, 3]], np.int32)
    loss = tfx.nn.ctc_loss(labels, logits, [3, 3], [2, 2], blank_index=0).numpy()
    np.testing.assert_allclose(loss, tf.nn.ctc_loss(labels, logits, [3, 3], [2, 2],
                                                    blank_index=0).numpy(), rtol=1e-6)
    assert 700 < loss.min() and loss.max() < 720


def test_sparse_labels_impossible_alignment_is_inf_with_the_softmax_gradient():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((3, 2, 4)).astype(np.float32)
    idx, vals = [[0, 0], [0, 1], [0, 2], [1, 0]], [1, 1, 2, 3]
    want, want_g = _loss_and_grad(tf, tf.sparse.SparseTensor(idx, vals, [2, 3]), logits,
                                  None, [3, 1], 0)
    got, got_g = _loss_and_grad(tfx, tfx.SparseTensor(idx, vals, [2, 3]), logits, None,
                                [3, 1], 0)
    assert np.isinf(want[0]) and np.isinf(got[0])
    np.testing.assert_allclose(got[1:], want[1:], rtol=1e-5)
    np.testing.assert_allclose(got_g, want_g, rtol=1e-5, atol=1e-6)


def test_sparse_labels_longer_than_the_frames_raise():
    sp = tfx.SparseTensor([[0, 0], [0, 1], [0, 2]], [1, 2, 3], [1, 3])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="required: 3, available: 2"):
        tfx.nn.ctc_loss(sp, np.zeros((2, 1, 4), np.float32), None, [2], blank_index=0)


def test_greedy_decoder_and_label_helpers_match_tensorflow():
    rng = np.random.default_rng(3)
    for _ in range(20):
        T, B, K = (int(v) for v in (rng.integers(1, 8), rng.integers(1, 4), rng.integers(2, 5)))
        logits = rng.standard_normal((T, B, K)).astype(np.float32)
        lens = rng.integers(0, T + 1, B).astype(np.int32)
        for merge in (True, False):
            (a,), sa = tf.nn.ctc_greedy_decoder(logits, lens, merge_repeated=merge)
            (b,), sb = tfx.nn.ctc_greedy_decoder(logits, lens, merge_repeated=merge)
            for x, y in ((a.indices, b.indices), (a.values, b.values),
                         (a.dense_shape, b.dense_shape)):
                np.testing.assert_array_equal(y.numpy(), x.numpy())
            np.testing.assert_allclose(sb.numpy(), sa.numpy(), rtol=1e-6)
        labels = rng.integers(0, 3, (B, int(rng.integers(1, 6)))).astype(np.int32)
        seq = rng.integers(0, labels.shape[1] + 1, B).astype(np.int32)
        for x, y in zip(tf.nn.collapse_repeated(labels, seq),
                        tfx.nn.collapse_repeated(labels, seq)):
            np.testing.assert_array_equal(y.numpy(), x.numpy())
        for x, y in zip(tf.nn.ctc_unique_labels(labels), tfx.nn.ctc_unique_labels(labels)):
            np.testing.assert_array_equal(y.numpy(), x.numpy())
