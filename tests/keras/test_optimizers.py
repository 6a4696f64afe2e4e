"""tfx.keras.optimizers against Keras 3 (TensorFlow's): same weights after the same gradients."""
import warnings

import numpy as np
import pytest

import tfx
from tfx.keras import optimizers as O

SHAPES = ((3, 4), (4,))


def _data(steps, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    inits = [rng.normal(size=s).astype("float32") for s in SHAPES]
    grads = [[(scale * rng.normal(size=s)).astype("float32") for s in SHAPES]
             for _ in range(steps)]
    return inits, grads


def _keras():
    pytest.importorskip("tensorflow")
    import keras
    return keras


def _run_both(name, kwargs, steps=6, scale=1.0, schedule=None, setup=None):
    """Apply identical gradients with Keras and tfx; return both weights and both optimizers."""
    keras = _keras()
    import tensorflow as tf
    inits, grads = _data(steps, scale)
    kv = [keras.Variable(x, name=f"v{i}") for i, x in enumerate(inits)]
    tv = [tfx.Variable(x, name=f"v{i}") for i, x in enumerate(inits)]
    kkw, tkw = dict(kwargs, name="opt"), dict(kwargs, name="opt")
    if schedule is not None:
        cls, args = schedule
        kkw["learning_rate"] = getattr(keras.optimizers.schedules, cls)(*args)
        tkw["learning_rate"] = getattr(O.schedules, cls)(*args)
    ko = getattr(keras.optimizers, name)(**kkw)
    to = getattr(O, name)(**tkw)
    if setup:
        setup(ko, kv)
        setup(to, tv)
    for gs in grads:
        ko.apply_gradients(zip([tf.constant(g) for g in gs], kv))
        to.apply_gradients(zip([tfx.constant(g) for g in gs], tv))
    return kv, tv, ko, to


def _assert_same(kv, tv, ko, to):
    for a, b in zip(kv, tv):
        want = np.asarray(a.numpy())
        np.testing.assert_allclose(b.numpy(), want, rtol=1e-6, atol=1e-6 * np.abs(want).max())
    # Keras names Nadam's momentum-cache product "variable_<n>"; tfx calls it "u_product".
    assert [v.path for v in to.variables if not v.path.endswith("/u_product")] == \
        [v.path for v in ko.variables if "/variable" not in v.path]
    for a, b in zip(ko.variables, to.variables):
        want = np.asarray(a.numpy())
        np.testing.assert_allclose(b.numpy(), want, rtol=1e-5,
                                   atol=1e-6 * max(1.0, float(np.abs(want).max())))


CASES = [
    ("SGD", {}), ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {}), ("Adam", {"amsgrad": True}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("AdamW", {}), ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Nadam", {}), ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8}),
    ("RMSprop", {}), ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("RMSprop", {"centered": True}), ("RMSprop", {"centered": True, "momentum": 0.9, "rho": 0.8}),
    ("Adagrad", {}), ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("Adamax", {}), ("Adamax", {"learning_rate": 0.01, "beta_2": 0.9}),
    ("Adadelta", {}), ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("Ftrl", {}), ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
                            "l2_regularization_strength": 0.02, "beta": 0.1,
                            "l2_shrinkage_regularization_strength": 0.01,
                            "learning_rate_power": -0.7, "initial_accumulator_value": 0.2}),
    ("Lion", {}), ("Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_keras(name, kwargs):
    _assert_same(*_run_both(name, kwargs))


OPTIONS = [
    ("SGD", {"learning_rate": 0.1, "clipnorm": 1.0}, 3.0),
    ("Adam", {"clipvalue": 0.5}, 3.0),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "global_clipnorm": 1.5}, 3.0),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}, 1.0),
    ("RMSprop", {"weight_decay": 0.05, "clipnorm": 0.1}, 1.0),
    ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9}, 1.0),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_overwrite_frequency": 2}, 1.0),
    ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 3}, 1.0),
    ("Nadam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2, "use_ema": True}, 1.0),
    ("Adam", {"learning_rate": 0.01, "loss_scale_factor": 8.0}, 1.0),
]


@pytest.mark.parametrize("name,kwargs,scale", OPTIONS,
                         ids=[f"{n}-{'-'.join(k)}" for n, k, _ in OPTIONS])
def test_options_match_keras(name, kwargs, scale):
    _assert_same(*_run_both(name, kwargs, steps=7, scale=scale))


SCHEDULED = [
    ("SGD", ("ExponentialDecay", (0.1, 2, 0.5, True))),
    ("Adam", ("CosineDecay", (0.01, 5, 0.1, "cos", 0.02, 2))),
    ("Nadam", ("PiecewiseConstantDecay", ([1, 3], [0.01, 0.005, 0.001]))),
]


@pytest.mark.parametrize("name,schedule", SCHEDULED, ids=[n for n, _ in SCHEDULED])
def test_schedules_drive_updates_like_keras(name, schedule):
    _assert_same(*_run_both(name, {}, schedule=schedule))


def test_schedule_with_accumulation_and_weight_decay_matches_keras():
    _assert_same(*_run_both("AdamW", {"gradient_accumulation_steps": 2},
                            schedule=("ExponentialDecay", (0.01, 1, 0.5)), steps=8))


def test_exclude_from_weight_decay_matches_keras():
    def setup(opt, variables):
        opt.exclude_from_weight_decay(var_names=["v1"])
    kv, tv, ko, to = _run_both("AdamW", {"weight_decay": 0.5, "learning_rate": 0.1},
                               setup=setup)
    _assert_same(kv, tv, ko, to)
    decayed = _run_both("AdamW", {"weight_decay": 0.5, "learning_rate": 0.1})[1]
    assert not np.array_equal(decayed[1].numpy(), tv[1].numpy())
    excluded = O.AdamW(weight_decay=0.5)
    excluded.exclude_from_weight_decay(var_list=[tv[0]])
    assert not excluded._use_weight_decay(tv[0]) and excluded._use_weight_decay(tv[1])


def test_sparse_gradients_match_keras():
    keras = _keras()
    import tensorflow as tf
    rng = np.random.default_rng(3)
    init = rng.normal(size=(5, 3)).astype("float32")
    kv, tv = keras.Variable(init, name="emb"), tfx.Variable(init, name="emb")
    ko, to = keras.optimizers.Adam(0.1, name="o"), O.Adam(0.1, name="o")
    for idx in ([0, 3], [1, 3], [4, 0]):
        values = rng.normal(size=(2, 3)).astype("float32")
        ko.apply_gradients([(tf.IndexedSlices(tf.constant(values), tf.constant(idx),
                                              tf.constant([5, 3])), kv)])
        to.apply_gradients([(tfx.IndexedSlices(tfx.constant(values), tfx.constant(idx),
                                               tfx.constant([5, 3])), tv)])
    np.testing.assert_allclose(tv.numpy(), kv.numpy(), rtol=1e-6, atol=1e-7)


def test_sparse_gradient_with_repeated_rows_squares_each_slice_as_keras():
    # Keras' TF backend squares an IndexedSlices gradient slice by slice: repeated rows add
    # their squares to Adam's second moment, while the first moment and every other term see
    # the summed gradient. tfx gives those numbers (tests/keras/test_optimizers_sparse.py
    # checks them against Keras itself).
    values = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], "float32")
    idx = np.array([2, 0, 2])
    dense = np.zeros((3, 2), "float32")
    np.add.at(dense, idx, values)
    squares = np.zeros((3, 2), "float32")
    np.add.at(squares, idx, values * values)
    a = tfx.Variable(np.ones((3, 2), "float32"))
    oa = O.Adam(0.1)
    m = np.zeros((3, 2), "float32")
    v = np.zeros((3, 2), "float32")
    w = np.ones((3, 2), "float32")
    for t in range(1, 4):
        oa.apply_gradients([(tfx.IndexedSlices(tfx.constant(values), tfx.constant(idx),
                                               tfx.constant([3, 2])), a)])
        m = m + (dense - m) * np.float32(0.1)
        v = v + (squares - v) * np.float32(1 - 0.999)
        alpha = np.float32(0.1) * np.sqrt(np.float32(1) - np.float32(0.999) ** t) / (
            np.float32(1) - np.float32(0.9) ** t)
        w = w - m * alpha / (np.sqrt(v) + np.float32(1e-7))
    np.testing.assert_allclose(a.numpy(), w, rtol=1e-6)


def test_keras_names_and_variables():
    w = tfx.Variable(np.ones((2, 3), "float32"), name="w")
    b = tfx.Variable(np.zeros(3, "float32"), name="b")
    opt = O.RMSprop(momentum=0.5, centered=True, name="rms")
    assert opt.iterations.dtype is tfx.int64 and int(opt.iterations) == 0
    opt.build([w, b])
    assert [v.path for v in opt.variables] == [
        "rms/iteration", "rms/learning_rate", "rms/w_velocity", "rms/b_velocity",
        "rms/w_momentum", "rms/b_momentum", "rms/w_average_gradient", "rms/b_average_gradient"]
    assert O.Adam().name.startswith("adam") and O.RMSprop().name.startswith("rm_sprop")
    assert O.AdamW().name.startswith("adam_w")
    returned = opt.apply_gradients([(tfx.ones((2, 3)), w), (tfx.ones(3), b)])
    assert returned is opt.iterations and int(returned) == 1


def test_none_gradients():
    w = tfx.Variable([1.0, 2.0], name="w")
    b = tfx.Variable([3.0], name="b")
    opt = O.SGD(0.5)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable.*'w', 'b'"):
        opt.apply_gradients([(None, w), (None, b)])
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply_gradients([(tfx.constant([1.0, 1.0]), w), (None, b)])
    np.testing.assert_allclose(w.numpy(), [0.5, 1.5])
    np.testing.assert_allclose(b.numpy(), [3.0])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tfx.constant([1.0]), tfx.Variable([0.0]))])


def test_constraint_applied_after_update():
    w = tfx.Variable([0.5, -2.0, 3.0], constraint=lambda v: tfx.clip_by_value(v, -1.0, 1.0))
    u = tfx.Variable([5.0])
    O.SGD(0.1).apply_gradients([(tfx.constant([1.0, 1.0, -10.0]), w),
                                (tfx.constant([1.0]), u)])
    np.testing.assert_allclose(w.numpy(), [0.4, -1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(u.numpy(), [4.9], rtol=1e-6)


def test_constraint_matches_keras():
    keras = _keras()
    import tensorflow as tf
    dense = keras.layers.Dense(3, kernel_constraint=keras.constraints.NonNeg())
    dense.build((None, 1))
    dense.kernel.assign([[0.5, -2.0, 3.0]])
    tv = tfx.Variable([[0.5, -2.0, 3.0]], constraint=lambda v: tfx.maximum(v, 0.0))
    grad = [[10.0, 1.0, -1.0]]
    keras.optimizers.SGD(0.1).apply_gradients([(tf.constant(grad), dense.kernel)])
    O.SGD(0.1).apply_gradients([(tfx.constant(grad), tv)])
    np.testing.assert_allclose(tv.numpy(), dense.kernel.numpy(), rtol=1e-6)
    assert tv.numpy()[0, 0] == 0.0


def test_minimize_with_loss_callable_and_tape():
    w = tfx.Variable([1.0, -2.0])
    opt = O.SGD(0.1)
    opt.minimize(lambda: tfx.reduce_sum(w * w), [w])  # grad 2w
    np.testing.assert_allclose(w.numpy(), [0.8, -1.6], rtol=1e-6)
    with tfx.GradientTape() as tape:
        loss = tfx.reduce_sum(3.0 * w)
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), [0.5, -1.9], rtol=1e-6)
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(loss, [w])
    scaled = O.SGD(0.1, loss_scale_factor=64.0)
    scaled.minimize(lambda: tfx.reduce_sum(w * w), lambda: [w])
    np.testing.assert_allclose(w.numpy(), [0.4, -1.52], rtol=1e-6)


def test_update_never_mutates_arrays_in_place():
    grad = tfx.constant(np.full((2, 2), 0.5, "float32"))
    for opt in (O.Adam(0.1, amsgrad=True), O.SGD(0.1, momentum=0.9, nesterov=True),
                O.RMSprop(centered=True, momentum=0.5), O.Nadam(), O.Adamax(), O.Adagrad(),
                O.Adadelta(), O.Ftrl(), O.Lion(), O.AdamW(use_ema=True, clipnorm=0.1),
                O.SGD(gradient_accumulation_steps=2, weight_decay=0.1)):
        w = tfx.Variable(np.ones((2, 2), "float32"))
        opt.apply_gradients([(grad, w)])
        held = [(v._v, v.numpy()) for v in opt.variables + [w]]
        read = w.read_value()
        for _ in range(2):
            opt.apply_gradients([(grad, w)])
        for array, copy in held:
            np.testing.assert_array_equal(array, copy, err_msg=type(opt).__name__)
        np.testing.assert_array_equal(read.numpy(), held[-1][1])
        assert not np.array_equal(w.numpy(), held[-1][1])
    np.testing.assert_array_equal(grad.numpy(), np.full((2, 2), 0.5, "float32"))


def test_learning_rate_property():
    opt = O.SGD(0.1)
    assert isinstance(opt.learning_rate, tfx.Variable)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    assert opt.get_config()["learning_rate"] == 0.5
    sched = O.schedules.ExponentialDecay(0.1, 10, 0.5)
    opt.learning_rate = sched
    np.testing.assert_allclose(float(opt.learning_rate), 0.1)
    fixed = O.SGD(sched)
    with pytest.raises(TypeError, match="not settable"):
        fixed.learning_rate = 0.3
    assert [v.path for v in fixed.variables] == [f"{fixed.name}/iteration"]
    fn = O.SGD(lambda: 0.25)
    w = tfx.Variable([1.0])
    fn.apply_gradients([(tfx.constant([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.75])
    with pytest.raises(ValueError, match="should be float"):
        O.SGD("fast")


def test_constructor_checks_like_keras():
    with pytest.raises(ValueError, match="Only one of `clipnorm`"):
        O.SGD(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'lr': 1\}"):
        O.Adam(lr=1)
    with pytest.raises(ValueError, match="`momentum` must be a float"):
        O.SGD(momentum=2.0)
    with pytest.raises(ValueError, match="weight_decay=None"):
        O.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        O.Adam(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="cannot contain character"):
        O.Adam(name="a/b")
    with pytest.raises(ValueError, match="SignSGD"):
        O.Lion(beta_1=0)
    with pytest.raises(ValueError, match="`learning_rate_power` needs to be negative"):
        O.Ftrl(learning_rate_power=1)


ALL = ["SGD", "Adam", "AdamW", "Nadam", "RMSprop", "Adagrad", "Adamax", "Adadelta", "Ftrl",
       "Lion"]


@pytest.mark.parametrize("name", ALL)
def test_config_round_trip(name):
    opt = getattr(O, name)(learning_rate=0.25, clipnorm=2.0)
    config = opt.get_config()
    again = getattr(O, name).from_config(config)
    assert again.get_config() == config
    restored = O.deserialize(O.serialize(opt))
    assert type(restored) is type(opt) and restored.get_config() == config


def test_config_keys_match_keras():
    keras = _keras()
    for name in ALL:
        assert getattr(O, name)().get_config().keys() == \
            getattr(keras.optimizers, name)().get_config().keys(), name


def test_schedule_config_round_trip_inside_optimizer():
    sched = O.schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10)
    opt = O.Adam(sched, name="sched_adam")
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    again = O.Adam.from_config(config)
    assert isinstance(again._learning_rate, O.schedules.CosineDecay)
    assert again.get_config() == config
    assert O.get(O.serialize(opt)).get_config() == config


def test_get():
    assert isinstance(O.get("adam"), O.Adam)
    assert isinstance(O.get("Adam"), O.Adam)
    assert isinstance(O.get("rmsprop"), O.RMSprop)
    assert isinstance(O.get("nadam"), O.Nadam)
    assert isinstance(O.get("adamw"), O.AdamW)
    assert isinstance(O.get("SGD"), O.SGD)
    assert O.get({"class_name": "adam", "config": {"learning_rate": 0.5}}).get_config()[
        "learning_rate"] == 0.5
    opt = O.Lion()
    assert O.get(opt) is opt
    assert O.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: adm"):
        O.get("adm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        O.get(3)


def test_custom_optimizer_with_update_step():
    class SignSGD(O.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate, **kwargs)

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.counts = self.add_optimizer_variables(variables, "count")

        def update_step(self, gradient, variable, learning_rate):
            count = self.counts[self._get_variable_index(variable)]
            self.assign_add(count, tfx.ones_like(count))
            self.assign_sub(variable, learning_rate * tfx.sign(gradient))

    w = tfx.Variable([1.0, -1.0])
    opt = SignSGD()
    for _ in range(2):
        opt.apply_gradients([(tfx.constant([3.0, -0.5]), w)])
    np.testing.assert_allclose(w.numpy(), [0.8, -0.8], rtol=1e-6)
    assert [v.path for v in opt.variables][-1].endswith("_count")
    np.testing.assert_array_equal(opt.variables[-1].numpy(), [2.0, 2.0])


def test_apply_without_variables_and_float64():
    w = tfx.Variable(np.array([1.0, 2.0]), dtype=tfx.float64)
    opt = O.Adam(0.1)
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([tfx.constant([1.0, 1.0], tfx.float64)])
    opt.build([w])
    opt.apply([tfx.constant([1.0, 1.0], tfx.float64)])
    assert w.dtype is tfx.float64 and w._v.dtype == np.float64
    np.testing.assert_allclose(w.numpy(), [0.9, 1.9], rtol=1e-6)


def test_save_and_load_own_variables():
    w = tfx.Variable([1.0, 2.0])
    opt = O.Adam(0.1)
    opt.apply_gradients([(tfx.constant([1.0, -1.0]), w)])
    store = {}
    opt.save_own_variables(store)
    fresh = O.Adam(0.1)
    fresh.build([w])
    fresh.load_own_variables(store)
    for a, b in zip(opt.variables, fresh.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh.apply_gradients([(tfx.constant([1.0, -1.0]), w)])
    assert int(fresh.iterations) == 2
