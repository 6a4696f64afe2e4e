"""Keras 3's parameter names, order, defaults and behaviour on tfx.keras: layers' base
arguments (activity_regularizer, autocast), add_weight, keras.Variable, Metric, the utilities;
values against Keras where it is installed, else against NumPy."""
import io

import numpy as np
import pytest

import tfx
from tests.framework.signatures import resolve, signature_issues

K = tfx.keras
RNG = np.random.default_rng(11)

COMMON = """Layer Model Sequential InputSpec Metric KerasTensor layers.Dense layers.Conv1D
layers.Conv2D layers.Conv3D layers.Conv2DTranspose layers.LSTM layers.GRU layers.SimpleRNN
layers.SimpleRNNCell layers.RNN layers.Bidirectional layers.Dropout layers.SpatialDropout1D
layers.BatchNormalization layers.LayerNormalization layers.Embedding layers.Flatten
layers.Reshape layers.MaxPooling2D layers.AveragePooling2D layers.GlobalAveragePooling2D
layers.Concatenate layers.Add layers.Activation layers.MultiHeadAttention layers.Lambda
layers.TimeDistributed layers.Layer layers.InputSpec Model.compile Model.fit Model.evaluate
Model.predict Model.save Model.save_weights Model.load_weights Model.summary
Model.train_on_batch Model.predict_on_batch Model.export Layer.add_weight Layer.get_config
Layer.compute_mask Metric.add_weight Metric.add_variable Metric.update_state optimizers.Adam
optimizers.SGD optimizers.RMSprop optimizers.AdamW optimizers.Optimizer.apply_gradients
losses.MeanSquaredError losses.BinaryCrossentropy losses.CategoricalCrossentropy
losses.SparseCategoricalCrossentropy losses.deserialize losses.serialize losses.get
metrics.Mean metrics.Accuracy metrics.AUC metrics.Precision metrics.Recall metrics.Metric
callbacks.EarlyStopping callbacks.ModelCheckpoint callbacks.ReduceLROnPlateau
callbacks.TensorBoard callbacks.Callback callbacks.LearningRateScheduler callbacks.CSVLogger
regularizers.serialize regularizers.L2 constraints.serialize constraints.MaxNorm
initializers.GlorotUniform utils.plot_model utils.Progbar utils.to_categorical
utils.timeseries_dataset_from_array utils.split_dataset utils.CustomObjectScope
utils.custom_object_scope utils.set_random_seed models.load_model models.clone_model
saving.load_model Input layers.Input layers.InputLayer Variable Variable.assign
Variable.assign_add Variable.assign_sub layers.Conv3DTranspose layers.SpatialDropout2D
layers.SpatialDropout3D layers.LSTMCell layers.GRUCell""".split()


def _keras():
    return pytest.importorskip("keras")


# Keras' quantization and LoRA arguments: tfx has neither.
QUANTIZATION_ONLY = ("lora_rank", "lora_alpha", "quantization_config",
                     "gptq_unpacked_column_size")


@pytest.mark.parametrize("name", COMMON)
def test_signature_matches_keras(name):
    keras = _keras()
    assert signature_issues(resolve(keras, name), resolve(K, name), QUANTIZATION_ONLY) == []


def test_backend_signature_matches_tf_keras():
    tf = pytest.importorskip("tensorflow")
    assert signature_issues(tf.keras.backend.sparse_categorical_crossentropy,
                            K.backend.sparse_categorical_crossentropy) == []


# ---- Layer: keyword-only base arguments, activity regularizer, autocast --------------------

class _Double(K.layers.Layer):
    def call(self, x):
        return x * 2.0


def test_layer_base_arguments_are_keras_keywords():
    layer = K.layers.Layer(activity_regularizer="l1", trainable=False, dtype="float64",
                           autocast=False, name="base")
    assert (layer.name, layer.trainable, layer.dtype, layer.autocast) == \
        ("base", False, "float64", False)
    assert isinstance(layer.activity_regularizer, K.regularizers.L1)
    with pytest.raises(TypeError):
        K.layers.Layer(True)  # keyword-only, as Keras 3


def test_activity_regularizer_loss_matches_keras():
    keras = _keras()
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    ours = _Double(activity_regularizer=K.regularizers.L2(0.1))
    ours(x)

    class Double(keras.layers.Layer):
        def call(self, v):
            return v * 2.0
    ref = Double(activity_regularizer=keras.regularizers.L2(0.1))
    ref(x)
    np.testing.assert_allclose([float(v) for v in ours.losses],
                               [float(v) for v in ref.losses], rtol=1e-6)
    ours(x)  # a second call replaces the penalty, as Keras
    assert len(ours.losses) == 1


def test_activity_regularizer_config_round_trip():
    d = K.layers.Dense(2, activity_regularizer=K.regularizers.L2(0.3))
    config = d.get_config()
    assert config["activity_regularizer"]["class_name"] == "L2"
    back = K.layers.Dense.from_config(config)
    assert isinstance(back.activity_regularizer, K.regularizers.L2)
    assert back.activity_regularizer.l2 == pytest.approx(0.3)
    assert "activity_regularizer" not in K.layers.Dense(2).get_config()
    ar = K.layers.ActivityRegularization(l1=0.5).get_config()
    assert "activity_regularizer" not in ar and ar["l1"] == 0.5


class _Seen(K.layers.Layer):
    def call(self, x, y=None):
        self.seen = (x.dtype.name, None if y is None else y.dtype.name)
        return x


AUTOCAST = [("int32", True), ("uint8", True), ("float16", True), ("float64", True),
            ("float64", False), ("mixed_float16", True), ("mixed_float16", False),
            ("int64", True)]


@pytest.mark.parametrize("dtype,autocast", AUTOCAST)
def test_input_conversion_matches_keras(dtype, autocast):
    keras = _keras()
    tf = pytest.importorskip("tensorflow")
    x = np.array([[1.7, -2.2]], np.float32)
    y = np.array([0.5], np.float32)

    class Seen(keras.layers.Layer):
        def call(self, a, y=None):
            self.seen = (a.dtype.name, None if y is None else y.dtype.name)
            return a
    for data in (x, tf.constant(x)):
        ref = Seen(dtype=dtype, autocast=autocast)
        ref(data, y=y)
        ours = _Seen(dtype=dtype, autocast=autocast)
        ours(data if isinstance(data, np.ndarray) else tfx.constant(x), y=y)
        assert ours.seen == ref.seen
    ints = np.array([[1, 2]], np.int32)  # integers are never cast
    ours = _Seen(dtype=dtype, autocast=autocast)
    ours(ints)
    assert ours.seen[0] == "int32"


def test_int_layer_truncates_float_inputs_as_keras():
    out = _Seen(dtype="int32")(tfx.constant([[1.7, -2.2]]))
    assert out.dtype is tfx.int32 and out.numpy().tolist() == [[1, -2]]


# ---- add_weight and keras.Variable -----------------------------------------------------------

class _Weights(K.layers.Layer):
    def build(self, input_shape):
        self.a = self.add_weight((2, 3), "ones", "float64")
        self.b = self.add_weight(shape=(3,), initializer="zeros", trainable=False,
                                 aggregation="mean", overwrite_with_gradient=True, name="b")
        self.c = self.add_weight("c", (4,), None, "ones")  # tf.keras 2's order
        self.d = self.add_weight(shape=(2,), regularizer=K.regularizers.L1(0.5),
                                 initializer=K.initializers.Constant(-2.0), name="d")
        self.e = self.add_weight(shape=(), autocast=False, name="e")

    def call(self, x):
        return x


def test_add_weight_keras3_and_legacy_forms():
    layer = _Weights()
    layer(np.zeros((1, 2), np.float32))
    assert layer.a.dtype is tfx.float64 and layer.a.numpy().tolist() == [[1.0] * 3] * 2
    assert layer.a.trainable and not layer.b.trainable
    assert layer.b.aggregation == tfx.VariableAggregation.MEAN
    assert layer.b.overwrite_with_gradient and not layer.a.overwrite_with_gradient
    assert layer.c.shape == (4,) and layer.c.numpy().tolist() == [1.0] * 4
    assert isinstance(layer.d.regularizer, K.regularizers.L1)
    np.testing.assert_allclose([float(v) for v in layer.losses], [2.0])
    assert not layer.e.autocast and layer.a.autocast
    Variable = K.Variable
    assert all(isinstance(v, Variable) and isinstance(v, tfx.Variable) for v in layer.weights)
    with pytest.raises(TypeError, match="multiple values"):
        layer.add_weight((2,), shape=(3,))
    with pytest.raises(TypeError, match="at most 3"):
        layer.add_weight((2,), "zeros", "float32", True)


def test_add_weight_autocast_false_stays_in_variable_dtype():
    class Probe(K.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(), initializer="ones", name="w")
            self.raw = self.add_weight(shape=(), initializer="ones", autocast=False, name="raw")

        def call(self, x):
            self.dtypes = (self.w.dtype.name, self.raw.dtype.name)
            return x
    p = Probe(dtype="mixed_float16")
    p(np.zeros((1, 1), np.float32))
    assert p.dtypes == ("float16", "float32")


def test_keras_variable_constructor():
    Variable = K.Variable
    v = Variable(initializer="ones", shape=(2,), dtype="float64", name="w")
    assert v.dtype is tfx.float64 and v.numpy().tolist() == [1.0, 1.0] and v.trainable
    assert v.autocast and v.synchronization == tfx.VariableSynchronization.AUTO
    assert Variable(K.initializers.Constant(3.0), (1,)).numpy().tolist() == [3.0]
    assert Variable([1.5, 2]).dtype is tfx.float32
    assert Variable(np.float64([1.5])).dtype is tfx.float64
    assert Variable(np.float64([1.5]), dtype="float32").dtype is tfx.float32
    assert Variable(np.int32([1])).dtype is tfx.int32
    r = Variable([1.0], trainable=True, synchronization="on_read", aggregation="sum")
    assert r.trainable and r.aggregation == tfx.VariableAggregation.SUM
    with pytest.raises(ValueError, match="shape"):
        Variable(K.initializers.Ones())
    with pytest.raises(ValueError, match="aggregation"):
        Variable([1.0], aggregation="bogus")
    with pytest.raises(ValueError, match="synchronization"):
        Variable([1.0], synchronization="bogus")
    with pytest.raises(ValueError, match="/"):
        Variable([1.0], name="a/b")
    v = Variable([1.0, 2.0])
    v.assign_add(value=[1.0, 1.0])
    v.assign_sub(value=[0.5, 0.5])
    v.assign(value=v * 2)
    assert v.numpy().tolist() == [3.0, 5.0]


def test_keras_variable_matches_keras():
    keras = _keras()
    Variable = K.Variable
    for kwargs in (dict(initializer="ones", shape=(2,)), dict(initializer=[1, 2]),
                   dict(initializer=np.float16([1.0])), dict(initializer=True)):
        ref = keras.Variable(**kwargs)
        ours = Variable(**kwargs)
        assert ours.dtype.name == ref.dtype and ours.trainable == ref.trainable
        np.testing.assert_array_equal(ours.numpy(), np.asarray(ref.numpy()))


def test_input_spec_optional():
    spec = K.InputSpec(ndim=2, optional=True)
    assert spec.optional and spec.get_config()["optional"]
    assert not K.layers.InputSpec().optional


def test_compute_mask_takes_previous_mask():
    m = tfx.constant([True, False])
    assert K.layers.Layer().compute_mask(tfx.constant([1.0, 2.0]), previous_mask=m) is m


# ---- Metric ----------------------------------------------------------------------------------

class _Count(K.metrics.Metric):
    def __init__(self, dtype=None, name=None):
        super().__init__(dtype, name)
        self.total = self.add_weight((), "zeros", None, "total")
        self.hits = self.add_weight(shape=(2,), initializer="ones", name="hits")
        self.legacy = self.add_weight("legacy", (3,))

    def update_state(self, x):
        self.total.assign_add(tfx.reduce_sum(tfx.cast(x, self.total.dtype)))

    def result(self):
        return self.total


def test_metric_dtype_then_name_and_add_weight_forms():
    m = _Count("float64", "count")
    assert (m.dtype, m.name) == ("float64", "count")
    assert m.total.dtype is tfx.float64 and m.hits.numpy().tolist() == [1.0, 1.0]
    assert m.legacy.shape == (3,) and not m.legacy.trainable
    m.update_state([1, 2, 3])
    assert float(m.result()) == 6.0
    m.reset_state()
    assert float(m.result()) == 0.0
    assert K.metrics.Mean(name="avg", dtype="float64").dtype == "float64"


# ---- utilities -------------------------------------------------------------------------------

def test_progbar_averages_like_keras():
    keras = _keras()
    steps = [(1, 1.0, 10.0), (3, 4.0, 20.0), (4, 2.0, 30.0)]
    ours = K.utils.Progbar(4, verbose=0, stateful_metrics=["acc"])
    ref = keras.utils.Progbar(4, verbose=0, stateful_metrics=["acc"])
    for step, loss, acc in steps:
        ours.update(step, [("loss", loss), ("acc", acc)])
        ref.update(step, [("loss", loss), ("acc", acc)])
    for k in ("loss", "acc"):
        total, count = ours._values[k]
        np.testing.assert_allclose(total / count, np.mean(ref._values[k][0] /
                                                          max(1, ref._values[k][1])))
    only = K.utils.Progbar(4, verbose=0, stateless_metrics=set())  # everything as given
    only.update(1, {"loss": 1.0})
    only.update(2, {"loss": 5.0})
    assert only._values["loss"] == (5.0, 1)
    with pytest.raises(ValueError, match="Only one"):
        K.utils.Progbar(4, stateful_metrics=[], stateless_metrics=[])


def test_progbar_line_shows_the_mean():
    out = io.StringIO()
    bar = K.utils.Progbar(3, verbose=2, file=out)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    bar.update(3, finalize=True)  # no new values: the mean so far
    assert "loss: 2.0000" in out.getvalue()


def test_sparse_categorical_crossentropy_ignore_class_matches_tf_keras():
    tf = pytest.importorskip("tensorflow")
    out = RNG.random((5, 3)).astype(np.float32)
    out /= out.sum(1, keepdims=True)
    target = np.array([0, 2, 1, 2, 0])
    for kw in (dict(ignore_class=2), dict(ignore_class=0, from_logits=True), {}):
        np.testing.assert_allclose(
            K.backend.sparse_categorical_crossentropy(target, out, **kw).numpy(),
            tf.keras.backend.sparse_categorical_crossentropy(target, out, **kw).numpy(),
            rtol=1e-5)


def test_timeseries_format_and_split_dataset_backend():
    data = np.arange(10.0)
    ds = K.utils.timeseries_dataset_from_array(data, None, 3, batch_size=None, format="tf")
    assert [w.numpy().tolist() for w in ds][:2] == [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match="grain"):
        K.utils.timeseries_dataset_from_array(data, None, 3, format="grain")
    with pytest.raises(ValueError, match="format"):
        K.utils.timeseries_dataset_from_array(data, None, 3, format="numpy")
    left, right = K.utils.split_dataset(data, left_size=0.6, preferred_backend="tensorflow")
    assert len(list(left)) == 6 and len(list(right)) == 4
    with pytest.raises(ValueError, match="torch"):
        K.utils.split_dataset(data, left_size=0.5, preferred_backend="torch")


def test_serialization_keywords():
    assert isinstance(K.losses.deserialize(name="mse", custom_objects=None), object)
    assert K.losses.deserialize(name="mse") is K.losses.get("mse")
    cfg = K.regularizers.serialize(regularizer=K.regularizers.L2(0.5))
    assert cfg["class_name"] == "L2" and cfg["config"]["l2"] == 0.5
    cfg = K.constraints.serialize(constraint=K.constraints.MaxNorm(2.0))
    assert cfg["class_name"] == "MaxNorm"

    class Custom(K.layers.Layer):
        pass
    with K.utils.CustomObjectScope(custom_objects={"Custom": Custom}):
        assert K.utils.get_registered_object("Custom") is Custom
    with K.utils.custom_object_scope({"A": Custom}, {"B": Custom}):  # tf.keras 2's form
        assert K.utils.get_registered_object("B") is Custom


def test_keras_tensor_arguments():
    kt = K.KerasTensor((None, 3), "float32", sparse=True, ragged=False, record_history=True,
                       name="kt")
    assert kt.sparse and not kt.ragged and kt.name == "kt" and kt.shape.as_list() == [None, 3]


def test_save_weights_max_shard_size(tmp_path):
    m = K.Sequential([K.Input((2,)), K.layers.Dense(1)])
    path = str(tmp_path / "w.weights.safetensors")
    m.save_weights(path, overwrite=True, max_shard_size=None)
    m.load_weights(path)
    with pytest.raises(ValueError, match="max_shard_size"):
        m.save_weights(path, max_shard_size=1)


def test_plot_model_defaults_and_splines(tmp_path):
    pytest.importorskip("matplotlib")
    import inspect
    params = inspect.signature(K.utils.plot_model).parameters
    assert params["show_layer_names"].default is False and params["splines"].default == "ortho"
    inp = K.Input((4,), name="x")
    h = K.layers.Dense(3)(inp)
    model = K.Model(inp, K.layers.Dense(1)(K.layers.Concatenate()([inp, h])))
    for splines in ("ortho", "polyline", "spline"):
        for rankdir in ("TB", "LR"):
            path = K.utils.plot_model(model, str(tmp_path / f"{splines}{rankdir}.png"),
                                      rankdir=rankdir, splines=splines, dpi=40)
            assert (tmp_path / f"{splines}{rankdir}.png").stat().st_size > 500 and path
    with pytest.raises(ValueError, match="splines"):
        K.utils.plot_model(model, str(tmp_path / "bad.png"), splines="zigzag")
    from tfx.keras.plot_model import _label, layer_graph
    node = layer_graph(model)[0][1]
    assert _label(node, False, False, False, False, False) == node["class"]


# ---- recurrent cells: regularizers, constraints, dropout, seed (Keras' numbers) --------------

SEQ = RNG.standard_normal((2, 5, 3)).astype(np.float32)


def _rnn_pair(keras, cls, **kwargs):
    ref = getattr(keras.layers, cls)(4, return_sequences=True, **kwargs)
    ref.build((None, 5, 3))
    ours = getattr(K.layers, cls)(4, return_sequences=True, **kwargs)
    ours.build((None, 5, 3))
    ours.set_weights([np.asarray(w) for w in ref.get_weights()])
    return ref, ours


@pytest.mark.parametrize("cls,kwargs", [
    ("LSTM", dict(dropout=0.3, seed=3)), ("LSTM", dict(recurrent_dropout=0.4, seed=7)),
    ("LSTM", dict(dropout=0.25, recurrent_dropout=0.5, seed=11)),
    ("GRU", dict(dropout=0.3, seed=3)), ("GRU", dict(recurrent_dropout=0.4, seed=7)),
    ("GRU", dict(dropout=0.25, recurrent_dropout=0.5, seed=11, reset_after=False)),
    ("SimpleRNN", dict(dropout=0.3, recurrent_dropout=0.2, seed=4))])
def test_rnn_dropout_masks_match_keras(cls, kwargs):
    keras = _keras()
    ref, ours = _rnn_pair(keras, cls, **kwargs)
    # Inference draws (unused) masks too, so the training calls after it see Keras' stream.
    np.testing.assert_allclose(ours(SEQ).numpy(), np.asarray(ref(SEQ)), atol=1e-6)
    for _ in range(2):  # new masks for each sequence
        np.testing.assert_allclose(ours(SEQ, training=True).numpy(),
                                   np.asarray(ref(SEQ, training=True)), atol=1e-6)


def test_cells_called_directly_and_stacked_match_keras():
    keras = _keras()
    kc = keras.layers.GRUCell(4, dropout=0.5, recurrent_dropout=0.5, seed=9)
    tc = K.layers.GRUCell(units=4, dropout=0.5, recurrent_dropout=0.5, seed=9)
    kc.build((None, 3))
    tc.build((None, 3))
    tc.set_weights([np.asarray(w) for w in kc.get_weights()])
    state = [np.ones((2, 4), np.float32)]
    for _ in range(2):  # a cell keeps its masks until reset, as Keras'
        np.testing.assert_allclose(tc(SEQ[:, 0], state, training=True)[0].numpy(),
                                   np.asarray(kc(SEQ[:, 0], state, training=True)[0]),
                                   atol=1e-6)

    def stack(m):
        return m.layers.RNN(m.layers.StackedRNNCells([
            m.layers.LSTMCell(4, dropout=0.3, recurrent_dropout=0.3, seed=5),
            m.layers.GRUCell(3, dropout=0.2, seed=6)]), return_sequences=True)
    kr, tr = stack(keras), stack(K)
    kr.build((None, 5, 3))
    tr.build((None, 5, 3))
    tr.set_weights([np.asarray(w) for w in kr.get_weights()])
    for _ in range(2):
        np.testing.assert_allclose(tr(SEQ, training=True).numpy(),
                                   np.asarray(kr(SEQ, training=True)), atol=1e-6)


@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell"])
def test_cell_regularizers_and_constraints_match_keras(cls):
    keras = _keras()

    def cell(m):
        return getattr(m.layers, cls)(
            4, kernel_regularizer=m.regularizers.L2(0.1),
            recurrent_regularizer=m.regularizers.L1(0.2),
            bias_regularizer=m.regularizers.L2(0.3), bias_initializer="ones",
            kernel_constraint=m.constraints.NonNeg(),
            recurrent_constraint=m.constraints.MaxNorm(0.5),
            bias_constraint=m.constraints.NonNeg())
    kc, tc = cell(keras), cell(K)
    km = keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(kc), keras.layers.Dense(1)])
    tm = K.Sequential([K.Input((5, 3)), K.layers.RNN(tc), K.layers.Dense(1)])
    tm.set_weights([np.asarray(w) for w in km.get_weights()])
    km(SEQ)
    tm(SEQ)
    np.testing.assert_allclose(sorted(float(v) for v in tm.losses),
                               sorted(float(v) for v in km.losses), rtol=1e-5)
    y = RNG.standard_normal((2, 1)).astype(np.float32)
    for m, opt in ((km, keras.optimizers.SGD(0.5)), (tm, K.optimizers.SGD(0.5))):
        m.compile(optimizer=opt, loss="mse")
        m.fit(SEQ, y, batch_size=2, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(tm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)
    assert (tc.kernel.numpy() >= 0).all()


# ---- Input / InputLayer, optional inputs -----------------------------------------------------

class _AddOptional(K.layers.Layer):
    def call(self, x, y=None):
        return x if y is None else x + y


def test_optional_input_takes_none():
    a, b = K.Input((2,)), K.Input(shape=(2,), optional=True)
    model = K.Model([a, b], _AddOptional()(a, b))
    ones = np.ones((1, 2), np.float32)
    assert model([ones, None]).numpy().tolist() == [[1.0, 1.0]]
    assert model([ones, ones]).numpy().tolist() == [[2.0, 2.0]]
    c, d = K.Input((2,)), K.Input((2,))
    strict = K.Model([c, d], _AddOptional()(c, d))
    with pytest.raises(ValueError, match="not optional"):
        strict([ones, None])


def test_input_layer_arguments_match_keras():
    keras = _keras()
    for kwargs in (dict(shape=(3,), optional=True), dict(batch_shape=(4, 2), dtype="int32"),
                   dict(shape=(2,), batch_size=5, sparse=False)):
        ours = K.layers.InputLayer(**kwargs).get_config()
        ref = keras.layers.InputLayer(**kwargs).get_config()
        for k in ("batch_shape", "dtype", "sparse", "ragged", "optional"):
            assert (list(ours[k]) if k == "batch_shape" else ours[k]) == \
                (list(ref[k]) if k == "batch_shape" else ref[k]), k
    legacy = K.layers.InputLayer(input_shape=(3,))  # tf.keras 2's keyword
    assert legacy.batch_shape == (None, 3)
    t = K.Input((4,), dtype="int32")
    layer = K.layers.InputLayer(input_tensor=t)
    assert layer.output is t and layer.dtype == "int32" and layer.batch_shape == (None, 4)
    with pytest.raises(ValueError, match="KerasTensor"):
        K.layers.InputLayer(input_tensor=np.zeros((1, 2)))
    x = K.Input((3,), 2, "float64", None, None, None, "named")  # Keras' positional order
    assert x.dtype is tfx.float64 and x.shape.as_list() == [2, 3] and x.name == "named"


# ---- reordered layer arguments ---------------------------------------------------------------

def test_conv3d_transpose_and_spatial_dropout_positional_order():
    keras = _keras()
    layer = K.layers.Conv3DTranspose(2, 3, 1, "valid", "channels_last", None)
    assert layer.data_format == "channels_last" and layer.output_padding is None
    ref = keras.layers.Conv3DTranspose(2, 3, 1, "valid", "channels_last", None)
    assert ref.data_format == layer.data_format
    sd = K.layers.SpatialDropout2D(0.5, "channels_first", 3)
    assert (sd.data_format, sd.seed) == ("channels_first", 3)
    assert K.layers.SpatialDropout3D(0.2, None, 7).seed == 7
    assert K.layers.SpatialDropout1D(0.2, 7).seed == 7
    x = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
    out = K.layers.SpatialDropout2D(0.5, "channels_first", 3)(x, training=True).numpy()
    kept = (out != 0).reshape(2, 3, -1)
    assert (kept.all(axis=2) | (~kept).all(axis=2)).all()  # whole channels dropped


# ---- overwrite_with_gradient -----------------------------------------------------------------

@pytest.mark.parametrize("steps", [None, 2])
def test_overwrite_with_gradient_matches_keras(steps):
    keras = _keras()
    kv = [keras.Variable(np.array([1.0, 2.0], np.float32)),
          keras.Variable(np.array([3.0, -1.0], np.float32))]
    tv = [K.Variable(np.array([1.0, 2.0], np.float32)),
          K.Variable(np.array([3.0, -1.0], np.float32))]
    kv[1].overwrite_with_gradient = tv[1].overwrite_with_gradient = True
    ko = keras.optimizers.SGD(0.1, gradient_accumulation_steps=steps)
    to = K.optimizers.SGD(0.1, gradient_accumulation_steps=steps)
    for gs in ([[0.5, 1.0], [5.0, -7.0]], [[1.0, 1.0], [2.0, 9.0]], [[0.2, 0.1], [1.0, 1.0]]):
        grads = [np.float32(g) for g in gs]
        ko.apply(grads, kv)
        to.apply(grads, tv)
        for a, b in zip(tv, kv):
            np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-6)
        assert int(to.iterations) == int(ko.iterations)


def test_overwrite_with_gradient_in_compiled_fit_matches_keras():
    keras = _keras()
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = np.ones((8, 1), np.float32)
    km = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    tm = K.Sequential([K.Input((3,)), K.layers.Dense(1)])
    tm.set_weights([np.asarray(w) for w in km.get_weights()])
    km.layers[0].bias.overwrite_with_gradient = True
    tm.layers[0].bias.overwrite_with_gradient = True
    km.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    tm.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    for m in (km, tm):
        m.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(tm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
