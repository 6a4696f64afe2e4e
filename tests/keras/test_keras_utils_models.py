"""keras namespace breadth: top-level names, keras.config, clone_model, to_json /
model_from_json (interchangeable with Keras), image file helpers, PyDataset in fit."""
import numpy as np
import pytest

import tfx

K = tfx.keras


def test_top_level_names_are_the_classes_of_their_modules():
    assert K.Layer is K.layers.Layer and K.Loss is K.losses.Loss
    assert K.Metric is K.metrics.Metric and K.Optimizer is K.optimizers.Optimizer
    assert K.Initializer is K.initializers.Initializer
    assert K.Regularizer is K.regularizers.Regularizer and K.InputSpec is K.layers.InputSpec
    assert issubclass(K.Variable, tfx.Variable) and K.Variable is not tfx.Variable
    assert K.version() == K.__version__ and K.__version__.startswith("3.")
    assert K.config.floatx() == "float32" and K.config.epsilon() == 1e-7
    assert K.config.image_data_format() == "channels_last"
    # present for Keras scripts, but it widens nothing (tests/keras/test_keras_config_more.py)
    assert callable(K.config.enable_unsafe_deserialization)
    x = K.Input((3,))
    assert isinstance(x, K.KerasTensor) and K.utils.is_keras_tensor(x)
    assert not K.utils.is_keras_tensor(tfx.constant([1.0]))


def _functional():
    a, b = K.Input((3,), name="a"), K.Input((2,), name="b")
    h = K.layers.Dense(4, activation="relu")(a)
    return K.Model([a, b], K.layers.Dense(1)(K.layers.Concatenate()([h, b]))), (a, b)


def test_clone_model_fresh_weights_same_architecture():
    K.utils.set_random_seed(0)
    seq = K.Sequential([K.Input((3,)), K.layers.Dense(4, activation="relu"),
                        K.layers.Dense(1)])
    c = K.models.clone_model(seq)
    assert c is not seq and c.input_shape == (None, 3)
    assert [l.__class__ for l in c.layers] == [l.__class__ for l in seq.layers]
    assert all(a is not b for a, b in zip(c.layers, seq.layers))
    assert not np.allclose(c.get_weights()[0], seq.get_weights()[0])  # new initial values
    c.set_weights(seq.get_weights())
    x = np.random.RandomState(0).rand(5, 3).astype("float32")
    np.testing.assert_array_equal(c(x).numpy(), seq(x).numpy())

    fm, (a, b) = _functional()
    g = K.models.clone_model(fm)
    g.set_weights(fm.get_weights())
    xs = [x, np.ones((5, 2), "float32")]
    np.testing.assert_array_equal(g(xs).numpy(), fm(xs).numpy())
    assert len(g.layers) == len(fm.layers)

    named = K.models.clone_model(fm, clone_function=lambda l: l.__class__.from_config(
        {**l.get_config(), "name": l.name + "_copy"}))
    assert [l.name.endswith("_copy") for l in named.layers] == \
        [not isinstance(l, K.layers.InputLayer) for l in named.layers]
    calls = []
    K.models.clone_model(fm, call_function=lambda layer, *args, **kw: calls.append(
        layer.name) or layer(*args, **kw))
    assert len(calls) == 3

    new_in = K.Input((3,))
    on_new = K.models.clone_model(seq, input_tensors=new_in)
    assert on_new.inputs[0] is new_in


def test_clone_subclassed_model_uses_its_config():
    class Twice(K.Model):
        def __init__(self, units=2, **kw):
            super().__init__(**kw)
            self.units = units
            self.d = K.layers.Dense(units)

        def call(self, x):
            return self.d(x) * 2

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    m = Twice(units=5)
    c = K.models.clone_model(m)
    assert isinstance(c, Twice) and c.units == 5
    with pytest.raises(ValueError, match="only supported for Sequential and functional"):
        K.models.clone_model(m, clone_function=lambda l: l)


def test_to_json_and_model_from_json_round_trip_and_interchange_with_keras():
    seq = K.Sequential([K.Input((3,)), K.layers.Dense(4, activation="relu"),
                        K.layers.Dense(1)])
    back = K.models.model_from_json(seq.to_json())
    assert isinstance(back, K.Sequential) and back.input_shape == (None, 3)
    assert [l.get_config()["units"] for l in back.layers] == [4, 1]
    fm, _ = _functional()
    again = K.models.model_from_json(fm.to_json(indent=2))
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in fm.layers]
    with pytest.raises(ValueError, match="class_name"):
        K.models.model_from_json('{"config": {}}')
    with pytest.raises(ValueError, match="not a JSON"):
        K.models.model_from_json("{nope")
    keras = pytest.importorskip("keras")
    theirs = keras.models.model_from_json(fm.to_json())
    assert [type(l).__name__ for l in theirs.layers] == [type(l).__name__ for l in fm.layers]
    kin = keras.Input((3,))
    km = keras.Model(kin, keras.layers.Dense(2, activation="tanh")(kin))
    ours = K.models.model_from_json(km.to_json())
    assert ours.layers[-1].get_config()["activation"] == "tanh"


def test_source_inputs_and_packing():
    fm, (a, b) = _functional()
    assert K.utils.get_source_inputs(fm.outputs[0]) == [a, b]
    assert K.utils.pack_x_y_sample_weight(1) == 1
    assert K.utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    assert K.utils.pack_x_y_sample_weight((1, 2)) == ((1, 2),)
    assert K.utils.unpack_x_y_sample_weight((1, 2, 3)) == (1, 2, 3)
    assert K.utils.unpack_x_y_sample_weight(K.utils.pack_x_y_sample_weight((1, 2))) == \
        ((1, 2), None, None)
    K.layers.Dense(3)
    K.utils.clear_session()
    assert K.layers.Dense(3).name == "dense"


def test_image_files_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    img = rng.randint(0, 256, (6, 8, 3)).astype("float32")
    K.utils.save_img(str(tmp_path / "a.png"), img, scale=False)
    loaded = K.utils.load_img(str(tmp_path / "a.png"))
    assert loaded.size == (8, 6)
    arr = K.utils.img_to_array(loaded)
    assert arr.shape == (6, 8, 3) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, img)
    gray = K.utils.img_to_array(K.utils.load_img(str(tmp_path / "a.png"),
                                                 color_mode="grayscale"))
    assert gray.shape == (6, 8, 1)
    small = K.utils.load_img(str(tmp_path / "a.png"), target_size=(3, 4))
    assert small.size == (4, 3)
    assert K.utils.img_to_array(loaded, data_format="channels_first").shape == (3, 6, 8)
    with pytest.raises(ValueError, match="rank 3"):
        K.utils.array_to_img(np.zeros((2, 2)))
    keras = pytest.importorskip("keras")
    theirs = keras.utils.img_to_array(keras.utils.load_img(str(tmp_path / "a.png"),
                                                           target_size=(3, 4)))
    np.testing.assert_array_equal(K.utils.img_to_array(small), theirs)
    scaled = K.utils.img_to_array(K.utils.array_to_img(img / 255.0))
    np.testing.assert_array_equal(scaled, keras.utils.img_to_array(
        keras.utils.array_to_img(img / 255.0)))


def test_py_dataset_drives_fit_evaluate_predict_with_epoch_hooks():
    class Batches(K.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size
            self.events = []

        def __len__(self):
            return int(np.ceil(len(self.x) / self.batch_size))

        def __getitem__(self, i):
            self.events.append(i)
            sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
            return self.x[sl], self.y[sl]

        def on_epoch_end(self):
            self.events.append("end")

    rng = np.random.RandomState(0)
    x = rng.rand(40, 3).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    data = Batches(x, y, batch_size=16, workers=2)
    assert data.workers == 2 and data.num_batches == 3
    K.utils.set_random_seed(1)
    model = K.Sequential([K.Input((3,)), K.layers.Dense(1)])
    model.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    hist = model.fit(data, epochs=2, verbose=0)
    assert data.events == [0, 1, 2, "end", 0, 1, 2, "end"]
    # the same batches as arrays with batch_size 16 and no shuffling: the same training
    K.utils.set_random_seed(1)
    twin = K.Sequential([K.Input((3,)), K.layers.Dense(1)])
    twin.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    twin_hist = twin.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], twin_hist.history["loss"], rtol=1e-6)
    assert model.predict(Batches(x, y, 16), verbose=0).shape == (40, 1)
    np.testing.assert_allclose(model.evaluate(Batches(x, y, 16), verbose=0),
                               model.evaluate(x, y, batch_size=16, verbose=0), rtol=1e-6)
    assert K.utils.Sequence is K.utils.PyDataset


def test_normalization_adapts_over_batches_exactly():
    x = np.random.RandomState(5).rand(1000, 2, 3).astype("float32") * 7 - 2
    whole = K.layers.Normalization(axis=-1)
    whole.adapt(x)
    streamed = K.layers.Normalization(axis=-1)
    streamed.adapt(tfx.data.Dataset.from_tensor_slices(x).batch(97))
    np.testing.assert_allclose(streamed.mean.numpy(), whole.mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(streamed.variance.numpy(), whole.variance.numpy(), rtol=1e-6)
    np.testing.assert_allclose(whole.variance.numpy().ravel(), x.reshape(-1, 3).var(0),
                               rtol=1e-5)
    part = K.layers.Normalization()
    part.adapt(tfx.data.Dataset.from_tensor_slices(x[:, 0]).batch(100), steps=2)
    np.testing.assert_allclose(part.mean.numpy().ravel(), x[:200, 0].mean(0), rtol=1e-5)
