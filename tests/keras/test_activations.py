"""tfx.keras.activations against Keras 3 (values, names, get/serialize) and finite differences."""
import numpy as np
import pytest

import tfx
from tfx.keras import activations as A

# (name, kwargs); the inputs avoid each function's kinks so finite differences are meaningful.
ELEMENTWISE = [
    ("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 2.0}),
    ("relu", {"max_value": 6.0}), ("relu", {"threshold": 0.7}),
    ("relu", {"threshold": -0.7, "negative_slope": 0.3}),
    ("relu", {"negative_slope": 0.2, "max_value": 1.5, "threshold": 0.4}),
    ("sigmoid", {}), ("tanh", {}), ("softplus", {}), ("softsign", {}), ("selu", {}),
    ("elu", {}), ("elu", {"alpha": 0.3}), ("celu", {"alpha": 2.0}), ("gelu", {}),
    ("gelu", {"approximate": True}), ("silu", {}), ("swish", {}), ("exponential", {}),
    ("linear", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}),
    ("relu6", {}), ("hard_sigmoid", {}), ("hard_silu", {}), ("hard_swish", {}), ("mish", {}),
    ("log_sigmoid", {}), ("hard_tanh", {}), ("hard_shrink", {}),
    ("soft_shrink", {"threshold": 0.8}), ("tanh_shrink", {}), ("sparse_plus", {}),
    ("sparse_sigmoid", {}), ("squareplus", {}), ("squareplus", {"b": 1.5}),
    ("threshold", {"threshold": 0.25, "default_value": -3.0}),
]
KINKS = [0.0, 1.0, -1.0, 0.5, -0.5, 0.8, -0.8, 3.0, -3.0, 6.0, 2.0, 1.5, 0.7, -0.7, 0.4, 0.25]
AXISWISE = [("softmax", {}), ("softmax", {"axis": 0}), ("log_softmax", {}),
            ("log_softmax", {"axis": (0, 2)}), ("glu", {}), ("glu", {"axis": 1}),
]


def _points(n=200, seed=0):
    x = np.random.default_rng(seed).uniform(-8, 8, size=n)
    x = x[np.min(np.abs(x[:, None] - np.array(KINKS)[None, :]), axis=1) > 1e-3]
    return np.concatenate([x, [-30.0, -12.5, 12.5, 30.0]])


def _grad(fn, x, w):
    xt = tfx.constant(x)
    with tfx.GradientTape() as tape:
        tape.watch(xt)
        y = tfx.reduce_sum(fn(xt) * tfx.constant(w))
    return tape.gradient(y, xt).numpy()


def _fd(fn, x, w, h=1e-6):
    g = np.zeros_like(x)
    flat = g.reshape(-1)
    for i in range(x.size):
        xp_, xm = x.copy().reshape(-1), x.copy().reshape(-1)
        xp_[i] += h
        xm[i] -= h
        fp = np.sum(fn(tfx.constant(xp_.reshape(x.shape))).numpy() * w)
        fm = np.sum(fn(tfx.constant(xm.reshape(x.shape))).numpy() * w)
        flat[i] = (fp - fm) / (2 * h)
    return g


def _elementwise_fd(fn, x, h=1e-6):
    return (fn(tfx.constant(x + h)).numpy() - fn(tfx.constant(x - h)).numpy()) / (2 * h)


@pytest.mark.parametrize("name,kw", ELEMENTWISE, ids=lambda v: str(v))
def test_elementwise_values_match_keras(name, kw):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    x = _points()
    want = getattr(keras.activations, name)(tf.constant(x), **kw).numpy()
    got = getattr(A, name)(tfx.constant(x), **kw)
    assert got.dtype is tfx.float64
    # TensorFlow's leaky_relu holds its slope as a float32 attribute and its gelu rounds its
    # constants to float32, even for float64 inputs.
    rtol = 1e-12
    if name == "leaky_relu" or "negative_slope" in kw:
        rtol = 1e-7
    if name == "gelu":
        rtol = 1e-6
    np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=1e-12)
    x32 = x.astype(np.float32)
    want32 = getattr(keras.activations, name)(tf.constant(x32), **kw).numpy()
    got32 = getattr(A, name)(tfx.constant(x32), **kw)
    assert got32.dtype is tfx.float32
    np.testing.assert_allclose(got32.numpy(), want32, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw", ELEMENTWISE, ids=lambda v: str(v))
def test_elementwise_gradients_match_finite_differences(name, kw):
    fn = lambda t: getattr(A, name)(t, **kw)  # noqa: E731
    x = _points(seed=1)
    if name == "linear":
        x = tfx.constant(x)
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = tfx.reduce_sum(fn(x))
        np.testing.assert_allclose(tape.gradient(y, x).numpy(), 1.0)
        return
    g = _grad(fn, x, np.ones_like(x))
    assert np.all(np.isfinite(g)), f"{name}: non-finite gradient at {x[~np.isfinite(g)]}"
    np.testing.assert_allclose(g, _elementwise_fd(fn, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw", AXISWISE, ids=lambda v: str(v))
def test_axiswise_values_and_gradients(name, kw):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1.5, size=(3, 4, 6))
    want = getattr(keras.activations, name)(tf.constant(x), **kw).numpy()
    fn = lambda t: getattr(A, name)(t, **kw)  # noqa: E731
    np.testing.assert_allclose(fn(tfx.constant(x)).numpy(), want, rtol=1e-12, atol=1e-12)
    w = rng.normal(size=want.shape)
    np.testing.assert_allclose(_grad(fn, x, w), _fd(fn, x, w), rtol=1e-6, atol=1e-7)


def _np_sparsemax(x, axis):
    """The sort-based algorithm of Martins & Astudillo (2016)."""
    z = np.moveaxis(x, axis, -1)
    s = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cum = np.cumsum(s, axis=-1)
    kz = np.sum(1 + k * s > cum, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cum, kz - 1, axis=-1) - 1) / kz
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


# Keras 3.15's sparsemax sums the cumulative sums over the support where the paper sums the
# logits (its outputs do not sum to 1), so tfx is checked against the paper's algorithm.
@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_sparsemax_values_and_gradients(axis):
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1.5, size=(3, 4, 6))
    got = A.sparsemax(tfx.constant(x), axis=axis).numpy()
    np.testing.assert_allclose(got, _np_sparsemax(x, axis), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=axis), 1.0, rtol=1e-12)
    fn = lambda t: A.sparsemax(t, axis=axis)  # noqa: E731
    w = rng.normal(size=x.shape)
    np.testing.assert_allclose(_grad(fn, x, w), _fd(fn, x, w), rtol=1e-6, atol=1e-7)


def test_softmax_large_inputs_and_1d():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    x = np.array([1000.0, 1001.0, -1000.0, 3.0], np.float32)
    np.testing.assert_allclose(A.softmax(tfx.constant(x)).numpy(),
                               keras.activations.softmax(tf.constant(x)).numpy(), atol=1e-7)
    s = A.sparsemax(tfx.constant([[0.1, 2.0, 1.9, -3.0]]))
    np.testing.assert_allclose(s.numpy(), [[0.0, 0.55, 0.45, 0.0]], atol=1e-6)


def test_second_derivative_of_smooth_activations():
    x = _points(50, seed=4)
    for name in ("gelu", "softplus", "mish", "selu", "silu"):
        fn = getattr(A, name)
        xt = tfx.constant(x)
        with tfx.GradientTape() as outer:
            outer.watch(xt)
            with tfx.GradientTape() as inner:
                inner.watch(xt)
                y = tfx.reduce_sum(fn(xt))
            g = inner.gradient(y, xt)
        gg = outer.gradient(g, xt).numpy()
        first = lambda t: tfx.constant(_grad(fn, t.numpy(), np.ones(x.shape)))  # noqa: E731
        np.testing.assert_allclose(gg, _elementwise_fd(first, x), rtol=1e-5, atol=1e-5,
                                   err_msg=name)


def test_accepts_variables_and_numpy():
    v = tfx.Variable([-1.0, 2.0])
    np.testing.assert_allclose(A.relu(v).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(A.relu(np.array([-1.0, 2.0])).numpy(), [0.0, 2.0])
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(A.elu(v))
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [np.exp(-1.0), 1.0], rtol=1e-6)


def test_glu_odd_axis_raises():
    with pytest.raises(ValueError, match="divisible by 2"):
        A.glu(tfx.ones((2, 3)))


def test_get_every_keras_name():
    keras = pytest.importorskip("keras")
    from keras.src.activations import ALL_OBJECTS_DICT
    for name in ALL_OBJECTS_DICT:
        fn = A.get(name)
        assert fn is getattr(A, name)
        assert A.serialize(fn) == keras.activations.serialize(keras.activations.get(name))
    assert A.get(None) is A.linear
    assert A.get("swish") is A.silu and A.serialize(A.swish) == "silu"
    assert A.get("hard_swish") is A.hard_silu and A.serialize(A.hard_swish) == "hard_silu"


def test_get_configs_callables_and_errors():
    cfg = {"module": "keras.activations", "class_name": "function", "config": "relu",
           "registered_name": None}
    assert A.get(cfg) is A.relu
    assert A.deserialize("tanh") is A.tanh

    def my_softplus(z):
        return tfx.math.log(1.0 + tfx.exp(z))

    assert A.get(my_softplus) is my_softplus
    with pytest.raises(ValueError):
        A.get("nope")
    with pytest.raises(ValueError):
        A.get(5)
    with pytest.raises(ValueError, match="Did you mean"):
        A.get("rellu")


def test_custom_function_round_trip():
    def my_softplus(z):
        return tfx.math.log(1.0 + tfx.exp(z))

    config = A.serialize(my_softplus)
    assert config["class_name"] == "function" and config["config"] == "my_softplus"
    assert A.deserialize(config, custom_objects={"my_softplus": my_softplus}) is my_softplus
    with tfx.keras.saving.custom_object_scope({"my_softplus": my_softplus}):
        assert A.get("my_softplus") is my_softplus

    @tfx.keras.saving.register_keras_serializable(package="ActTest")
    def scaled_tanh(z):
        return 2.0 * tfx.tanh(z)

    config = A.serialize(scaled_tanh)
    assert config["registered_name"] == "ActTest>scaled_tanh"
    assert A.deserialize(config) is scaled_tanh
    assert A.get("ActTest>scaled_tanh") is scaled_tanh
