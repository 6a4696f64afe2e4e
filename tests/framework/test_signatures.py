"""TensorFlow's parameter names, order and defaults on tfx's functions: each fixed signature is
called with TensorFlow's keywords (and positionally where the order changed) and its values are
checked against NumPy or TensorFlow; one test compares the signatures of the most used names
with TensorFlow's."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import numeric_grad
from tests.framework.signatures import resolve, signature_issues

RNG = np.random.default_rng(7)

# The most used names, and every name whose signature was fixed: a regression shows here.
COMMON = """constant convert_to_tensor cast reshape transpose concat stack unstack squeeze
expand_dims gather gather_nd where zeros ones zeros_like ones_like fill range eye identity matmul
add subtract multiply divide reduce_sum reduce_mean reduce_max reduce_min reduce_prod reduce_any
reduce_all argmax argmin one_hot clip_by_value clip_by_norm clip_by_global_norm shape size rank
tile pad split slice boolean_mask scatter_nd tensor_scatter_nd_update tensor_scatter_nd_add
tensor_scatter_nd_max tensor_scatter_nd_min tensor_scatter_nd_sub sort argsort einsum
broadcast_to abs exp sqrt square maximum minimum tuple hessians gradients stop_gradient norm
linspace meshgrid repeat roll searchsorted sequence_mask unique cumsum tensordot while_loop cond
map_fn function GradientTape Variable Variable.assign Variable.assign_add Variable.assign_sub
math.atan2 math.log math.sigmoid math.tanh math.softplus math.count_nonzero math.top_k
math.cumsum math.reduce_logsumexp math.equal math.logical_and math.logical_or math.logical_xor
math.floor math.round math.sign math.pow math.igamma math.igammac math.zeta math.polygamma
math.lgamma math.segment_sum math.unsorted_segment_sum math.reduce_std math.reduce_variance
math.l2_normalize math.divide_no_nan math.floormod math.squared_difference math.bincount
math.confusion_matrix nn.relu nn.relu6 nn.elu nn.selu nn.gelu nn.silu nn.leaky_relu nn.softmax
nn.log_softmax nn.softplus nn.sigmoid_cross_entropy_with_logits
nn.softmax_cross_entropy_with_logits nn.sparse_softmax_cross_entropy_with_logits nn.conv2d
nn.conv1d nn.conv2d_transpose nn.depthwise_conv2d nn.max_pool2d nn.avg_pool2d nn.dropout
nn.l2_loss nn.crelu nn.lrn nn.local_response_normalization nn.moments nn.batch_normalization
nn.bias_add nn.embedding_lookup nn.l2_normalize nn.depthwise_conv2d_backprop_input
nn.depthwise_conv2d_backprop_filter random.normal random.uniform random.shuffle
random.categorical random.set_seed random.stateless_normal random.stateless_uniform
linalg.matmul linalg.inv linalg.norm linalg.det linalg.solve linalg.eigh linalg.svd linalg.qr
linalg.cholesky linalg.diag linalg.trace image.resize image.stateless_random_saturation
image.random_flip_left_right image.adjust_brightness strings.to_number strings.split
strings.join strings.length strings.lower strings.regex_replace sparse.segment_sum
sparse.to_dense sparse.from_dense sparse.SparseTensor sparse.reduce_sum debugging.assert_equal
debugging.assert_none_equal debugging.assert_all_finite debugging.check_numerics
debugging.assert_shapes errors.OpError errors.InvalidArgumentError saved_model.SaveOptions
data.Dataset.from_tensor_slices data.Dataset.batch data.Dataset.map data.Dataset.shuffle
data.Dataset.prefetch data.DatasetSpec.is_compatible_with data.Options.merge
linalg.LinearOperatorIdentity.add_to_tensor linalg.LinearOperatorScaledIdentity.add_to_tensor
linalg.LinearOperatorZeros.add_to_tensor""".split()


@pytest.mark.parametrize("name", COMMON)
def test_signature_matches_tensorflow(name):
    real = pytest.importorskip("tensorflow")
    assert signature_issues(resolve(real, name), resolve(tf, name)) == []


def _tf():
    return pytest.importorskip("tensorflow")


# ---- renamed and reordered parameters -------------------------------------------------------

def test_atan2_takes_y_then_x():
    y = RNG.standard_normal(5).astype(np.float32)
    x = RNG.standard_normal(5).astype(np.float32)
    want = np.arctan2(y, x)
    np.testing.assert_allclose(tf.math.atan2(y, x).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(tf.math.atan2(x=x, y=y).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(tf.atan2(y=y, x=x, name="a").numpy(), want, rtol=1e-6)
    xs = tf.constant(x.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch(xs)
        r = tf.reduce_sum(tf.math.atan2(y=tf.constant(y.astype(np.float64)), x=xs))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(tape.gradient(r, xs).numpy(), -y / (x64 ** 2 + y ** 2), rtol=1e-5)


def test_clip_ops_take_t():
    v = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(tf.clip_by_value(t=v, clip_value_min=-0.5, clip_value_max=0.5)
                               .numpy(), np.clip(v, -0.5, 0.5))
    norm = np.sqrt((v ** 2).sum(axis=1, keepdims=True))
    want = v * 1.0 / np.maximum(norm, 1.0)
    np.testing.assert_allclose(tf.clip_by_norm(t=v, clip_norm=1.0, axes=[1]).numpy(), want,
                               rtol=1e-6)


def test_softplus_and_l2_loss_keywords():
    f = RNG.standard_normal(6).astype(np.float32) * 5
    for fn in (tf.math.softplus, tf.nn.softplus):
        np.testing.assert_allclose(fn(features=f).numpy(), np.logaddexp(0, f), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.l2_loss(t=f).numpy(), (f ** 2).sum() / 2, rtol=1e-6)


def test_special_functions_keywords_match_tensorflow():
    real = _tf()
    a = np.array([0.5, 2.0, 3.5]); x = np.array([1.0, 3.0, 0.7])
    for name in ("igamma", "igammac"):
        got = getattr(tf.math, name)(a=a, x=x).numpy()
        np.testing.assert_allclose(got, getattr(real.math, name)(a=a, x=x).numpy(), rtol=1e-9)
        np.testing.assert_allclose(getattr(tf.math, name)(x=x, a=a).numpy(), got)
    n = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tf.math.polygamma(a=n, x=x + 1).numpy(),
                               real.math.polygamma(a=n, x=x + 1).numpy(), rtol=1e-8)
    s = np.array([2.0, 3.0, 4.5]); q = np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(tf.math.zeta(x=s, q=q).numpy(), real.math.zeta(x=s, q=q).numpy(),
                               rtol=1e-8)
    np.testing.assert_allclose(tf.math.zeta(s, q).numpy(), real.math.zeta(s, q).numpy(),
                               rtol=1e-8)


def test_crelu_axis_is_second():
    f = RNG.standard_normal((2, 3)).astype(np.float32)
    want = np.concatenate([np.maximum(f, 0), np.maximum(-f, 0)], axis=0)
    np.testing.assert_array_equal(tf.nn.crelu(f, 0).numpy(), want)
    np.testing.assert_array_equal(tf.nn.crelu(features=f, axis=0).numpy(), want)


def test_count_nonzero_keepdims_none_is_false():
    v = np.array([[0, 1, 2], [0, 0, 3]])
    assert tf.math.count_nonzero(v, axis=1, keepdims=None).numpy().tolist() == [2, 1]
    assert tf.math.count_nonzero(v, 1, True).numpy().tolist() == [[2], [1]]


def test_logical_xor_default_name():
    import inspect
    assert inspect.signature(tf.math.logical_xor).parameters["name"].default == "LogicalXor"
    assert tf.math.logical_xor(x=[True, False], y=[True, True]).numpy().tolist() == [False, True]


def test_lrn_integer_defaults_match_tensorflow():
    real = _tf()
    x = RNG.standard_normal((1, 2, 2, 6)).astype(np.float32)
    np.testing.assert_allclose(tf.nn.lrn(x, 2).numpy(), real.nn.lrn(x, 2).numpy(), rtol=1e-5)
    np.testing.assert_allclose(tf.nn.local_response_normalization(input=x).numpy(),
                               real.nn.local_response_normalization(input=x).numpy(), rtol=1e-5)


def test_depthwise_backprop_default_dilations_match_tensorflow():
    real = _tf()
    x = RNG.standard_normal((1, 5, 5, 2)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 2, 2)).astype(np.float32)
    dy = RNG.standard_normal((1, 5, 5, 4)).astype(np.float32)
    kw = dict(strides=[1, 1, 1, 1], padding="SAME")
    np.testing.assert_allclose(
        tf.nn.depthwise_conv2d_backprop_input([1, 5, 5, 2], w, dy, **kw).numpy(),
        real.nn.depthwise_conv2d_backprop_input([1, 5, 5, 2], w, dy, **kw).numpy(), rtol=1e-4,
        atol=1e-5)
    np.testing.assert_allclose(
        tf.nn.depthwise_conv2d_backprop_filter(x, [3, 3, 2, 2], dy, **kw).numpy(),
        real.nn.depthwise_conv2d_backprop_filter(x, [3, 3, 2, 2], dy, **kw).numpy(),
        rtol=1e-4, atol=1e-4)


def test_hessians_positional_order():
    x = tf.Variable([1.0, 2.0], dtype=tf.float64)

    @tf.function
    def h():
        y = tf.reduce_sum(x ** 3)
        return tf.hessians(y, [x], False, None, "h")[0]
    np.testing.assert_allclose(h().numpy(), np.diag([6.0, 12.0]))


def test_tuple_control_inputs_second():
    a, b = tf.constant(1.0), tf.constant([2.0])
    out = tf.tuple([a, b], None, "t")
    assert [o.numpy().tolist() for o in out] == [1.0, [2.0]]
    out = tf.tuple(tensors=[a], control_inputs=[b])
    assert out[0].numpy() == 1.0


def test_debugging_assertions_keywords():
    with pytest.raises(tf.errors.InvalidArgumentError, match="never equal"):
        tf.debugging.assert_none_equal([1, 2], [3, 2], 3, "never equal")
    assert tf.debugging.assert_none_equal(x=[1], y=[2], summarize=1, message="m") is None
    v = np.array([1.0, 2.0], np.float32)
    np.testing.assert_array_equal(tf.debugging.assert_all_finite(x=v, message="m").numpy(), v)
    with pytest.raises(tf.errors.InvalidArgumentError, match="has a nan"):
        tf.debugging.assert_all_finite(x=np.array([np.nan], np.float32), message="has a nan")


def test_strings_to_number_input_keyword():
    np.testing.assert_allclose(tf.strings.to_number(input=["1.5", "-2"]).numpy(), [1.5, -2])
    assert tf.strings.to_number(input=["7"], out_type=tf.int64).dtype is tf.int64


def test_stateless_random_saturation_seed_keyword():
    img = RNG.random((4, 4, 3)).astype(np.float32)
    a = tf.image.stateless_random_saturation(img, 0.5, 1.5, seed=[1, 2]).numpy()
    b = tf.image.stateless_random_saturation(img, 0.5, 1.5, [1, 2]).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):  # None is TensorFlow's default, and an error there too
        tf.image.stateless_random_saturation(img, 0.5, 1.5)


# ---- accepted TensorFlow-only arguments -----------------------------------------------------

def test_layout_is_accepted_and_ignored():
    assert tf.zeros([2], layout=None).numpy().tolist() == [0, 0]
    assert tf.ones([2], tf.int32, "o", None).numpy().tolist() == [1, 1]
    assert tf.fill([2], 3.0, layout=None).numpy().tolist() == [3.0, 3.0]
    assert tf.zeros_like([1, 2], layout=None).numpy().tolist() == [0, 0]
    assert tf.ones_like([1, 2], layout=None).numpy().tolist() == [1, 1]


def test_shape_and_size_out_type_none_is_int32():
    assert tf.shape(np.zeros((2, 3)), out_type=None).dtype is tf.int32
    assert tf.size(np.zeros((2, 3))).dtype is tf.int32
    assert tf.shape(np.zeros((2, 3)), tf.int64).numpy().tolist() == [2, 3]


def test_dataset_map_and_shuffle_keywords():
    ds = tf.data.Dataset.range(6).map(lambda v: v * 2, synchronous=True,
                                      use_unbounded_threadpool=False)
    assert sorted(int(v) for v in ds) == [0, 2, 4, 6, 8, 10]
    sh = tf.data.Dataset.range(20).shuffle(20, seed=3)  # reshuffles each epoch by default
    first, second = [int(v) for v in sh], [int(v) for v in sh]
    assert sorted(first) == list(range(20)) and first != second
    fixed = tf.data.Dataset.range(20).shuffle(20, seed=3, reshuffle_each_iteration=False)
    assert [int(v) for v in fixed] == [int(v) for v in fixed]


def test_variable_assign_use_locking_default():
    v = tf.Variable([1.0, 2.0])
    v.assign([3.0, 4.0], False)
    v.assign_add([1.0, 1.0], use_locking=False)
    v.assign_sub(delta=[0.5, 0.5])
    assert v.numpy().tolist() == [3.5, 4.5]


def test_save_options_debug_stripper_and_op_error_code():
    opts = tf.saved_model.SaveOptions(experimental_debug_stripper=True)
    assert opts.save_debug_info is False
    e = tf.errors.OpError(None, None, "boom", tf.errors.NOT_FOUND)
    assert e.error_code == tf.errors.NOT_FOUND and str(e) == "boom"
    e = tf.errors.InvalidArgumentError(None, None, "bad", "extra")
    assert e.error_code == tf.errors.INVALID_ARGUMENT and e.message == "bad"


# ---- sparse.segment_sum ---------------------------------------------------------------------

DATA = np.arange(12.0).reshape(4, 3)


def _segment_sum_numpy(data, indices, ids, n):
    out = np.zeros((n,) + data.shape[1:])
    for i, s in zip(indices, ids):
        out[s] += data[i]
    return out


@pytest.mark.parametrize("indices,ids,n", [([0, 2, 1], [0, 0, 2], None),
                                           ([0, 2, 1], [0, 0, 2], 5),
                                           ([3, 3], [1, 1], None), ([], [], 2)])
def test_sparse_segment_sum_values(indices, ids, n):
    got = tf.sparse.segment_sum(data=DATA, indices=indices, segment_ids=ids, num_segments=n)
    rows = n if n is not None else (ids[-1] + 1 if ids else 0)
    np.testing.assert_array_equal(got.numpy(), _segment_sum_numpy(DATA, indices, ids, rows))


def test_sparse_segment_sum_matches_tensorflow_and_errors():
    real = _tf()
    for args in (([0, 2, 1], [0, 0, 2], None), ([1, 0], [0, 3], 6)):
        np.testing.assert_array_equal(tf.sparse.segment_sum(DATA, *args).numpy(),
                                      real.sparse.segment_sum(DATA, *args).numpy())
    for indices, ids, n, msg in (([0, 2, 1], [1, 0, 2], None, "not increasing"),
                                 ([0, 9, 1], [0, 0, 2], None, "out of range"),
                                 ([0, 2, 1], [0, 0, 4], 2, "< num_segments"),
                                 ([0, 2], [0, 0, 1], None, "same size")):
        with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
            tf.sparse.segment_sum(DATA, indices, ids, n)
        with pytest.raises(real.errors.InvalidArgumentError):
            real.sparse.segment_sum(DATA, indices, ids, n)


def test_sparse_segment_sum_gradient_dense_or_sliced():
    v = tf.Variable(DATA)
    with tf.GradientTape(persistent=True) as tape:
        dense = tf.sparse.segment_sum(v, [0, 2, 2], [0, 0, 1])
        sliced = tf.sparse.segment_sum(v, [0, 2, 2], [0, 0, 1], sparse_gradient=True)
    g = tape.gradient(dense, v)
    assert isinstance(g, tf.Tensor)
    np.testing.assert_array_equal(g.numpy(), [[1] * 3, [0] * 3, [2] * 3, [0] * 3])
    gs = tape.gradient(sliced, v)
    assert isinstance(gs, tf.IndexedSlices)
    np.testing.assert_array_equal(tf.convert_to_tensor(gs).numpy(), g.numpy())


# ---- bad_indices_policy ---------------------------------------------------------------------

P = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
BAD = [[0, 1], [5, 0], [-1, 0], [1, 1]]
UPD = np.array([10.0, 20.0, 30.0, 40.0], np.float32)


def test_gather_nd_ignore_gives_zeros():
    got = tf.gather_nd(P, BAD, bad_indices_policy="IGNORE").numpy()
    np.testing.assert_array_equal(got, [2.0, 0.0, 0.0, 4.0])
    got = tf.gather_nd(params=P, indices=[[0], [5]], bad_indices_policy="IGNORE").numpy()
    np.testing.assert_array_equal(got, [[1.0, 2.0], [0.0, 0.0]])
    b = tf.gather_nd([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1], [3]], batch_dims=1,
                     bad_indices_policy="IGNORE")
    np.testing.assert_array_equal(b.numpy(), [[3, 4], [0, 0]])


@pytest.mark.parametrize("policy", ["", "DEFAULT", "ERROR"])
def test_bad_indices_raise_on_cpu(policy):
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index"):
        tf.gather_nd(P, BAD, bad_indices_policy=policy)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index"):
        tf.tensor_scatter_nd_add(P, BAD, UPD, bad_indices_policy=policy)


def test_unknown_bad_indices_policy():
    with pytest.raises(tf.errors.NotFoundError, match="bogus"):  # as TensorFlow's gather_nd
        tf.gather_nd(P, [[0, 0]], bad_indices_policy="bogus")
    with pytest.raises(tf.errors.InvalidArgumentError, match="bogus"):
        tf.tensor_scatter_nd_add(P, [[0, 0]], [1.0], bad_indices_policy="bogus")


def test_scatters_ignore_out_of_range_updates():
    keep = [True, False, False, True]
    good = [i for i, k in zip(BAD, keep) if k]
    u = UPD[keep]
    cases = {
        "add": (tf.tensor_scatter_nd_add, lambda r, i, v: r.__setitem__(i, r[i] + v)),
        "sub": (tf.tensor_scatter_nd_sub, lambda r, i, v: r.__setitem__(i, r[i] - v)),
        "max": (tf.tensor_scatter_nd_max, lambda r, i, v: r.__setitem__(i, max(r[i], v))),
        "min": (tf.tensor_scatter_nd_min, lambda r, i, v: r.__setitem__(i, min(r[i], v))),
    }
    for fn, apply in cases.values():
        want = P.copy()
        for i, v in zip(good, u):
            apply(want, tuple(i), v)
        got = fn(tensor=P, indices=BAD, updates=UPD, bad_indices_policy="IGNORE")
        np.testing.assert_array_equal(got.numpy(), want)
    got = tf.scatter_nd([[0], [5], [1]], [1.0, 2.0, 3.0], [3], "IGNORE")
    np.testing.assert_array_equal(got.numpy(), [1.0, 3.0, 0.0])


def test_bad_indices_match_tensorflow():
    real = _tf()
    np.testing.assert_array_equal(
        tf.gather_nd(P, BAD, bad_indices_policy="IGNORE").numpy(),
        real.gather_nd(P, BAD, bad_indices_policy="IGNORE").numpy())
    for name in ("tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_max",
                 "tensor_scatter_nd_min"):
        np.testing.assert_array_equal(
            getattr(tf, name)(P, BAD, UPD, bad_indices_policy="IGNORE").numpy(),
            getattr(real, name)(P, BAD, UPD, bad_indices_policy="IGNORE").numpy())


def test_ignored_indices_gradients():
    p = RNG.standard_normal((3, 2))
    idx = [[0, 1], [7, 0], [2, 0], [2, 0]]
    w = RNG.standard_normal(4)

    def gather_loss(pv):
        return float(np.sum(w * tf.gather_nd(pv, idx, bad_indices_policy="IGNORE").numpy()))
    pt = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(pt)
        y = tf.reduce_sum(w * tf.gather_nd(pt, idx, bad_indices_policy="IGNORE"))
    np.testing.assert_allclose(tf.convert_to_tensor(tape.gradient(y, pt)).numpy(),
                               numeric_grad(gather_loss, p), atol=1e-6)

    def scatter_loss(uv):
        out = tf.tensor_scatter_nd_add(p, idx, uv, bad_indices_policy="IGNORE").numpy()
        return float(np.sum(out ** 2))
    u = tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch(u)
        y = tf.reduce_sum(tf.tensor_scatter_nd_add(p, idx, u, bad_indices_policy="IGNORE") ** 2)
    np.testing.assert_allclose(tf.convert_to_tensor(tape.gradient(y, u)).numpy(),
                               numeric_grad(scatter_loss, w), atol=1e-6)


def test_linear_operator_add_to_tensor_mat_keyword():
    mat = np.arange(4.0, dtype=np.float32).reshape(2, 2)
    ops = [tf.linalg.LinearOperatorIdentity(2), tf.linalg.LinearOperatorScaledIdentity(2, 3.0),
           tf.linalg.LinearOperatorZeros(2)]
    for op, diag in zip(ops, (1.0, 3.0, 0.0)):
        np.testing.assert_allclose(op.add_to_tensor(mat=mat).numpy(), mat + diag * np.eye(2))


def test_dataset_spec_and_options_keywords():
    ds = tf.data.Dataset.range(3)
    assert ds.element_spec is not None
    spec = tf.data.DatasetSpec.from_value(ds)
    assert spec.is_compatible_with(spec_or_value=ds)
    a, b = tf.data.Options(), tf.data.Options()
    b.deterministic = False
    assert a.merge(options=b).deterministic is False
