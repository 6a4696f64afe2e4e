"""CTC, max_pool_with_argmax, pool, atrous convolutions, safe sparse embeddings and the small
top-level names of misc_ops: brute-force NumPy references, finite-difference gradients,
TensorFlow when installed."""
import itertools
import math

import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

RNG = np.random.default_rng(0)
T, B, K = 6, 3, 5
LOGITS = RNG.standard_normal((T, B, K))
LABELS = np.array([[1, 2, 2], [3, 0, 0], [1, 4, 1]], np.int32)
LABEL_LEN = np.array([3, 1, 3], np.int32)
LOGIT_LEN = np.array([6, 4, 5], np.int32)


def _ctc_brute(logits, label, blank=0):
    """-log sum over every path of length T that collapses to ``label``."""
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(logits.shape[1]), repeat=logits.shape[0]):
        out, prev = [], None
        for k in path:
            if k != prev and k != blank:
                out.append(k)
            prev = k
        if out == list(label):
            total += math.exp(sum(logp[t, k] for t, k in enumerate(path)))
    return -math.log(total)


def test_ctc_loss_matches_brute_force():
    small = RNG.standard_normal((4, 2, 3))
    labels = np.array([[1, 2], [1, 1]], np.int32)
    got = tf.nn.ctc_loss(labels, small, [2, 2], [4, 4], blank_index=0).numpy()
    for b in range(2):
        assert got[b] == pytest.approx(_ctc_brute(small[:, b], labels[b]), rel=1e-10)
    # a shorter sequence and label in the batch
    got = tf.nn.ctc_loss(labels, small, [1, 2], [3, 4], blank_index=0).numpy()
    assert got[0] == pytest.approx(_ctc_brute(small[:3, 0], labels[0, :1]), rel=1e-10)


def test_ctc_loss_gradient_and_layouts():
    check_grads(lambda x: tf.nn.ctc_loss(LABELS, x, LABEL_LEN, LOGIT_LEN, blank_index=0),
                LOGITS, rtol=1e-5, atol=1e-7)
    check_grads(lambda x: tf.nn.ctc_loss(LABELS, x, LABEL_LEN, LOGIT_LEN, blank_index=2),
                LOGITS, rtol=1e-5, atol=1e-7)
    a = tf.nn.ctc_loss(LABELS, LOGITS, LABEL_LEN, LOGIT_LEN, blank_index=0).numpy()
    bm = tf.nn.ctc_loss(LABELS, np.transpose(LOGITS, (1, 0, 2)), LABEL_LEN, LOGIT_LEN,
                        logits_time_major=False, blank_index=0).numpy()
    np.testing.assert_allclose(a, bm)
    sp = tf.sparse.from_dense(LABELS)
    np.testing.assert_allclose(tf.nn.ctc_loss(sp, LOGITS, None, LOGIT_LEN, blank_index=0)
                               .numpy(), a)
    with pytest.raises(ValueError, match="blank_index"):
        tf.nn.ctc_loss(sp, LOGITS, None, LOGIT_LEN)


def test_ctc_greedy_decoder():
    (decoded,), score = tf.nn.ctc_greedy_decoder(LOGITS.astype(np.float32), LOGIT_LEN)
    best = LOGITS.argmax(-1)
    for b in range(B):
        seq, prev = [], None
        for t in range(LOGIT_LEN[b]):
            if best[t, b] != prev and best[t, b] != K - 1:
                seq.append(best[t, b])
            prev = best[t, b]
        rows = decoded.indices.numpy()[:, 0] == b
        assert decoded.values.numpy()[rows].tolist() == seq
        want = -LOGITS[:LOGIT_LEN[b], b].max(-1).sum()
        assert score.numpy()[b, 0] == pytest.approx(want, rel=1e-6)


def test_max_pool_with_argmax_brute_force():
    x = RNG.standard_normal((2, 5, 5, 3)).astype(np.float32)
    for ksize, stride, pad in ((2, 2, "VALID"), (3, 2, "SAME"), (2, 1, "SAME")):
        v, idx = tf.nn.max_pool_with_argmax(x, ksize, stride, pad,
                                            include_batch_in_index=True)
        np.testing.assert_allclose(v.numpy(), tf.nn.max_pool2d(x, ksize, stride, pad).numpy())
        np.testing.assert_allclose(x.reshape(-1)[idx.numpy()], v.numpy())
        _, local = tf.nn.max_pool_with_argmax(x, ksize, stride, pad)
        np.testing.assert_array_equal(local.numpy() % (5 * 5 * 3),
                                      idx.numpy() % (5 * 5 * 3))
    check_grads(lambda v: tf.nn.max_pool_with_argmax(v, 2, 2, "VALID")[0],
                RNG.standard_normal((1, 4, 4, 2)))


def test_pool_atrous_batchnorm_and_safe_embedding():
    x = RNG.standard_normal((2, 6, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(tf.nn.pool(x, [2, 2], "AVG", strides=[2, 2]).numpy(),
                               tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy())
    w = RNG.standard_normal((3, 3, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(tf.nn.atrous_conv2d(x, w, 2, "SAME").numpy(),
                               tf.nn.conv2d(x, w, 1, "SAME", dilations=2).numpy(), rtol=1e-5)
    m, v = np.zeros(3, np.float32), np.ones(3, np.float32)
    out = tf.nn.batch_norm_with_global_normalization(x, m, v, m + 1, v * 2, 0.0, False)
    np.testing.assert_allclose(out.numpy(), x + 1, rtol=1e-6)
    params = RNG.standard_normal((5, 2))
    ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, -1, 4], tf.int64), [3, 2])
    got = tf.nn.safe_embedding_lookup_sparse(params, ids, combiner="sum", default_id=0).numpy()
    np.testing.assert_allclose(got, [params[1], params[0], params[4]])


def test_misc_top_level_names():
    assert tf.broadcast_dynamic_shape([2, 1, 3], [4, 1]).numpy().tolist() == [2, 4, 3]
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1, 3]),
                                     tf.TensorShape([4, 1])).as_list() == [2, 4, 3]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.broadcast_dynamic_shape([2, 3], [4])
    with pytest.raises(ValueError):
        tf.broadcast_static_shape(tf.TensorShape([2, 3]), tf.TensorShape([4]))
    np.testing.assert_array_equal(tf.bitcast(tf.constant([1.0, 2.0]), tf.int32).numpy(),
                                  np.array([1.0, 2.0], np.float32).view(np.int32))
    assert tf.bitcast(tf.constant(1.0, tf.float64), tf.int32).shape == (2,)
    assert tf.bitcast(tf.constant([1, 2, 3, 4], tf.uint8), tf.int32).shape == ()
    assert tf.timestamp().dtype == tf.float64
    np.testing.assert_array_equal(
        tf.histogram_fixed_width_bins([-1., 0., 1.5, 2., 5., 15.], [0., 5.], nbins=5).numpy(),
        [0, 0, 1, 2, 4, 4])
    pads, crops = tf.required_space_to_batch_paddings([5, 7], [2, 3])
    assert pads.numpy().tolist() == [[0, 1], [0, 2]] and crops.numpy().tolist() == [[0, 1],
                                                                                      [0, 2]]
    assert [int(v) for v in tf.tuple([tf.constant(1), tf.constant(2)])] == [1, 2]
    assert tf.get_logger().name == "tensorflow"
    v, i = tf.math.approx_max_k(tf.constant([[1., 5, 3, 4]]), 2)
    assert v.numpy().tolist() == [[5, 4]] and i.numpy().tolist() == [[1, 3]]
    v, i = tf.math.approx_min_k(tf.constant([[1., 5, 3, 4]]), 2)
    assert v.numpy().tolist() == [[1, 3]] and i.numpy().tolist() == [[0, 2]]
    d = tf.DeviceSpec.from_string("/job:worker/replica:0/task:1/device:GPU:3")
    assert (d.job, d.replica, d.task, d.device_type, d.device_index) == ("worker", 0, 1, "GPU",
                                                                         3)
    assert d.replace(device_index=0).to_string() == "/job:worker/replica:0/task:1/device:GPU:0"
    merged = tf.DeviceSpec(job="a", device_type="CPU").make_merged_spec(
        tf.DeviceSpec(device_index=2))
    assert merged.to_string() == "/job:a/device:CPU:2"
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.grad_pass_through(tf.round)(x * 1.3)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.3, 1.3])


def test_timestamp_is_read_when_the_graph_runs():
    f = tf.function(lambda: tf.timestamp())
    a = float(f())
    import time
    time.sleep(0.01)
    assert float(f()) > a


def test_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    lg = LOGITS.astype(np.float32)
    for blank in (0, -1, 2):
        np.testing.assert_allclose(
            tf.nn.ctc_loss(LABELS, lg, LABEL_LEN, LOGIT_LEN, blank_index=blank).numpy(),
            tft.nn.ctc_loss(LABELS, lg, LABEL_LEN, LOGIT_LEN, blank_index=blank).numpy(),
            rtol=1e-5)
    x = tf.constant(lg)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.nn.ctc_loss(LABELS, x, LABEL_LEN, LOGIT_LEN, blank_index=0)
    xt = tft.constant(lg)
    with tft.GradientTape() as tape2:
        tape2.watch(xt)
        loss2 = tft.nn.ctc_loss(LABELS, xt, LABEL_LEN, LOGIT_LEN, blank_index=0)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(),
                               tape2.gradient(loss2, xt).numpy(), atol=1e-5)
    img = (np.arange(2 * 5 * 5 * 3) * 7.3 % 11).reshape(2, 5, 5, 3).astype(np.float32)
    for ksize, stride, pad in ((2, 2, "VALID"), (3, 2, "SAME")):
        for batch in (False, True):
            np.testing.assert_array_equal(
                tf.nn.max_pool_with_argmax(img, ksize, stride, pad,
                                           include_batch_in_index=batch)[1].numpy(),
                tft.nn.max_pool_with_argmax(img, ksize, stride, pad,
                                            include_batch_in_index=batch)[1].numpy())


def test_type_specs():
    assert isinstance(tf.TensorSpec([1]), tf.TypeSpec)
    assert issubclass(tf.SparseTensorSpec, tf.TypeSpec) and not isinstance(3, tf.TypeSpec)
    assert isinstance(tf.IndexedSlicesSpec([4, 2]), tf.TypeSpec)
    assert tf.type_spec_from_value(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)
    assert tf.type_spec_from_value([1.0]) == tf.TensorSpec([1], tf.float32)
    sp = tf.type_spec_from_value(tf.SparseTensor([[0, 0]], [1.0], [2, 2]))
    assert isinstance(sp, tf.SparseTensorSpec)
    assert isinstance(tf.type_spec_from_value(tf.ragged.constant([[1], [2, 3]])),
                      tf.RaggedTensorSpec)


def _lev(a, b):
    d = np.arange(len(b) + 1)
    for i, x in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, y in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (x != y))
    return d[-1]


def test_edit_distance():
    h = tf.SparseTensor([[0, 0, 0], [1, 0, 0]], ["a", "b"], [2, 1, 1])
    truth = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]],
                            ["a", "b", "c", "a"], [2, 2, 2])
    np.testing.assert_allclose(tf.edit_distance(h, truth).numpy(), [[np.inf, 1], [0.5, 1]])
    np.testing.assert_allclose(tf.edit_distance(h, truth, normalize=False).numpy(),
                               [[1, 1], [1, 1]])
    a, b = [1, 2, 3, 4, 2], [2, 3, 5, 2]
    hs = tf.SparseTensor([[0, i] for i in range(5)], a, [1, 5])
    ts = tf.SparseTensor([[0, i] for i in range(4)], b, [1, 4])
    assert float(tf.edit_distance(hs, ts, normalize=False)[0]) == _lev(a, b)
    f = tf.function(lambda x, y: tf.edit_distance(x, y, normalize=False))
    assert float(f(hs, ts)[0]) == _lev(a, b)
    assert float(f(hs, tf.SparseTensor([[0, i] for i in range(5)], a, [1, 5]))[0]) == 0.0


def _sampled_case():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((10, 4))
    b = rng.standard_normal(10)
    x = rng.standard_normal((3, 4))
    labels = np.array([[1], [4], [7]], np.int64)
    sampled = np.array([4, 2, 9, 0], np.int64)
    tc = rng.uniform(0.1, 1, (3, 1))
    sc = rng.uniform(0.1, 1, 4)
    return w, b, x, labels, (sampled, tc, sc)


def test_sampled_losses_against_numpy_and_gradients():
    w, b, x, labels, (sampled, tc, sc) = _sampled_case()
    true_logit = (x * w[labels[:, 0]]).sum(1) + b[labels[:, 0]] - np.log(tc[:, 0])
    samp_logit = x @ w[sampled].T + b[sampled] - np.log(sc)

    def sig_xent(z, lg):
        return np.maximum(lg, 0) - lg * z + np.log1p(np.exp(-np.abs(lg)))
    want = sig_xent(1.0, true_logit) + sig_xent(0.0, samp_logit).sum(1)
    got = tf.nn.nce_loss(w, b, labels, x, 4, 10, sampled_values=(sampled, tc, sc)).numpy()
    np.testing.assert_allclose(got, want)
    hit = samp_logit.copy()
    hit[1, 0] += np.finfo(np.float32).min  # row 1's label 4 was sampled first
    logits = np.concatenate([true_logit[:, None], hit], 1)
    want = -(logits[:, 0] - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1))
             - logits.max(1))
    got = tf.nn.sampled_softmax_loss(w, b, labels, x, 4, 10, sampled_values=(sampled, tc, sc))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    rows, ids, wts = tf.nn.compute_accidental_hits(labels, sampled, 1)
    assert rows.numpy().tolist() == [1] and ids.numpy().tolist() == [0]
    check_grads(lambda ww, xx: tf.nn.nce_loss(ww * 1.0, b, labels, xx, 4, 10,
                                              sampled_values=(sampled, tc, sc)), w, x)
    check_grads(lambda ww: tf.nn.sampled_softmax_loss(ww * 1.0, b, labels, x, 4, 10,
                                                      sampled_values=(sampled, tc, sc)), w)


def test_sampled_losses_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    w, b, x, labels, sv = _sampled_case()
    w, b, x = (v.astype(np.float32) for v in (w, b, x))
    sv = (sv[0], sv[1].astype(np.float32), sv[2].astype(np.float32))
    for hits in (False, True):
        for m in ("nce_loss", "sampled_softmax_loss"):
            np.testing.assert_allclose(
                getattr(tf.nn, m)(w, b, labels, x, 4, 10, sampled_values=sv,
                                  remove_accidental_hits=hits).numpy(),
                getattr(tft.nn, m)(w, b, labels, x, 4, 10, sampled_values=sv,
                                   remove_accidental_hits=hits).numpy(), rtol=1e-5)


def _dilation_brute(x, f, s, r):
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    oh, ow = (h - (kh - 1) * r - 1) // s + 1, (w - (kw - 1) * r - 1) // s + 1
    out = np.full((n, oh, ow, c), -np.inf)
    for y in range(oh):
        for q in range(ow):
            for i in range(kh):
                for j in range(kw):
                    out[:, y, q] = np.maximum(out[:, y, q],
                                              x[:, y * s + i * r, q * s + j * r] + f[i, j])
    return out


def test_dilation_and_erosion():
    x = RNG.standard_normal((2, 6, 7, 3))
    f = RNG.standard_normal((2, 3, 3))
    for s, r in ((1, 1), (2, 1), (1, 2)):
        got = tf.nn.dilation2d(x, f, [1, s, s, 1], "VALID", "NHWC", [1, r, r, 1]).numpy()
        np.testing.assert_allclose(got, _dilation_brute(x, f, s, r))
        ero = tf.nn.erosion2d(x, f, [1, s, s, 1], "VALID", "NHWC", [1, r, r, 1]).numpy()
        np.testing.assert_allclose(ero, -_dilation_brute(-x, f[::-1, ::-1], s, r))
    assert tf.nn.dilation2d(x, f, [1, 2, 2, 1], "SAME", "NHWC", [1, 1, 1, 1]).shape == \
        (2, 3, 4, 3)
    small = RNG.standard_normal((1, 4, 4, 2))
    check_grads(lambda a, b: tf.nn.dilation2d(a, b, [1, 1, 1, 1], "SAME", "NHWC",
                                              [1, 1, 1, 1]), small, f[:, :2, :2])


def test_dilation_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((1, 5, 6, 2)).astype(np.float32)
    f = RNG.standard_normal((2, 3, 2)).astype(np.float32)
    for pad in ("VALID", "SAME"):
        for s, r in ((1, 1), (2, 1), (1, 2)):
            args = ([1, s, s, 1], pad, "NHWC", [1, r, r, 1])
            np.testing.assert_allclose(tf.nn.dilation2d(x, f, *args).numpy(),
                                       tft.nn.dilation2d(x, f, *args).numpy(), rtol=1e-6)
            np.testing.assert_allclose(tf.nn.erosion2d(x, f, *args).numpy(),
                                       tft.nn.erosion2d(x, f, *args).numpy(), rtol=1e-6)


def test_isotonic_regression():
    x = RNG.standard_normal((3, 7))
    fit, seg = tf.nn.isotonic_regression(x)
    f, s = fit.numpy(), seg.numpy()
    assert (np.diff(f, axis=1) <= 1e-12).all()  # non-increasing
    for i in range(3):  # each block holds the mean of its inputs
        for k in np.unique(s[i]):
            np.testing.assert_allclose(f[i, s[i] == k], x[i, s[i] == k].mean())
    up, _ = tf.nn.isotonic_regression(x, decreasing=False)
    assert (np.diff(up.numpy(), axis=1) >= -1e-12).all()
    np.testing.assert_allclose(tf.nn.isotonic_regression(x.T, axis=0)[0].numpy(), f.T)
    assert tf.nn.isotonic_regression(tf.constant([[3, 1, 2]]))[0].dtype == tf.float64
    check_grads(lambda v: tf.nn.isotonic_regression(v)[0], x)


def test_ctc_label_helpers():
    out, lens = tf.nn.collapse_repeated([[1, 1, 2, 2, 3], [4, 4, 4, 0, 0]], [5, 3])
    assert out.numpy().tolist() == [[1, 2, 3], [4, 0, 0]] and lens.numpy().tolist() == [3, 1]
    uniq, idx = tf.nn.ctc_unique_labels([[3, 4, 3, 0], [1, 1, 2, 0]])
    assert uniq.numpy().tolist() == [[3, 4, 0, 0], [1, 2, 0, 0]]
    assert idx.numpy().tolist() == [[0, 1, 0, 2], [0, 0, 1, 2]]


def test_isotonic_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((4, 9)).astype(np.float32)
    for dec in (True, False):
        a, b = tf.nn.isotonic_regression(x, decreasing=dec), tft.nn.isotonic_regression(
            x, decreasing=dec)
        np.testing.assert_allclose(a[0].numpy(), b[0].numpy(), rtol=1e-6)
        np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


def test_with_space_to_batch_is_a_dilated_op():
    x = RNG.standard_normal((2, 7, 9, 3))
    w = RNG.standard_normal((3, 3, 3, 4))
    for pad in ("SAME", "VALID"):
        got = tf.nn.with_space_to_batch(x, [2, 2], pad,
                                        lambda inp, n, p: tf.nn.conv2d(inp, w, 1, p),
                                        filter_shape=[3, 3])
        want = tf.nn.conv2d(x, w, 1, pad, dilations=2)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)
    same = tf.nn.with_space_to_batch(x, [1, 1], "VALID", lambda inp, n, p: inp * 2.0)
    np.testing.assert_allclose(same.numpy(), x * 2)


def _collapse(path, blank):
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return tuple(out)


def test_ctc_beam_search_is_exact_when_the_beam_holds_every_prefix():
    lg = RNG.standard_normal((3, 1, 3)) * 2
    logp = lg[:, 0] - np.log(np.exp(lg[:, 0]).sum(-1, keepdims=True))
    probs = {}
    for path in itertools.product(range(3), repeat=3):
        key = _collapse(path, 2)
        probs[key] = probs.get(key, 0.0) + math.exp(sum(logp[t, k] for t, k in enumerate(path)))
    best = sorted(probs.items(), key=lambda kv: -kv[1])[:3]
    decoded, lp = tf.nn.ctc_beam_search_decoder(lg, [3], beam_width=20, top_paths=3)
    for k, (labels, p) in enumerate(best):
        assert tuple(decoded[k].values.numpy().tolist()) == labels
        assert lp.numpy()[0, k] == pytest.approx(math.log(p), rel=1e-10)


def test_ctc_beam_search_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    for seed in range(3):
        rng = np.random.default_rng(seed)
        lg = (rng.standard_normal((6, 3, 4)) * 2).astype(np.float32)
        a = tf.nn.ctc_beam_search_decoder(lg, [6, 4, 5], beam_width=8, top_paths=3)
        b = tft.nn.ctc_beam_search_decoder(lg, [6, 4, 5], beam_width=8, top_paths=3)
        for x, y in zip(a[0], b[0]):
            np.testing.assert_array_equal(x.indices.numpy(), y.indices.numpy())
            np.testing.assert_array_equal(x.values.numpy(), y.values.numpy())
        np.testing.assert_allclose(a[1].numpy(), b[1].numpy(), rtol=1e-5)


def test_decoders_in_a_function_decode_each_run():
    lg = RNG.standard_normal((5, 2, 4)).astype(np.float32)
    f = tf.function(lambda x: tf.nn.ctc_greedy_decoder(x, [5, 3]))
    g = tf.function(lambda x: tf.nn.ctc_beam_search_decoder(x, [5, 3], beam_width=4,
                                                            top_paths=2))
    for x in (lg, lg[::-1].copy()):
        a, b = f(tf.constant(x)), tf.nn.ctc_greedy_decoder(x, [5, 3])
        np.testing.assert_array_equal(a[0][0].values.numpy(), b[0][0].values.numpy())
        a, b = g(tf.constant(x)), tf.nn.ctc_beam_search_decoder(x, [5, 3], beam_width=4,
                                                                top_paths=2)
        np.testing.assert_array_equal(a[0][1].values.numpy(), b[0][1].values.numpy())
        np.testing.assert_allclose(a[1].numpy(), b[1].numpy())


def test_depthwise_conv_backprops_are_the_tape_gradients():
    x = RNG.standard_normal((2, 6, 7, 3))
    w = RNG.standard_normal((3, 2, 3, 2))
    for pad, s in (("SAME", 1), ("VALID", 2), ("SAME", 2)):
        xt, wt = tf.constant(x), tf.constant(w)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([xt, wt])
            y = tf.nn.depthwise_conv2d(xt, wt, [1, s, s, 1], pad)
        dy = tf.constant(RNG.standard_normal(y.shape))
        gx, gw = tape.gradient(y, [xt, wt], output_gradients=dy)
        np.testing.assert_allclose(tf.nn.depthwise_conv2d_backprop_input(
            [2, 6, 7, 3], w, dy, [1, s, s, 1], pad).numpy(), gx.numpy(), rtol=1e-10)
        np.testing.assert_allclose(tf.nn.depthwise_conv2d_backprop_filter(
            x, [3, 2, 3, 2], dy, [1, s, s, 1], pad).numpy(), gw.numpy(), rtol=1e-10)


def test_depthwise_backprops_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((2, 6, 7, 3)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 3, 2)).astype(np.float32)
    dy = RNG.standard_normal((2, 3, 4, 6)).astype(np.float32)
    args = ([1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(
        tf.nn.depthwise_conv2d_backprop_input([2, 6, 7, 3], w, dy, *args).numpy(),
        tft.nn.depthwise_conv2d_backprop_input([2, 6, 7, 3], w, dy, *args).numpy(), rtol=1e-5,
        atol=1e-5)
    np.testing.assert_allclose(
        tf.nn.depthwise_conv2d_backprop_filter(x, [3, 2, 3, 2], dy, *args).numpy(),
        tft.nn.depthwise_conv2d_backprop_filter(x, [3, 2, 3, 2], dy, *args).numpy(),
        rtol=1e-5, atol=1e-5)


def test_compute_accidental_hits_against_tensorflow():
    # TensorFlow answers in the order of each row's true classes, and a candidate sampled
    # twice with its last position; a class twice in a row answers twice.
    tft = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(4)
    cases = [(np.int64([[1, 5], [3, 1], [7, 7]]), np.int64([1, 7, 3, 1, 9])),
             (np.int64([[3], [4]]), np.int64([])), (np.int64([[3], [4]]), np.int64([8, 9]))]
    cases += [(rng.integers(0, 8, (4, 3)), rng.integers(0, 8, 6)) for _ in range(10)]
    for labels, sampled in cases:
        want = tft.nn.compute_accidental_hits(labels, sampled, labels.shape[1])
        got = tf.nn.compute_accidental_hits(labels, sampled, labels.shape[1])
        for g, w in zip(got, want):
            assert g.dtype.name == w.dtype.name
            np.testing.assert_array_equal(g.numpy(), w.numpy())
