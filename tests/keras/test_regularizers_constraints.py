"""tfx.keras.regularizers and tfx.keras.constraints: values, configs and names vs Keras 3."""
import numpy as np
import pytest

import tfx
from tfx.keras import constraints as C
from tfx.keras import regularizers as R


def _w(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(0, 1.2, size=shape).astype(dtype)


REGULARIZERS = [("L1", {}), ("L1", {"l1": 0.3}), ("L2", {}), ("L2", {"l2": 1.5}),
                ("L1L2", {}), ("L1L2", {"l1": 0.1, "l2": 0.2}), ("L1L2", {"l2": 0.05}),
                ("OrthogonalRegularizer", {}),
                ("OrthogonalRegularizer", {"factor": 0.4, "mode": "columns"})]


@pytest.mark.parametrize("name,kw", REGULARIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("shape", [(5, 7), (7, 5)])
def test_regularizer_values_match_keras(name, kw, shape):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    w = _w(shape)
    want = float(getattr(keras.regularizers, name)(**kw)(tf.constant(w)))
    got = getattr(R, name)(**kw)(tfx.constant(w))
    assert got.dtype is tfx.float32 and got.shape == ()
    assert float(got) == pytest.approx(want, rel=1e-5, abs=1e-7)


def test_regularizer_values_in_float64_and_on_variables():
    w = _w((4, 6), dtype=np.float64)
    assert float(R.L1(0.3)(tfx.constant(w))) == pytest.approx(0.3 * np.abs(w).sum(), rel=1e-14)
    assert float(R.L2(0.2)(tfx.Variable(w))) == pytest.approx(0.2 * (w ** 2).sum(), rel=1e-14)
    assert float(R.L1L2(0.1, 0.2)(w)) == pytest.approx(
        0.1 * np.abs(w).sum() + 0.2 * (w ** 2).sum(), rel=1e-14)
    assert R.L1L2()(tfx.constant(w)).dtype is tfx.float64
    with pytest.raises(ValueError, match="rank 2"):
        R.OrthogonalRegularizer()(tfx.ones((2, 2, 3)))
    # A zero row has no direction: it adds nothing instead of NaN.
    z = R.OrthogonalRegularizer(1.0)(tfx.constant([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]))
    assert np.isfinite(float(z))


def _fd_grad(f, w, h=1e-6):
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        wp, wm = w.copy(), w.copy()
        wp[i] += h
        wm[i] -= h
        g[i] = (float(f(tfx.constant(wp))) - float(f(tfx.constant(wm)))) / (2 * h)
    return g


@pytest.mark.parametrize("reg", [R.L1L2(0.1, 0.2), R.OrthogonalRegularizer(0.3),
                                 R.OrthogonalRegularizer(0.3, "columns")],
                         ids=lambda r: type(r).__name__)
def test_regularizer_gradients_match_finite_differences(reg):
    w = _w((4, 5), seed=2, dtype=np.float64)
    v = tfx.Variable(w)
    with tfx.GradientTape() as tape:
        loss = reg(v)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), _fd_grad(reg, w), rtol=1e-6,
                               atol=1e-8)


def test_regularizer_argument_validation():
    for bad in (-1.0, "a", float("nan")):
        with pytest.raises(ValueError, match="non-negative"):
            R.L1(bad)
    with pytest.raises(ValueError, match="non-negative"):
        R.L1L2(l2=-0.5)
    with pytest.raises(ValueError, match="mode"):
        R.OrthogonalRegularizer(mode="diagonal")
    assert R.L1(None).l1 == 0.01 and R.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}
    assert float(R.Regularizer()(tfx.ones((2,)))) == 0.0


CONSTRAINTS = [("MaxNorm", {}), ("MaxNorm", {"max_value": 1.5, "axis": 1}),
               ("MaxNorm", {"max_value": 3.0, "axis": [0, 1, 2]}), ("NonNeg", {}),
               ("UnitNorm", {}), ("UnitNorm", {"axis": [0, 1]}), ("UnitNorm", {"axis": -1}),
               ("MinMaxNorm", {}), ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5,
                                                   "rate": 0.7, "axis": 1}),
               ("Constraint", {})]


@pytest.mark.parametrize("name,kw", CONSTRAINTS, ids=lambda v: str(v))
@pytest.mark.parametrize("shape", [(6, 4), (3, 3, 4, 5)])
def test_constraint_values_match_keras(name, kw, shape):
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    if isinstance(kw.get("axis"), list) and max(kw["axis"]) >= len(shape):
        pytest.skip("axis beyond the kernel's rank")
    w = _w(shape, seed=1) * np.float32(0.4)  # norms on both sides of the limits
    want = np.asarray(getattr(keras.constraints, name)(**kw)(tf.constant(w)))
    got = getattr(C, name)(**kw)(tfx.constant(w))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-7)


def test_constraints_on_variables_integers_and_epsilon():
    v = tfx.Variable([[3.0, -4.0], [0.0, 0.0]])
    np.testing.assert_allclose(C.MaxNorm(1.0, axis=1)(v).numpy(), [[0.6, -0.8], [0.0, 0.0]],
                               rtol=1e-6)
    np.testing.assert_allclose(C.UnitNorm(axis=1)(v).numpy(), [[0.6, -0.8], [0.0, 0.0]],
                               rtol=1e-6)
    np.testing.assert_array_equal(C.NonNeg()(tfx.constant([1, -2, 0])).numpy(), [1, 0, 0])
    old = tfx.keras.backend.epsilon()
    tfx.keras.backend.set_epsilon(1.0)
    try:
        np.testing.assert_allclose(C.UnitNorm(axis=1)(tfx.constant([[3.0, 4.0]])).numpy(),
                                   [[0.5, 2 / 3]], rtol=1e-6)
    finally:
        tfx.keras.backend.set_epsilon(old)


BUILT_REG = [R.L1(0.25), R.L2(0.5), R.L1L2(0.1, 0.3), R.OrthogonalRegularizer(0.2, "columns")]
BUILT_CON = [C.MaxNorm(1.5, axis=[0, 1]), C.NonNeg(), C.UnitNorm(axis=1),
             C.MinMaxNorm(0.2, 2.0, 0.5, axis=-1)]


@pytest.mark.parametrize("obj", BUILT_REG + BUILT_CON, ids=lambda o: type(o).__name__)
def test_config_round_trip(obj):
    mod = R if isinstance(obj, R.Regularizer) else C
    config = obj.get_config()
    assert type(obj).from_config(config).get_config() == config
    restored = mod.deserialize(mod.serialize(obj))
    assert type(restored) is type(obj) and restored.get_config() == config
    w = tfx.constant(_w((4, 4), seed=3))
    np.testing.assert_array_equal(np.asarray(obj(w)), np.asarray(restored(w)))


def test_config_keys_match_keras():
    keras = pytest.importorskip("keras")
    for obj in BUILT_REG + BUILT_CON:
        theirs = getattr(keras.regularizers if isinstance(obj, R.Regularizer)
                         else keras.constraints, type(obj).__name__)()
        assert set(obj.get_config()) == set(theirs.get_config()), type(obj).__name__
    assert C.MaxNorm().get_config() == keras.constraints.MaxNorm().get_config()
    assert C.MinMaxNorm().get_config() == keras.constraints.MinMaxNorm().get_config()


def test_every_keras_name_resolves_to_the_same_class():
    pytest.importorskip("keras")
    from keras.src import constraints as kc
    from keras.src import regularizers as kr
    for mod, theirs in ((R, kr), (C, kc)):
        for name, cls in theirs.ALL_OBJECTS_DICT.items():
            assert name in mod.BUILTINS, name
            obj = mod.get(name)
            assert type(obj).__name__ == cls.__name__, name
            if cls.__name__ not in ("Regularizer",):  # Keras' base has no config at all
                assert obj.get_config() == _rounded(cls().get_config()), name
    assert isinstance(R.get("l1_l2"), R.L1L2)


def _rounded(config):
    # Keras 3 stores L1's and OrthogonalRegularizer's factors as float32 tensors.
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in config.items()}


def test_get_accepts_none_instances_classes_functions_and_configs():
    for mod in (R, C):
        assert mod.get(None) is None
        with pytest.raises(ValueError):
            mod.get(5)
        with pytest.raises(ValueError):
            mod.get("nope")
    reg = R.L2(0.3)
    assert R.get(reg) is reg and isinstance(R.get(R.L1), R.L1)
    assert isinstance(C.get(C.NonNeg), C.NonNeg)
    assert R.get({"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.0}}).l1 == 0.5
    keras_cfg = {"module": "keras.constraints", "class_name": "MaxNorm",
                 "config": {"max_value": 3, "axis": 0}, "registered_name": None}
    assert C.get(keras_cfg).max_value == 3

    def my_positive_weights(weights):
        return tfx.where(weights < 0., tfx.zeros_like(weights), weights)

    def my_l1_regularizer(weights):
        return tfx.reduce_sum(tfx.abs(0.01 * weights))

    assert C.get(my_positive_weights) is my_positive_weights
    assert R.get(my_l1_regularizer) is my_l1_regularizer
    with pytest.raises(ValueError, match="Did you mean"):
        C.get("non_negg")


def test_book_custom_regularizer_and_constraint_subclasses():
    class MyL1Regularizer(tfx.keras.regularizers.Regularizer):
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, weights):
            return tfx.reduce_sum(tfx.abs(self.factor * weights))

        def get_config(self):
            return {"factor": self.factor}

    reg = MyL1Regularizer(0.01)
    assert float(reg(tfx.constant([1.0, -2.0]))) == pytest.approx(0.03)
    restored = R.deserialize(R.serialize(reg), custom_objects={"MyL1Regularizer": MyL1Regularizer})
    assert isinstance(restored, MyL1Regularizer) and restored.factor == 0.01

    class ClipTo(C.Constraint):  # no get_config written: captured from __init__
        def __init__(self, limit, axis=0):
            self.limit = limit
            self.axis = axis

        def __call__(self, w):
            return tfx.clip_by_value(w, -self.limit, self.limit)

    con = ClipTo(0.5, axis=1)
    assert con.get_config() == {"limit": 0.5, "axis": 1}
    again = C.deserialize(C.serialize(con), custom_objects={"ClipTo": ClipTo})
    np.testing.assert_allclose(again(tfx.constant([2.0, -0.1])).numpy(), [0.5, -0.1], rtol=1e-7)
