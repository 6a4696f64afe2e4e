"""tfx.keras.metrics against Keras 3 (streamed results and state, sample weights, configs,
lookup) and the book's examples (Precision's numbers, a custom HuberMetric)."""
import numpy as np
import pytest

import tfx
from tfx.keras import losses as L
from tfx.keras import metrics as M

RNG = np.random.default_rng(1)
B, C = 8, 5


def _probs(shape):
    p = RNG.uniform(0.02, 1.0, shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


def _data(kind):
    if kind == "regression":
        return RNG.normal(size=(B, C)).astype("float32"), RNG.normal(size=(B, C)).astype("float32")
    if kind == "positive":
        return (RNG.uniform(0.1, 3, (B, C)).astype("float32"),
                RNG.uniform(0.1, 3, (B, C)).astype("float32"))
    if kind == "binary":
        return (RNG.integers(0, 2, (B, C)).astype("float32"),
                RNG.uniform(0, 1, (B, C)).astype("float32"))
    if kind == "binary_column":
        return (RNG.integers(0, 2, (B, 1)).astype("float32"),
                RNG.uniform(0, 1, (B, 1)).astype("float32"))
    if kind == "logits":
        return (RNG.integers(0, 2, (B, C)).astype("float32"),
                RNG.normal(scale=2, size=(B, C)).astype("float32"))
    if kind == "signs":
        return (RNG.choice([-1.0, 1.0], (B, C)).astype("float32"),
                RNG.normal(size=(B, C)).astype("float32"))
    if kind == "onehot":
        return np.eye(C, dtype="float32")[RNG.integers(0, C, B)], _probs((B, C))
    if kind == "sparse":
        return RNG.integers(0, C, B).astype("float32"), _probs((B, C))
    if kind == "sparse_column":
        return RNG.integers(0, C, (B, 1)).astype("float32"), _probs((B, C))
    if kind == "ints":
        return RNG.integers(0, 3, (B, C)).astype("float32"), RNG.integers(0, 3, (B, C)).astype(
            "float32")
    if kind == "distributions":
        return _probs((B, C)), _probs((B, C))
    raise KeyError(kind)


def _weights(kind, y_pred):
    if kind == "none":
        return None
    if kind == "per_sample":
        return RNG.uniform(0, 2, B).astype("float32")
    if kind == "column":
        return RNG.uniform(0, 2, (B, 1)).astype("float32")
    if kind == "full":
        return RNG.uniform(0, 2, y_pred.shape).astype("float32")
    if kind == "scalar":
        return np.float32(1.3)
    raise KeyError(kind)


# (class name, kwargs, data kind, weight kinds)
ALL_W = ("none", "per_sample", "column", "scalar")
CASES = [
    ("Accuracy", {}, "ints", ALL_W + ("full",)),
    ("BinaryAccuracy", {}, "binary", ALL_W + ("full",)),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary_column", ALL_W),
    ("CategoricalAccuracy", {}, "onehot", ALL_W),
    ("SparseCategoricalAccuracy", {}, "sparse", ALL_W),
    ("SparseCategoricalAccuracy", {}, "sparse_column", ALL_W),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", ALL_W),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse", ALL_W),
    ("SparseTopKCategoricalAccuracy", {}, "sparse_column", ALL_W),
    ("Precision", {}, "binary", ALL_W + ("full",)),
    ("Precision", {"thresholds": [0.2, 0.5, 0.9]}, "binary", ALL_W + ("full",)),
    ("Precision", {"top_k": 2}, "binary", ALL_W + ("full",)),
    ("Precision", {"class_id": 3}, "binary", ALL_W),
    ("Precision", {"class_id": 1, "top_k": 2, "thresholds": 0.3}, "binary", ALL_W),
    ("Recall", {}, "binary", ALL_W + ("full",)),
    ("Recall", {"thresholds": [0.1, 0.6]}, "binary", ALL_W),
    ("Recall", {"top_k": 3, "class_id": 0}, "binary", ALL_W),
    ("TruePositives", {}, "binary", ALL_W + ("full",)),
    ("FalsePositives", {"thresholds": [0.3, 0.8]}, "binary", ALL_W + ("full",)),
    ("TrueNegatives", {"thresholds": 0.25}, "binary", ALL_W),
    ("FalseNegatives", {}, "binary", ALL_W + ("full",)),
    ("AUC", {}, "binary", ALL_W + ("full",)),
    ("AUC", {"num_thresholds": 7}, "binary", ALL_W),
    ("AUC", {"curve": "PR"}, "binary", ALL_W + ("full",)),
    ("AUC", {"curve": "PR", "num_thresholds": 9}, "binary", ALL_W),
    ("AUC", {"summation_method": "minoring"}, "binary", ALL_W),
    ("AUC", {"summation_method": "majoring", "curve": "PR"}, "binary", ALL_W),
    ("AUC", {"thresholds": [0.3, 0.5, 0.6]}, "binary", ALL_W),
    ("AUC", {"from_logits": True}, "logits", ALL_W),
    ("AUC", {"multi_label": True}, "binary", ALL_W + ("full",)),
    ("AUC", {"multi_label": True, "curve": "PR", "num_labels": C}, "binary", ALL_W),
    ("AUC", {"label_weights": [1.0, 2.0, 0.0, 0.5, 1.0]}, "binary", ("none", "per_sample")),
    ("MeanSquaredError", {}, "regression", ALL_W),
    ("MeanAbsoluteError", {}, "regression", ALL_W),
    ("MeanAbsolutePercentageError", {}, "positive", ALL_W),
    ("MeanSquaredLogarithmicError", {}, "positive", ALL_W),
    ("RootMeanSquaredError", {}, "regression", ALL_W + ("full",)),
    ("CosineSimilarity", {}, "regression", ALL_W),
    ("LogCoshError", {}, "regression", ALL_W),
    ("R2Score", {}, "regression", ("none", "per_sample", "column", "full")),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression",
     ("none", "per_sample")),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "regression",
     ("none", "per_sample")),
    ("BinaryCrossentropy", {}, "binary", ALL_W),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "logits", ALL_W),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot", ALL_W),
    ("SparseCategoricalCrossentropy", {}, "sparse", ALL_W),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse", ALL_W),
    ("KLDivergence", {}, "distributions", ALL_W),
    ("Poisson", {}, "positive", ALL_W),
    ("Hinge", {}, "signs", ALL_W),
    ("SquaredHinge", {}, "binary", ALL_W),
    ("CategoricalHinge", {}, "onehot", ALL_W),
]
IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(CASES)]


@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("tensorflow")
    import keras
    return keras


def _close(a, b, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _state(metric):
    return [np.asarray(v) for v in metric.variables]


@pytest.mark.parametrize("name,kwargs,kind,weight_kinds", CASES, ids=IDS)
def test_metrics_match_keras(keras, name, kwargs, kind, weight_kinds):
    ours = getattr(M, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    for wkind in weight_kinds:  # one streamed update per weighting, checked after each
        y_true, y_pred = _data(kind)
        w = _weights(wkind, y_pred)
        ours.update_state(y_true, y_pred, sample_weight=w)
        theirs.update_state(y_true, y_pred, sample_weight=w)
        _close(ours.result(), theirs.result()), wkind
    for got, want in zip(_state(ours), _state(theirs)):
        # Keras sums evenly spaced thresholds in another order: float32 rounding of the total.
        _close(got, want, atol=5e-7 * max(1.0, np.abs(want).max()) * B)
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    ours.reset_state()
    assert all(not np.any(s) for s in _state(ours))


@pytest.mark.parametrize("name,kwargs,kind,weight_kinds", CASES, ids=IDS)
def test_config_round_trip(keras, name, kwargs, kind, weight_kinds):
    obj = getattr(M, name)(name="custom_name", **kwargs)
    config = obj.get_config()
    theirs = getattr(keras.metrics, name)(name="custom_name", **kwargs).get_config()
    for key, value in theirs.items():
        if key == "label_weights" and value is not None:
            value = [float(x) for x in np.asarray(value)]
        if key == "thresholds" and name == "AUC":
            value = [float(x) for x in value]
        assert config[key] == value, key
    clone = type(obj).from_config(config)
    assert clone.get_config() == config
    again = M.deserialize(M.serialize(obj))
    assert type(again) is type(obj) and again.get_config() == config
    y_true, y_pred = _data(kind)
    obj.update_state(y_true, y_pred)
    clone.update_state(y_true, y_pred)
    _close(clone.result(), obj.result(), rtol=0, atol=0)


# ---- the book ----------------------------------------------------------------------------------

def test_book_precision():
    precision = M.Precision()
    assert float(precision([0, 1, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 1, 0, 1])) == \
        pytest.approx(0.8)
    assert float(precision([0, 1, 0, 0, 1, 0, 1, 1], [1, 0, 1, 1, 0, 0, 0, 0])) == \
        pytest.approx(0.5)
    assert float(precision.result()) == pytest.approx(0.5)
    tp, fp = precision.variables
    assert repr(tp) == ("<tfx.Variable 'true_positives' shape=(1,) dtype=float32, "
                        "numpy=array([4.], dtype=float32)>")
    assert fp.name == "false_positives" and fp.numpy().tolist() == [4.0]
    assert not tp.trainable
    precision.reset_states()
    assert [v.numpy().tolist() for v in precision.variables] == [[0.0], [0.0]]


def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tfx.abs(error) < threshold
        squared_loss = tfx.square(error) / 2
        linear_loss = threshold * tfx.abs(error) - threshold ** 2 / 2
        return tfx.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


class HuberMetric(M.Metric):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        sample_metrics = self.huber_fn(y_true, y_pred)
        self.total.assign_add(tfx.reduce_sum(sample_metrics))
        self.count.assign_add(tfx.cast(tfx.size(y_true), tfx.float32))

    def result(self):
        return self.total / self.count

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


class StreamingHuber(M.Mean):
    """The book's other HuberMetric: a Mean subclass (attributes set before super())."""

    def __init__(self, threshold=1.0, name="HuberMetric", dtype=None):
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        metric = self.huber_fn(y_true, y_pred)
        super().update_state(metric, sample_weight)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


def test_book_huber_metric():
    m = HuberMetric(2.0)
    assert float(m(tfx.constant([[2.0]]), tfx.constant([[10.0]]))) == 14.0
    assert float(m(tfx.constant([[0.0], [5.0]]), tfx.constant([[1.0], [9.25]]))) == 7.0
    assert [v.numpy().tolist() for v in m.variables] == [21.0, 3.0]
    assert [v.name for v in m.variables] == ["total", "count"]  # Keras 3: no ":0"
    m.reset_states()
    assert [float(v) for v in m.variables] == [0.0, 0.0]
    config = m.get_config()
    assert config == {"name": "huber_metric", "dtype": "float32", "threshold": 2.0}
    clone = M.deserialize(M.serialize(m), custom_objects={"HuberMetric": HuberMetric})
    assert clone.threshold == 2.0 and clone.name == "huber_metric"

    s = StreamingHuber(2.0)
    s.update_state(tfx.constant([[2.0]]), tfx.constant([[10.0]]))
    s.update_state(tfx.constant([[0.0], [5.0]]), tfx.constant([[1.0], [9.25]]))
    assert float(s.result()) == 7.0
    assert s.get_config() == {"name": "HuberMetric", "dtype": "float32", "threshold": 2.0}


class CountAbove(M.Metric):
    """No get_config: the captured constructor arguments make one."""

    def __init__(self, limit, name=None):
        super().__init__(name=name)
        self.limit = limit
        self.hits = self.add_weight(name="hits")

    def update_state(self, values):
        self.hits.assign_add(tfx.reduce_sum(tfx.cast(tfx.constant(values) > self.limit,
                                                     tfx.float32)))

    def result(self):
        return tfx.identity(self.hits)


def test_subclass_without_get_config():
    m = CountAbove(0.5, name="above")
    assert float(m([0.1, 0.7, 0.9])) == 2.0
    config = m.get_config()
    assert config == {"limit": 0.5, "name": "above", "dtype": "float32"}
    clone = CountAbove.from_config(config)
    assert clone.limit == 0.5 and clone.name == "above"


# ---- means, sums and wrappers -------------------------------------------------------------------

MEAN_CASES = [
    (np.array([[1.0, 2], [3, 4]]), None), (np.array([[1.0, 2], [3, 4]]), np.array([1.0, 2])),
    (np.array([[1.0, 2], [3, 4]]), np.array([[1.0, 2], [0, 1]])),
    (np.array([[1.0, 2], [3, 4]]), np.array([[1.0], [0]])),
    (np.array([[1.0, 2], [3, 4]]), np.array(2.0)), (np.array(5.0), None),
    (np.array(5.0), np.array(3.0)), (np.array([[[1.0, 2], [3, 4]]]), np.array([[1.0, 0.0]])),
    (np.array([1.0, 2, 3]), np.array([[0.5], [1], [2]])),
]


@pytest.mark.parametrize("cls", ["Mean", "Sum"])
def test_mean_and_sum_weighting(keras, cls):
    ours, theirs = getattr(M, cls)(), getattr(keras.metrics, cls)()
    for values, w in MEAN_CASES:
        ours.update_state(values, sample_weight=w)
        theirs.update_state(values, sample_weight=w)
        _close(ours.result(), theirs.result())
        for got, want in zip(_state(ours), _state(theirs)):
            _close(got, want)


def test_mean_metric_wrapper(keras):
    y_true, y_pred = _data("logits")
    w = _weights("per_sample", y_pred)
    ours = M.MeanMetricWrapper(L.binary_crossentropy, name="bce_logits", from_logits=True)
    theirs = keras.metrics.MeanMetricWrapper(keras.losses.binary_crossentropy,
                                             from_logits=True)
    _close(ours(y_true, y_pred, sample_weight=w), theirs(y_true, y_pred, sample_weight=w))
    config = ours.get_config()
    assert config["fn"]["config"] == "binary_crossentropy" and config["from_logits"] is True
    clone = M.MeanMetricWrapper.from_config(config)
    assert clone._fn is L.binary_crossentropy and clone.get_config() == config

    def pct_within(y_true, y_pred):  # any loss-like function is a metric
        return tfx.reduce_mean(tfx.cast(tfx.abs(y_true - y_pred) < 0.5, tfx.float32), axis=-1)

    m = M.MeanMetricWrapper(pct_within)
    yt, yp = _data("regression")
    _close(m(yt, yp), (np.abs(yt - yp) < 0.5).mean())
    restored = M.deserialize(M.serialize(m), custom_objects={"pct_within": pct_within})
    assert restored._fn is pct_within


def test_metric_functions_match_keras(keras):
    cases = [("binary_accuracy", "binary", {}), ("binary_accuracy", "binary", {"threshold": 0.8}),
             ("categorical_accuracy", "onehot", {}), ("sparse_categorical_accuracy", "sparse", {}),
             ("sparse_categorical_accuracy", "sparse_column", {}),
             ("top_k_categorical_accuracy", "onehot", {"k": 2}),
             ("sparse_top_k_categorical_accuracy", "sparse_column", {"k": 2}),
             ("sparse_top_k_categorical_accuracy", "sparse", {})]
    for fn, kind, kwargs in cases:
        y_true, y_pred = _data(kind)
        got = getattr(M, fn)(y_true, y_pred, **kwargs)
        want = getattr(keras.metrics, fn)(y_true, y_pred, **kwargs)
        assert tuple(got.shape) == tuple(want.shape), fn
        _close(got, want)


def test_top_k_ties_and_non_finite(keras):
    y_true = np.array([[2], [1], [0]], "float32")
    y_pred = np.array([[0.1, 0.9, 0.9], [0.95, 0.95, 0.0], [0.8, np.nan, 0.2]], "float32")
    for k in (1, 2):
        _close(M.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k),
               keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k))
    ids = np.array([[2, 0, 1], [0, 2, 1], [1, 0, 2]], "int32")
    for labels in (np.array([0, 1, 2]), np.array([[0], [1], [2]])):
        for k in (1, 2, 3):
            got = M.sparse_top_k_categorical_accuracy(labels, ids, k=k, from_sorted_ids=True)
            want = keras.metrics.sparse_top_k_categorical_accuracy(labels, ids, k=k,
                                                                   from_sorted_ids=True)
            assert tuple(got.shape) == tuple(want.shape)
            _close(got, want)


def test_precision_top_k_ties_match_keras(keras):
    y_true = np.array([[0, 1, 1], [1, 0, 1]], "float32")
    y_pred = np.array([[0.6, 0.6, 0.3], [0.2, 0.9, 0.9]], "float32")
    for kwargs in ({"top_k": 1}, {"top_k": 2}, {"top_k": 1, "class_id": 1}):
        ours, theirs = M.Precision(**kwargs), keras.metrics.Precision(**kwargs)
        _close(ours(y_true, y_pred), theirs(y_true, y_pred))


@pytest.mark.filterwarnings("ignore:Division by zero in Adjusted R2")
def test_r2_edge_cases(keras):
    y = np.array([[1.0, 2], [1, 4], [1, 2]], "float32")
    for pred in (np.array([[1.0, 2], [1, 3.5], [1, 1]], "float32"),
                 np.array([[1.5, 2], [1, 3.5], [1, 1]], "float32")):
        _close(M.R2Score(class_aggregation=None)(y, pred),
               keras.metrics.R2Score(class_aggregation=None)(y, pred))
    for p in (1, 2, 5):
        _close(M.R2Score(num_regressors=p)(y, y * 0.9), keras.metrics.R2Score(
            num_regressors=p)(y, y * 0.9))
    with pytest.raises(ValueError, match="2D inputs"):
        M.R2Score().update_state(np.ones(3), np.ones(3))


def test_validation_errors():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        M.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve"):
        M.AUC(curve="XY")
    with pytest.raises(ValueError, match="summation"):
        M.AUC(summation_method="simpson")
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="aggregation"):
        M.Mean().add_weight("x", aggregation="median")


def test_get_serialize_deserialize():
    assert M.get(None) is None
    assert isinstance(M.get("accuracy"), M.Accuracy)
    assert isinstance(M.get("mse"), M.MeanSquaredError)
    assert isinstance(M.get("binary_accuracy"), M.BinaryAccuracy)
    assert isinstance(M.get("AUC"), M.AUC) and isinstance(M.get("auc"), M.AUC)
    assert M.get("huber") is L.huber  # no Huber metric class: the function
    p = M.Precision(thresholds=0.3)
    assert M.get(p) is p
    obj = M.get({"class_name": "Precision", "config": {"thresholds": 0.3}})
    assert obj.thresholds == [0.3]
    assert M.deserialize("MeanSquaredError") is M.MeanSquaredError
    with pytest.raises(ValueError, match="nope"):
        M.get("nope")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        M.get(3)


def test_add_weight_forms_and_call():
    m = M.Metric(name="holder")
    a = m.add_weight("a", shape=(2,), initializer="ones")
    b = m.add_weight(shape=(3,), initializer="zeros", name="b")
    c = m.add_variable((2, 2), lambda shape, dtype: tfx.fill(shape, 3.0), name="c")
    assert a.numpy().tolist() == [1.0, 1.0] and b.shape == (3,) and c.numpy().sum() == 12.0
    assert a.path == "holder/a" and m.weights == [a, b, c]
    m.reset_state()
    assert a.numpy().tolist() == [0.0, 0.0]  # Keras resets every variable to zeros
    mean = M.Mean(dtype="float64")
    assert mean.dtype == "float64" and mean([1.0, 2.0]).dtype is tfx.float64
    assert repr(mean) == "<Mean name=mean>"


def test_reset_states_calls_an_overridden_reset_state():
    class Remembering(M.Sum):
        resets = 0

        def reset_state(self):
            Remembering.resets += 1
            super().reset_state()

    m = Remembering()
    m.update_state([1.0, 2.0])
    m.reset_states()
    assert Remembering.resets == 1 and float(m.result()) == 0.0
    auc = M.AUC(multi_label=True)  # not built yet: nothing to reset
    auc.reset_states()
    assert auc.variables == []
