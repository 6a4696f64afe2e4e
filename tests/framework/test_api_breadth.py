"""The smaller names of tf, tf.nn, tf.math and tf.debugging: NumPy references, gradients
against central differences in float64, and TensorFlow (when installed) on the same inputs."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

RNG = np.random.default_rng(0)
X4 = RNG.standard_normal((2, 4, 4, 8)).astype(np.float32)
P = RNG.standard_normal((4, 6)).astype(np.float32)
P[1, 3] = P[1, 2]  # a tie for in_top_k
LAB = (RNG.random((3, 4)) > 0.5).astype(np.float32)
LOG = RNG.standard_normal((3, 4)).astype(np.float32)
TGT = RNG.integers(0, 5, (3, 4)).astype(np.float32)
PARAMS = RNG.standard_normal((10, 3)).astype(np.float32)
DW = RNG.standard_normal((3, 3, 8, 2)).astype(np.float32)
PW = RNG.standard_normal((1, 1, 16, 5)).astype(np.float32)
CT = RNG.standard_normal((2, 5, 5, 4)).astype(np.float32)
CF = RNG.standard_normal((3, 3, 6, 4)).astype(np.float32)

# (name, fn(tf_module)) run on tfx and on TensorFlow alike.
CASES = [
    ("l2_loss", lambda m: m.nn.l2_loss(X4)),
    ("crelu", lambda m: m.nn.crelu(X4[0, 0])),
    ("weighted_xent", lambda m: m.nn.weighted_cross_entropy_with_logits(LAB, LOG, 2.5)),
    ("log_poisson", lambda m: m.nn.log_poisson_loss(TGT, LOG)),
    ("log_poisson_full", lambda m: m.nn.log_poisson_loss(TGT, LOG, compute_full_loss=True)),
    ("sufficient_statistics", lambda m: m.nn.sufficient_statistics(X4, [0, 1, 2])[:3]),
    ("sufficient_shift", lambda m: m.nn.sufficient_statistics(X4, [0, 1, 2], shift=0.5,
                                                              keepdims=True)[1:3]),
    ("normalize_moments", lambda m: m.nn.normalize_moments(
        *m.nn.sufficient_statistics(X4, [0, 1])[:3], None)),
    ("weighted_moments", lambda m: m.nn.weighted_moments(X4, [1, 2], np.abs(X4) + 0.1)),
    ("average_loss", lambda m: m.nn.compute_average_loss([1., 2., 3., 4.],
                                                         sample_weight=[1., 0., 2., 1.])),
    ("average_loss_batch", lambda m: m.nn.compute_average_loss([1., 2.], global_batch_size=8)),
    ("lrn", lambda m: m.nn.lrn(X4, depth_radius=2, bias=1.5, alpha=0.3, beta=0.75)),
    ("lrn_default", lambda m: m.nn.local_response_normalization(X4)),
    ("in_top_k", lambda m: m.math.in_top_k([2, 3, 5, 0], P, 2)),
    ("in_top_k_nn", lambda m: m.nn.in_top_k([2, 3, 9, 0], P, 3)),
    ("top_k", lambda m: tuple(m.nn.top_k(P, 3))),
    ("l2_normalize", lambda m: m.math.l2_normalize(P, axis=1)),
    ("softmax", lambda m: (m.math.softmax(P), m.math.log_softmax(P, axis=0))),
    ("embedding", lambda m: m.nn.embedding_lookup(PARAMS, [[1, 2], [9, 0]])),
    ("embedding_shards", lambda m: m.nn.embedding_lookup([PARAMS[:4], PARAMS[4:7], PARAMS[7:]],
                                                         [1, 5, 9, 3])),
    ("embedding_max_norm", lambda m: m.nn.embedding_lookup(PARAMS, [1, 5], max_norm=0.5)),
    ("separable_conv2d", lambda m: m.nn.separable_conv2d(X4, DW, PW, [1, 1, 1, 1], "SAME")),
    ("conv_transpose", lambda m: m.nn.conv_transpose(CT, CF, [2, 10, 10, 6], 2)),
    ("depth_to_space", lambda m: m.nn.depth_to_space(X4, 2)),
    ("space_to_depth", lambda m: m.nn.space_to_depth(X4, 2)),
    ("space_to_batch_nd", lambda m: m.space_to_batch_nd(X4, [2, 2], [[0, 0], [2, 0]])),
    ("space_to_batch", lambda m: m.space_to_batch(X4[..., 0], [2], [[1, 1]])),
    ("batch_to_space", lambda m: m.batch_to_space(X4, [2, 1], [[1, 0], [0, 1]])),
    ("sequence_mask", lambda m: m.sequence_mask([1, 3, 2], 5)),
    ("sequence_mask_2d", lambda m: m.sequence_mask([[1, 0], [3, 2]], dtype=m.float32)),
    ("clip_by_norm", lambda m: m.clip_by_norm(X4[0, 0], 1.0)),
    ("clip_by_norm_axes", lambda m: m.clip_by_norm(X4[0, 0], 2.0, axes=[1])),
    ("clip_by_norm_zero", lambda m: m.clip_by_norm(np.zeros(3, np.float32), 1.0)),
    ("clip_by_global_norm", lambda m: m.clip_by_global_norm([X4[0, 0], X4[1, 1, 1]], 2.0)),
    ("zero_fraction", lambda m: m.nn.zero_fraction([0., 1., 0., 3.])),
]


def _flat(v):
    if isinstance(v, (list, tuple)):
        return [a for x in v for a in _flat(x)]
    return [np.asarray(v)]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_against_tensorflow(name, fn):
    tft = pytest.importorskip("tensorflow")
    for a, b in zip(_flat(fn(tf)), _flat(fn(tft)), strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_values_against_numpy():
    np.testing.assert_allclose(tf.nn.l2_loss(X4).numpy(), (X4 ** 2).sum() / 2, rtol=1e-5)
    np.testing.assert_allclose(tf.nn.crelu(P).numpy(),
                               np.concatenate([np.maximum(P, 0), np.maximum(-P, 0)], -1))
    z, x, q = LAB.astype(np.float64), LOG.astype(np.float64), 2.5
    want = -(q * z * np.log(1 / (1 + np.exp(-x))) + (1 - z) * np.log(1 - 1 / (1 + np.exp(-x))))
    np.testing.assert_allclose(tf.nn.weighted_cross_entropy_with_logits(z, x, q).numpy(), want)
    m, v = tf.nn.weighted_moments(X4.astype(np.float64), [0, 1, 2], 1.0)
    np.testing.assert_allclose(m.numpy(), X4.mean((0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(v.numpy(), X4.var((0, 1, 2)), rtol=1e-5)
    d = tf.nn.depth_to_space(X4, 2)
    np.testing.assert_allclose(tf.nn.space_to_depth(d, 2).numpy(), X4)
    s = tf.space_to_batch_nd(X4, [2, 2], [[0, 0], [2, 2]])
    assert s.shape == (8, 2, 4, 8)
    np.testing.assert_allclose(tf.batch_to_space(s, [2, 2], [[0, 0], [2, 2]]).numpy(), X4)
    np.testing.assert_array_equal(tf.sequence_mask([1, 3], 4).numpy(),
                                  np.arange(4) < np.array([[1], [3]]))
    hit = tf.math.in_top_k([2, 3, 5, 0], P, 2).numpy()
    for i, tgt in enumerate([2, 3, 5, 0]):
        assert hit[i] == ((P[i] > P[i, tgt]).sum() < 2)
    values, indices = tf.math.top_k(P, 2)
    np.testing.assert_array_equal(indices.numpy(), np.argsort(-P, 1, kind="stable")[:, :2])
    c = tf.clip_by_norm(np.array([3.0, 4.0]), 1.0).numpy()
    np.testing.assert_allclose(c, [0.6, 0.8])


def test_clip_by_global_norm_lists():
    a, b = np.array([3.0, 0.0]), np.array([[4.0]])
    (ca, none, cb), norm = tf.clip_by_global_norm([a, None, b], 1.0)
    assert none is None and float(norm) == 5.0
    np.testing.assert_allclose(ca.numpy(), a / 5)
    np.testing.assert_allclose(cb.numpy(), b / 5)
    (same,), _ = tf.clip_by_global_norm([a], 10.0)
    np.testing.assert_allclose(same.numpy(), a)
    (bad,), n = tf.clip_by_global_norm([np.array([np.inf, 1.0])], 1.0)
    assert np.isinf(n.numpy()) and np.isnan(bad.numpy()).all()
    sl = tf.IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([1]), tf.constant([3, 2]))
    (clipped,), _ = tf.clip_by_global_norm([sl], 1.0)
    assert isinstance(clipped, tf.IndexedSlices)
    np.testing.assert_allclose(clipped.values.numpy(), [[0.6, 0.8]])
    with pytest.raises(TypeError):
        tf.clip_by_global_norm(tf.constant([1.0]), 1.0)


def test_gradients():
    x = RNG.standard_normal((3, 4))
    check_grads(lambda v: tf.clip_by_norm(v, 1.0), x)
    check_grads(lambda v: tf.clip_by_norm(v, 10.0, axes=[1]), x)
    check_grads(lambda a, b: tf.clip_by_global_norm([a, b], 1.5)[0][0], x, x[:1] * 2)
    check_grads(lambda v: tf.nn.lrn(tf.reshape(v, [1, 1, 3, 4]), 1, 1.0, 0.5, 0.75), x)
    check_grads(lambda v: tf.nn.weighted_cross_entropy_with_logits(
        tf.constant(LAB[:3].astype(np.float64)), v, 3.0), x)
    check_grads(lambda v: tf.nn.weighted_moments(v, [1], tf.constant(np.abs(x) + 1))[1], x)
    check_grads(lambda v: tf.nn.depth_to_space(tf.reshape(v, [1, 1, 3, 4]), 2), x)
    check_grads(lambda v: tf.batch_to_space(tf.reshape(v, [4, 3, 1]), [2, 2], [[0, 1], [0, 0]]),
                x)
    check_grads(lambda v: tf.nn.embedding_lookup(v * 1.0, [2, 0, 2], max_norm=1.0), x)


def test_misc_ops():
    a, b = tf.identity_n([tf.constant(1), tf.constant([2.0])])
    assert int(a) == 1 and b.shape == (1,)
    s = tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])
    assert [x.numpy().tolist() for x in s] == [[2, 3], [4]]
    assert tf.ensure_shape(tf.zeros([3, 2]), [None, 2]).shape == (3, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not compatible"):
        tf.ensure_shape(tf.zeros([3]), [4])
    np.testing.assert_array_equal(tf.get_static_value(tf.constant([1, 2])), [1, 2])
    assert tf.get_static_value(3) == 3 and tf.get_static_value(tf.Variable(2.0)) is None
    assert tf.group(a, b) is None and tf.no_op() is None
    with tf.control_dependencies([a]):
        assert int(tf.identity(a)) == 1
    assert tf.AggregationMethod.DEFAULT == tf.AggregationMethod.ADD_N
    assert tf.version.VERSION == tf.__version__
    assert not tf.is_symbolic_tensor(a) and not tf.inside_function()
    seen = []

    @tf.function
    def f(x):
        seen.append((tf.is_symbolic_tensor(x), tf.inside_function(), tf.get_static_value(x)))
        return x
    f(tf.constant(1.0))
    assert seen == [(True, True, None)]


def test_name_scope_queries():
    assert tf.get_current_name_scope() == ""
    with tf.name_scope("a"):
        with tf.name_scope("b"):
            assert tf.get_current_name_scope() == "a/b"
    assert tf.get_current_name_scope() == ""


def test_py_function_eager_graph_and_gradient():
    calls = []

    def np_fn(a):
        calls.append(1)
        return a * 2
    x = tf.constant([1.0, 2.0])
    np.testing.assert_allclose(tf.numpy_function(np_fn, [x], tf.float32).numpy(), [2, 4])
    both = tf.py_function(lambda a: [a, a * 2], [x], [tf.float32, tf.float32])
    assert isinstance(both, list) and len(both) == 2
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.py_function(lambda a: a * a, [x], tf.float32)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2, 4])

    @tf.function
    def f(v):
        return tf.numpy_function(np_fn, [v], tf.float32) + 1
    calls.clear()
    np.testing.assert_allclose(f(x).numpy(), [3, 5])
    np.testing.assert_allclose(f(x + 1).numpy(), [5, 7])
    n = len(calls)
    np.testing.assert_allclose(f(x).numpy(), [3, 5])
    assert len(calls) == n + 1  # the graph calls the Python function on every run
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.py_function(lambda a: tf.cast(a, tf.float64), [x], tf.float32)
    # a function called under a tape runs the Python function's ops on the tape
    g = tf.function(lambda v: tf.py_function(lambda a: a * a, [v], tf.float32) + 1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2, 4])


def test_initializers_are_keras_ones():
    np.testing.assert_array_equal(tf.zeros_initializer()([2], tf.float32).numpy(), [0, 0])
    np.testing.assert_array_equal(tf.ones_initializer()([2]).numpy(), [1, 1])
    np.testing.assert_array_equal(tf.constant_initializer(3.0)([2]).numpy(), [3, 3])
    r = tf.random_normal_initializer(stddev=2.0, seed=1)([4000]).numpy()
    assert abs(r.std() - 2.0) < 0.1
    u = tf.random_uniform_initializer(-1.0, 1.0, seed=1)([1000]).numpy()
    assert u.min() >= -1 and u.max() <= 1


def test_assertions():
    dbg = tf.debugging
    assert dbg.assert_equal([1, 2], [1, 2]) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"(?s)msg.*x == y.*\[\[1\]\]"):
        dbg.assert_equal([1, 2, 3], [1, 0, 3], message="msg")
    for f, bad in [(dbg.assert_greater, ([1, 2], [1, 1])), (dbg.assert_less, ([1, 2], [2, 2])),
                   (dbg.assert_greater_equal, ([0], [1])), (dbg.assert_less_equal, ([2], [1])),
                   (dbg.assert_none_equal, ([1, 2], [3, 2]))]:
        with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold"):
            f(*bad)
    for f, bad, good in [(dbg.assert_positive, [1, 0], [1]), (dbg.assert_negative, [-1, 0], [-1]),
                         (dbg.assert_non_negative, [-1], [0]),
                         (dbg.assert_non_positive, [1], [0])]:
        f(good)
        with pytest.raises(tf.errors.InvalidArgumentError, match="element-wise"):
            f(bad)
    dbg.assert_near([1.0, 2.0], [1.0, 2.0 + 1e-7])
    with pytest.raises(tf.errors.InvalidArgumentError, match="tolerance"):
        dbg.assert_near([1.0, 2.0], [1.0, 2.1])
    with pytest.raises(ValueError, match="must have rank 3"):
        dbg.assert_rank(tf.zeros([2, 3]), 3)
    with pytest.raises(ValueError, match="at least 2"):
        dbg.assert_rank_at_least(tf.zeros([2]), 2)
    with pytest.raises(ValueError, match="rank in"):
        dbg.assert_rank_in(tf.zeros([2]), [0, 2])
    with pytest.raises(TypeError):
        dbg.assert_type(tf.zeros([2]), tf.int32)
    with pytest.raises(TypeError):
        dbg.assert_integer(tf.zeros([2]))
    with pytest.raises(ValueError, match="scalar"):
        dbg.assert_scalar(tf.zeros([2]))
    assert dbg.assert_same_float_dtype([tf.zeros([1])]) is tf.float32
    with pytest.raises(ValueError):
        dbg.assert_same_float_dtype([tf.zeros([1]), tf.zeros([1], tf.float64)])
    dbg.assert_shapes([(tf.zeros([2, 3]), ("N", "Q")), (tf.zeros([2]), ("N",))])
    with pytest.raises(ValueError, match="must have size 2"):
        dbg.assert_shapes([(tf.zeros([2, 3]), ("N", "Q")), (tf.zeros([3]), ("N",))])
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad"):
        tf.Assert(False, ["bad", tf.constant([1, 2])])
    assert dbg.is_numeric_tensor(tf.zeros(1)) and not dbg.is_numeric_tensor(1.0)
    # (by name: other tests may reload tfx's modules, making new function objects)
    assert (tf.assert_equal.__module__, tf.assert_equal.__name__) == \
        (dbg.assert_equal.__module__, "assert_equal")


def test_assert_runs_when_the_graph_runs():
    @tf.function
    def f(x):
        tf.debugging.assert_positive(x)
        tf.Assert(tf.reduce_all(x < 10.0), ["too big:", x])
        return x * 2
    np.testing.assert_allclose(f(tf.constant([1.0])).numpy(), [2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="element-wise"):
        f(tf.constant([-1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="too big"):
        f(tf.constant([11.0]))


def test_traceback_filtering_switch():
    assert tf.debugging.is_traceback_filtering_enabled()
    tf.debugging.disable_traceback_filtering()
    try:
        assert not tf.debugging.is_traceback_filtering_enabled()
    finally:
        tf.debugging.enable_traceback_filtering()
    assert tf.debugging.is_traceback_filtering_enabled()


def test_dtypes_and_config_aliases():
    np.testing.assert_array_equal(tf.dtypes.cast([1, 2], tf.float32).numpy(), [1.0, 2.0])
    assert tf.dtypes.saturate_cast.__name__ == "saturate_cast"
    assert tf.dtypes.complex(1.0, 2.0).numpy() == 1 + 2j
    assert tf.config.experimental_run_functions_eagerly.__name__ == "run_functions_eagerly"
    assert tf.config.get_soft_device_placement()
    tf.config.set_soft_device_placement(False)
    try:
        assert not tf.config.get_soft_device_placement()
    finally:
        tf.config.set_soft_device_placement(True)
    cpu = tf.config.list_physical_devices("CPU")[0]
    assert tf.config.get_logical_device_configuration(cpu) is None
    cfg = tf.config.LogicalDeviceConfiguration(memory_limit=10)
    assert cfg.memory_limit == 10 and cfg.experimental_priority is None


def test_symbolic_gradients_in_a_function():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        y = tf.reduce_sum(x * x * v) + tf.sin(x[0])
        return tf.gradients(y, [x, v])
    gx, gv = f(tf.constant([3.0, 4.0]))
    np.testing.assert_allclose(gx.numpy(), [2 * 3.0 * 1 + np.cos(3.0), 2 * 4.0 * 2], rtol=1e-6)
    np.testing.assert_allclose(gv.numpy(), [9.0, 16.0])
    np.testing.assert_allclose(f(tf.constant([1.0, 1.0]))[1].numpy(), [1.0, 1.0])

    @tf.function
    def h(x):
        return tf.hessians(tf.reduce_sum(x ** 3) + x[0] * x[1], x)[0]
    np.testing.assert_allclose(h(tf.constant([1.0, 2.0])).numpy(), [[6, 1], [1, 12]])

    @tf.function
    def u(x, z):
        y = x * 2.0
        return (tf.gradients(y, [x, z])[1] is None,
                tf.gradients(y, [z], unconnected_gradients="zero")[0],
                tf.gradients(y * y, x, grad_ys=tf.constant([1.0, 0.5]))[0])
    none, zero, weighted = u(tf.constant([1.0, 2.0]), tf.constant(3.0))
    assert none and float(zero) == 0.0
    np.testing.assert_allclose(weighted.numpy(), [8 * 1.0, 8 * 2.0 * 0.5])
    with pytest.raises(RuntimeError, match="GradientTape"):
        tf.gradients(tf.constant(1.0), tf.constant(2.0))


def test_keras_modules_at_top_level():
    for name in ("losses", "metrics", "optimizers", "initializers"):
        assert getattr(tf, name).__name__ == getattr(tf.keras, name).__name__
    assert tf.losses.MeanSquaredError.__name__ == "MeanSquaredError"
    assert tf.optimizers.schedules.ExponentialDecay.__name__ == "ExponentialDecay"


def test_check_numerics():
    with pytest.raises(tf.errors.InvalidArgumentError, match="msg : Tensor had Inf values"):
        tf.debugging.check_numerics(tf.constant([1.0, np.inf]), "msg")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Inf and NaN"):
        tf.debugging.check_numerics(tf.constant([np.nan, np.inf]), "msg")
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T'"):
        tf.debugging.check_numerics(tf.constant([1, 2]), "msg")
    f = tf.function(lambda x: tf.debugging.check_numerics(tf.math.log(x), "log"))
    np.testing.assert_allclose(f(tf.constant([1.0])).numpy(), [0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="log : Tensor had Inf"):
        f(tf.constant([0.0]))
    x = tf.constant([1.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x, "x") * 2.0
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sqrt(tf.debugging.check_numerics(x, "x"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="in gradient"):
        tape.gradient(y, x)
