"""Keras' legacy HDF5 model files: model.save("m.h5") / load_model("m.h5") round trip in tfx,
and files cross to and from Keras 3 with the same predictions; a hostile or foreign file is
refused with a reason, and nothing in it is executed."""
import json

import numpy as np
import pytest

import tfx

K = tfx.keras
X = np.random.RandomState(0).rand(8, 3).astype("float32")
h5py = pytest.importorskip("h5py")


def _sequential():
    m = K.Sequential([K.Input((3,)), K.layers.Dense(4, activation="relu"),
                      K.layers.BatchNormalization(), K.layers.Dense(1)])
    m.compile("adam", "mse", metrics=["mae"])
    m.fit(X, X[:, :1], epochs=2, verbose=0)
    return m


def test_round_trip_in_tfx(tmp_path):
    m = _sequential()
    m.save(tmp_path / "m.h5")
    back = K.models.load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(back.predict(X, verbose=0), m.predict(X, verbose=0), rtol=1e-6)
    assert back.loss == "mse" and type(back.optimizer).__name__ == "Adam"
    a, b = K.Input((3,)), K.Input((2,))
    out = K.layers.Dense(1)(K.layers.Concatenate()([K.layers.Dense(2)(a), b]))
    f = K.Model([a, b], out)
    f.save(tmp_path / "f.hdf5")
    g = K.models.load_model(tmp_path / "f.hdf5", compile=False)
    xs = [X, X[:, :2]]
    np.testing.assert_allclose(g.predict(xs, verbose=0), f.predict(xs, verbose=0), rtol=1e-6)
    with pytest.raises(FileExistsError):
        m.save(tmp_path / "m.h5", overwrite=False)


def test_files_cross_with_keras(tmp_path):
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    km = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                           keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    km.compile("adam", keras.losses.MeanSquaredError())
    km.fit(X, X[:, :1], verbose=0)
    km.save(tmp_path / "k.h5")
    ours = K.models.load_model(tmp_path / "k.h5")
    np.testing.assert_allclose(ours.predict(X, verbose=0), km.predict(X, verbose=0), rtol=1e-5,
                               atol=1e-6)
    m = _sequential()
    m.save(tmp_path / "t.h5")
    theirs = keras.models.load_model(tmp_path / "t.h5", compile=False)
    np.testing.assert_allclose(np.asarray(theirs.predict(X, verbose=0)),
                               m.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_hostile_and_foreign_files_are_refused(tmp_path):
    m = _sequential()
    m.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["class_name"] = "os.system"
        f.attrs["model_config"] = json.dumps(config)
    with pytest.raises(tfx.errors.ModelFormatError, match="os.system"):
        K.models.load_model(tmp_path / "m.h5")
    m.save_weights(tmp_path / "w.weights.h5")
    (tmp_path / "w.h5").write_bytes((tmp_path / "w.weights.h5").read_bytes())
    with pytest.raises(tfx.errors.ModelFormatError, match="no model_config"):
        K.models.load_model(tmp_path / "w.h5")
    (tmp_path / "junk.h5").write_bytes(b"\x00" * 64)
    with pytest.raises(tfx.errors.ModelFormatError, match="not an HDF5 file"):
        K.models.load_model(tmp_path / "junk.h5")
