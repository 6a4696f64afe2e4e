"""tfx.keras.losses against Keras 3 (values, reductions, sample weights, configs, lookup),
custom subclasses as the book writes them, and gradients against finite differences."""
import numpy as np
import pytest

import tfx
from tfx.keras import losses as L

RNG = np.random.default_rng(0)
B, D = 6, 4


def _probs(shape):
    p = RNG.uniform(0.02, 1.0, shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


def _data(kind):
    """(y_true, y_pred) for one family of losses, float32 NumPy."""
    if kind == "regression":
        return RNG.normal(size=(B, D)).astype("float32"), RNG.normal(size=(B, D)).astype("float32")
    if kind == "positive":
        return (RNG.uniform(0.1, 3, (B, D)).astype("float32"),
                RNG.uniform(0.1, 3, (B, D)).astype("float32"))
    if kind == "binary":
        return (RNG.integers(0, 2, (B, D)).astype("float32"),
                RNG.uniform(0.0, 1.0, (B, D)).astype("float32"))
    if kind == "logits":
        return (RNG.integers(0, 2, (B, D)).astype("float32"),
                RNG.normal(scale=3, size=(B, D)).astype("float32"))
    if kind == "signs":
        return (RNG.choice([-1.0, 1.0], (B, D)).astype("float32"),
                RNG.normal(size=(B, D)).astype("float32"))
    if kind == "onehot":
        return np.eye(D, dtype="float32")[RNG.integers(0, D, B)], _probs((B, D))
    if kind == "onehot_logits":
        return (np.eye(D, dtype="float32")[RNG.integers(0, D, B)],
                RNG.normal(scale=2, size=(B, D)).astype("float32"))
    if kind == "sparse":
        return RNG.integers(0, D, B).astype("int32"), _probs((B, D))
    if kind == "sparse_logits":
        return RNG.integers(0, D, (B, 1)).astype("int32"), RNG.normal(size=(B, D)).astype("float32")
    if kind == "distributions":
        return _probs((B, D)), _probs((B, D))
    raise KeyError(kind)


# (class name, constructor kwargs, data kind)
CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "positive"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Huber", {}, "regression"),
    ("Huber", {"delta": 0.4}, "regression"),
    ("LogCosh", {}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("BinaryCrossentropy", {"axis": 0}, "binary"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5,
                                 "from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.3}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "onehot_logits"),
    ("CategoricalFocalCrossentropy", {}, "onehot"),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "gamma": 3.0}, "onehot_logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, "sparse_logits"),
    ("Hinge", {}, "signs"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "signs"),
    ("SquaredHinge", {}, "binary"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "distributions"),
    ("Poisson", {}, "positive"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 0}, "regression"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"]
WEIGHTS = {"none": None, "per_sample": RNG.uniform(0, 2, B).astype("float32"),
           "column": RNG.uniform(0, 2, (B, 1)).astype("float32"), "scalar": np.float32(1.7)}
FUNCTIONS = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "huber", "log_cosh", "binary_crossentropy",
             "binary_focal_crossentropy", "categorical_crossentropy",
             "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "hinge",
             "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
             "cosine_similarity"]
FUNCTION_DATA = {"mean_absolute_percentage_error": "positive",
                 "mean_squared_logarithmic_error": "positive", "poisson": "positive",
                 "binary_crossentropy": "binary", "binary_focal_crossentropy": "binary",
                 "categorical_crossentropy": "onehot", "categorical_focal_crossentropy": "onehot",
                 "sparse_categorical_crossentropy": "sparse", "categorical_hinge": "onehot",
                 "kl_divergence": "distributions", "hinge": "binary", "squared_hinge": "signs"}


@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("tensorflow")
    import keras
    return keras


def _close(a, b, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name,kwargs,kind", CASES)
def test_loss_classes_match_keras(keras, name, kwargs, kind):
    y_true, y_pred = _data(kind)
    for reduction in REDUCTIONS:
        ours = getattr(L, name)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
        for wname, w in WEIGHTS.items():
            if kwargs.get("axis") == 0 and wname != "none":
                continue  # per-sample weights do not line up with an axis-0 loss
            got = ours(y_true, y_pred, sample_weight=w)
            want = theirs(y_true, y_pred, sample_weight=w)
            assert got.dtype is tfx.float32
            _close(got, want), (reduction, wname)


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_loss_functions_match_keras(keras, fn):
    y_true, y_pred = _data(FUNCTION_DATA.get(fn, "regression"))
    got = getattr(L, fn)(y_true, y_pred)
    want = getattr(keras.losses, fn)(y_true, y_pred)
    assert tuple(got.shape) == tuple(want.shape)
    _close(got, want)


def test_aliases_and_float64(keras):
    y_true, y_pred = _data("regression")
    for alias, target in [("mse", "mean_squared_error"), ("MAE", "mean_absolute_error"),
                          ("mape", "mean_absolute_percentage_error"), ("kld", "kl_divergence"),
                          ("MSLE", "mean_squared_logarithmic_error"), ("logcosh", "log_cosh"),
                          ("kullback_leibler_divergence", "kl_divergence")]:
        assert getattr(L, alias) is getattr(L, target)
        assert L.get(alias) is getattr(L, target)
    got = L.mean_squared_error(y_true.astype("float64"), y_pred.astype("float64"))
    assert got.dtype is tfx.float64
    _close(got, keras.losses.mean_squared_error(y_true.astype("float64"),
                                                y_pred.astype("float64")), rtol=1e-12)
    # The Loss object computes in its dtype (float32 by default, float64 if asked).
    assert L.MeanSquaredError()(y_true.astype("float64"), y_pred).dtype is tfx.float32
    assert L.MeanSquaredError(dtype="float64")(y_true, y_pred).dtype is tfx.float64


def test_rank_handling_matches_keras(keras):
    a = RNG.normal(size=(5,)).astype("float32")
    b = RNG.normal(size=(5, 1)).astype("float32")
    _close(L.mean_squared_error(a, b), keras.losses.mean_squared_error(a, b))
    _close(L.BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([[0.2], [0.3]])),
           keras.losses.BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([[0.2], [0.3]])))
    _close(L.MeanSquaredError(reduction=None)(b, a),
           keras.losses.MeanSquaredError(reduction=None)(b, a))
    with pytest.raises(ValueError, match="same rank"):
        L.binary_crossentropy(np.array([1.0, 0.0]), np.array([[0.2], [0.3]]))
    # A 3-D loss weighted per sample: the weights broadcast over the time axis.
    y3, p3 = RNG.normal(size=(3, 5, 2)).astype("float32"), RNG.normal(size=(3, 5, 2)).astype(
        "float32")
    w3 = RNG.uniform(size=(3, 5)).astype("float32")
    _close(L.MeanSquaredError()(y3, p3, sample_weight=w3),
           keras.losses.MeanSquaredError()(y3, p3, sample_weight=w3))


def test_sparse_ignore_class_and_bad_labels(keras):
    logits = np.array([[0.0, 1.0, 0.5], [1, 2, 3], [0.3, -1, 2]], "float32")
    labels = np.array([1, 2, 0])
    w = np.array([2.0, 3.0, 0.5], "float32")
    for reduction in REDUCTIONS:
        ours = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                               reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                                            reduction=reduction)
        _close(ours(labels, logits), theirs(labels, logits))
        _close(ours(labels, logits, sample_weight=w), theirs(labels, logits, sample_weight=w))
    with pytest.raises(tfx.errors.InvalidArgumentError, match="label value of 5"):
        L.sparse_categorical_crossentropy(np.array([5]), logits[:1])
    with pytest.raises(ValueError, match="axis=-1"):
        L.sparse_categorical_crossentropy(labels, logits, axis=0)


def test_reduction_validation_and_names():
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        L.Huber(reduction="bad")
    assert L.MeanSquaredError().name == "mean_squared_error"
    assert L.Huber().name == "huber_loss"
    assert L.MeanSquaredError().dtype == "float32"
    assert L.Reduction.all() == ("auto", "none", "sum", "sum_over_batch_size")
    assert L.MeanSquaredError(reduction=L.Reduction.SUM).reduction == "sum"
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        L.Reduction.validate("bad")

    class MyLoss(L.Loss):
        def call(self, y_true, y_pred):
            return tfx.abs(y_true - y_pred)

    first, second = MyLoss(), MyLoss()
    assert first.name == "my_loss" and second.name == "my_loss_1"


@pytest.mark.parametrize("name,kwargs,kind", CASES)
def test_config_round_trip(keras, name, kwargs, kind):
    obj = getattr(L, name)(reduction="sum", name="custom_name", **kwargs)
    config = obj.get_config()
    # Everything Keras writes is there, with the same values (tfx also keeps Huber's delta
    # and CosineSimilarity's axis, which Keras 3 leaves out of the config).
    theirs = getattr(keras.losses, name)(reduction="sum", name="custom_name", **kwargs)
    for key, value in theirs.get_config().items():
        assert config[key] == value, key
    clone = type(obj).from_config(config)
    assert clone.get_config() == config
    again = L.deserialize(L.serialize(obj))
    assert type(again) is type(obj) and again.get_config() == config
    y_true, y_pred = _data(kind)
    _close(clone(y_true, y_pred), obj(y_true, y_pred), rtol=0, atol=0)


def test_get_serialize_deserialize():
    assert L.get(None) is None
    assert L.get("mse") is L.mean_squared_error
    assert L.get("binary_crossentropy") is L.binary_crossentropy
    assert isinstance(L.get("Huber"), L.Huber)
    h = L.Huber(2.0)
    assert L.get(h) is h
    obj = L.get({"class_name": "Huber", "config": {"delta": 3.0}})
    assert isinstance(obj, L.Huber) and obj.get_config()["delta"] == 3.0

    def plain(y_true, y_pred):
        return tfx.reduce_mean(tfx.abs(y_true - y_pred), axis=-1)

    assert L.get(plain) is plain
    config = L.serialize(L.mean_absolute_error)
    assert config["class_name"] == "function" and config["config"] == "mean_absolute_error"
    assert L.deserialize(config) is L.mean_absolute_error
    assert L.deserialize(L.serialize(plain), custom_objects={"plain": plain}) is plain
    with pytest.raises(ValueError, match="nope"):
        L.get("nope")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        L.get(3)


def test_wrapper_config_round_trip():
    w = L.LossFunctionWrapper(L.huber, name="h", delta=2.5)
    config = w.get_config()
    assert config["fn"]["config"] == "huber" and config["delta"] == 2.5
    clone = L.LossFunctionWrapper.from_config(config)
    assert clone.fn is L.huber and clone.get_config() == config
    y_true, y_pred = _data("regression")
    _close(clone(y_true, y_pred), L.Huber(delta=2.5)(y_true, y_pred), rtol=0, atol=0)


# ---- custom losses, as the book writes them ----------------------------------------------------

def huber_fn(y_true, y_pred):
    error = y_true - y_pred
    is_small_error = tfx.abs(error) < 1
    squared_loss = tfx.square(error) / 2
    linear_loss = tfx.abs(error) - 0.5
    return tfx.where(is_small_error, squared_loss, linear_loss)


class HuberLoss(L.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tfx.abs(error) < self.threshold
        squared_loss = tfx.square(error) / 2
        linear_loss = self.threshold * tfx.abs(error) - self.threshold ** 2 / 2
        return tfx.where(is_small_error, squared_loss, linear_loss)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


class ScaledMAE(L.Loss):
    """No get_config: the captured constructor arguments make one."""

    def __init__(self, scale, name="scaled_mae"):
        super().__init__(name=name)
        self.scale = scale

    def call(self, y_true, y_pred):
        return tfx.reduce_mean(tfx.abs(y_true - y_pred), axis=-1) * self.scale


def test_book_huber_loss(keras):
    y_true = np.array([[0.0], [2.0], [5.0]], "float32")
    y_pred = np.array([[0.5], [4.0], [1.0]], "float32")
    loss = HuberLoss(2.0)
    config = loss.get_config()
    assert config == {"name": "huber_loss", "reduction": "sum_over_batch_size", "threshold": 2.0}
    _close(loss(y_true, y_pred), keras.losses.Huber(delta=2.0)(y_true, y_pred))
    clone = L.deserialize(L.serialize(loss), custom_objects={"HuberLoss": HuberLoss})
    assert clone.threshold == 2.0 and clone.get_config() == config
    # A plain function is a loss too.
    _close(L.LossFunctionWrapper(huber_fn)(y_true, y_pred), keras.losses.Huber()(y_true, y_pred))


def test_subclass_without_get_config():
    loss = ScaledMAE(3.0)
    config = loss.get_config()
    assert config == {"scale": 3.0, "name": "scaled_mae", "reduction": "sum_over_batch_size"}
    clone = ScaledMAE.from_config(config)
    assert clone.scale == 3.0 and clone.get_config() == config
    y_true, y_pred = _data("regression")
    _close(clone(y_true, y_pred), 3.0 * np.abs(y_true - y_pred).mean())


# ---- gradients ----------------------------------------------------------------------------------

GRAD_CASES = [
    ("MeanSquaredError", {}, "regression"), ("Huber", {"delta": 0.7}, "regression"),
    ("LogCosh", {}, "regression"), ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logits"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"), ("KLDivergence", {}, "distributions"),
    ("Poisson", {}, "positive"), ("CosineSimilarity", {}, "regression"),
    ("BinaryFocalCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalFocalCrossentropy", {}, "onehot"),
    ("MeanSquaredLogarithmicError", {}, "positive"), ("Hinge", {}, "signs"),
]


@pytest.mark.parametrize("name,kwargs,kind", GRAD_CASES,
                         ids=[f"{n}-{k}" for n, _, k in GRAD_CASES])
def test_gradients_match_finite_differences(name, kwargs, kind):
    loss = getattr(L, name)(dtype="float64", **kwargs)
    y_true, y_pred = _data(kind)
    y_pred = y_pred.astype("float64")
    w = RNG.uniform(0.5, 1.5, B)
    x = tfx.Variable(y_pred)
    with tfx.GradientTape() as tape:
        value = loss(y_true, x, sample_weight=w)
    grad = tape.gradient(value, x).numpy()
    eps = 1e-6
    numeric = np.zeros_like(y_pred)
    for idx in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (float(loss(y_true, up, sample_weight=w)) -
                        float(loss(y_true, down, sample_weight=w))) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)
