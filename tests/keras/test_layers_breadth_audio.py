"""MelSpectrogram, STFTSpectrogram and HashedCrossing against Keras 3: outputs, shapes,
configs, initial kernels; STFT kernels train (finite differences); save/load."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load
from test_layers_breadth import match_keras, symbolic_shape_matches

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(4)


@pytest.mark.parametrize("kwargs", [
    {},
    dict(fft_length=512, sequence_stride=128, num_mel_bins=40, sampling_rate=8000,
         max_freq=3000, top_db=40.0, ref_power=2.0),
    dict(power_to_db=False, mag_exp=1.0, fft_length=256, sequence_length=200,
         window="hamming", min_freq=0.0),
])
def test_mel_spectrogram_matches_keras(kwargs):
    x = RNG.normal(size=(2, 3000)).astype("float32")
    k, t = match_keras("MelSpectrogram", kwargs, x, rtol=1e-4, atol=2e-3)
    want = np.asarray(k(x[0]))
    np.testing.assert_allclose(t(tfx.constant(x[0])).numpy(), want, rtol=1e-4, atol=2e-3)
    assert tuple(t.compute_output_shape((None, 3000))) == (None,) + want.shape


@pytest.mark.parametrize("kwargs,channels", [
    ({}, 2),
    (dict(mode="real"), 2),
    (dict(mode="imag", frame_length=100, fft_length=128, padding="same"), 1),
    (dict(mode="magnitude", scaling="spectrum", periodic=True, expand_dims=True), 2),
    (dict(mode="psd", scaling=None, window="hamming", frame_step=30), 1),
    (dict(mode="angle"), 1),
    (dict(data_format="channels_first", frame_length=64), 2),
    (dict(data_format="channels_first", frame_length=64, expand_dims=True,
          mode="magnitude"), 2),
])
def test_stft_spectrogram_matches_keras(kwargs, channels):
    x = RNG.normal(size=(2, 600, channels)).astype("float32")
    if kwargs.get("data_format") == "channels_first":
        x = x.transpose(0, 2, 1)
    k, t = K.STFTSpectrogram(**kwargs), T.STFTSpectrogram(**kwargs)
    k(x)
    t(tfx.constant(x))
    for a, b in zip(k.weights, t.weights):  # the initial kernels are the windowed DFT
        assert a.name == b.name.split(":")[0]
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-4, atol=5e-5)
    rtol = 1e-3 if kwargs.get("mode") == "angle" else 1e-4
    match_keras("STFTSpectrogram", kwargs, x, rtol=rtol, atol=1e-3)
    symbolic_shape_matches("STFTSpectrogram", kwargs, x.shape)


def test_stft_kernels_have_gradients_and_models_save(tmp_path):
    x = RNG.normal(size=(1, 24, 1))
    check_grads(T.STFTSpectrogram(mode="psd", frame_length=8, frame_step=4,
                                  dtype="float64"), x, rtol=1e-5, atol=1e-6)
    check_grads(T.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=8,
                                  scaling="spectrum", dtype="float64"), x, rtol=1e-5,
                atol=1e-6)
    xs = RNG.normal(size=(2, 64, 1)).astype("float32")
    check_config_round_trip(T.STFTSpectrogram(frame_length=16), xs)
    check_save_load(T.STFTSpectrogram(frame_length=16, mode="real"), [((64, 1), "float32")],
                    [xs], tmp_path)
    audio = RNG.normal(size=(2, 1000)).astype("float32")
    check_save_load(T.MelSpectrogram(fft_length=256, sequence_stride=64, num_mel_bins=16),
                    [((1000,), "float32")], [audio], tmp_path, name="mel.tfx")


def test_stft_spectrogram_errors():
    with pytest.raises(ValueError, match="frame_step"):
        T.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="fft_length"):
        T.STFTSpectrogram(frame_length=8, fft_length=4)
    with pytest.raises(ValueError, match="mode"):
        T.STFTSpectrogram(mode="db")
    with pytest.raises(ValueError, match="window"):
        T.STFTSpectrogram(window="kaiser")


@pytest.mark.parametrize("features", [
    (np.array([1, 2, 3, -4, 2 ** 40]), np.array(["a", "b", "c", "d", "é"])),
    (np.array([["x"], ["yy"], [""]]), np.array([[7], [8], [9]]), np.array([[1], [1], [2]])),
    (np.array(3), np.array("z")),
], ids=["int-string", "three-columns", "scalars"])
@pytest.mark.parametrize("num_bins,mode", [(7, "int"), (1000, "int"), (5, "one_hot")])
def test_hashed_crossing_matches_keras(features, num_bins, mode):
    if mode == "one_hot" and features[0].ndim == 0:
        pytest.skip("Keras' one-hot of a scalar cross is a vector; covered by the rest")
    k = K.HashedCrossing(num_bins=num_bins, output_mode=mode)
    t = T.HashedCrossing(num_bins=num_bins, output_mode=mode)
    want = np.asarray(k(features))
    got = t(tuple(tfx.constant(f) for f in features))
    assert got.dtype.name == want.dtype.name
    np.testing.assert_array_equal(got.numpy(), want)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) == set(kc)
    assert {key: tc[key] for key in ("num_bins", "output_mode", "sparse")} == \
        {key: kc[key] for key in ("num_bins", "output_mode", "sparse")}
    assert T.HashedCrossing.from_config(tc).get_config() == tc


def test_hashed_crossing_errors():
    t = T.HashedCrossing(5)
    with pytest.raises(ValueError, match="at least two inputs"):
        t((tfx.constant([1, 2]),))
    with pytest.raises(ValueError, match="integer or string"):
        t((tfx.constant([1.0]), tfx.constant([2])))
    with pytest.raises(ValueError, match="output_mode"):
        T.HashedCrossing(5, output_mode="multi_hot")
    shape = T.HashedCrossing(5, output_mode="one_hot").compute_output_shape([(None, 1),
                                                                               (None, 1)])
    assert tuple(shape) == (None, 5)
