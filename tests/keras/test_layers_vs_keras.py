"""The built-in layers against Keras 3: identical weights (copied with get_weights /
set_weights) and random inputs give the same outputs, in inference and training mode, and
the same symbolic output shapes in a functional model."""
import re

import numpy as np
import pytest

import tfx

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(0)
MERGES = {"Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"}

# (class name, constructor kwargs, input shapes); several shapes: a list of inputs.
CASES = [
    ("Reshape", dict(target_shape=(2, -1)), [(2, 3, 4)]),
    ("Permute", dict(dims=(2, 1)), [(2, 3, 4)]),
    ("RepeatVector", dict(n=3), [(2, 4)]),
    ("Concatenate", dict(axis=1), [(2, 3), (2, 5)]),
    ("Concatenate", dict(), [(2, 3, 1), (2, 3, 2), (2, 3, 4)]),
    ("Add", {}, [(2, 3), (2, 1, 3)]),
    ("Subtract", {}, [(2, 3), (2, 3)]),
    ("Multiply", {}, [(2, 3), (2, 3, 1)]),
    ("Average", {}, [(2, 3), (2, 3), (2, 3)]),
    ("Maximum", {}, [(2, 3), (2, 3)]),
    ("Minimum", {}, [(2, 4), (2, 1)]),
    ("Dot", dict(axes=(2, 1)), [(2, 3, 4), (2, 4, 5)]),
    ("Dot", dict(axes=1, normalize=True), [(2, 3), (2, 3)]),
    ("Dot", dict(axes=-1), [(2, 3, 4), (2, 5, 4)]),
    ("BatchNormalization", {}, [(4, 3)]),
    ("BatchNormalization", dict(axis=1, momentum=0.5, center=False), [(4, 3, 5, 2)]),
    ("LayerNormalization", {}, [(4, 3)]),
    ("LayerNormalization", dict(axis=[1, 2], scale=False), [(2, 3, 4)]),
    ("LayerNormalization", dict(rms_scaling=True), [(2, 3, 4)]),
    ("Conv1D", dict(filters=3, kernel_size=2), [(2, 7, 4)]),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), [(2, 7, 4)]),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="same", strides=2, groups=2), [(2, 7, 4)]),
    ("Conv2D", dict(filters=3, kernel_size=3, padding="same", strides=2, activation="relu"),
     [(2, 7, 6, 2)]),
    ("Conv2D", dict(filters=2, kernel_size=(2, 3), dilation_rate=2, use_bias=False),
     [(2, 7, 8, 3)]),
    ("Conv2D", dict(filters=2, kernel_size=2, data_format="channels_first"), [(2, 3, 5, 4)]),
    ("Conv3D", dict(filters=2, kernel_size=2, padding="same"), [(1, 4, 4, 3, 2)]),
    ("MaxPooling1D", dict(), [(2, 7, 3)]),
    ("MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), [(2, 7, 3)]),
    ("MaxPooling2D", dict(pool_size=(2, 3), padding="same"), [(2, 5, 7, 3)]),
    ("AveragePooling1D", dict(pool_size=3, padding="same"), [(2, 7, 3)]),
    ("AveragePooling2D", dict(pool_size=2, strides=1), [(2, 5, 7, 3)]),
    ("AveragePooling2D", dict(pool_size=3, padding="same", data_format="channels_first"),
     [(2, 3, 5, 7)]),
    ("GlobalAveragePooling1D", {}, [(2, 5, 3)]),
    ("GlobalAveragePooling2D", dict(keepdims=True), [(2, 5, 4, 3)]),
    ("GlobalMaxPooling1D", dict(data_format="channels_first"), [(2, 5, 3)]),
    ("GlobalMaxPooling2D", {}, [(2, 5, 4, 3)]),
    ("SimpleRNN", dict(units=3), [(2, 5, 4)]),
    ("SimpleRNN", dict(units=3, return_sequences=True, go_backwards=True), [(2, 5, 4)]),
    ("LSTM", dict(units=3, return_sequences=True, return_state=True), [(2, 5, 4)]),
    ("LSTM", dict(units=2, go_backwards=True, unit_forget_bias=False), [(2, 5, 4)]),
    ("GRU", dict(units=3, return_state=True), [(2, 5, 4)]),
    ("GRU", dict(units=3, reset_after=False, return_sequences=True), [(2, 5, 4)]),
    ("Rescaling", dict(scale=0.5, offset=1.0), [(2, 3)]),
    ("Rescaling", dict(scale=[1.0, 2.0, 0.5], offset=[0.0, 1.0, -1.0]), [(2, 4, 3)]),
    ("ZeroPadding1D", dict(padding=(1, 2)), [(2, 3, 4)]),
    ("ZeroPadding2D", dict(padding=((1, 2), (0, 3))), [(2, 3, 4, 2)]),
    ("ZeroPadding2D", dict(padding=1, data_format="channels_first"), [(2, 2, 3, 4)]),
    ("Cropping1D", dict(cropping=(1, 2)), [(2, 5, 4)]),
    ("Cropping2D", dict(cropping=((1, 0), (2, 1))), [(2, 5, 6, 2)]),
    ("UpSampling1D", dict(size=3), [(2, 3, 4)]),
    ("UpSampling2D", dict(size=(2, 3)), [(2, 3, 4, 2)]),
    ("UpSampling2D", dict(size=(2, 3), interpolation="bilinear"), [(2, 3, 4, 2)]),
    ("ReLU", dict(max_value=1.0, negative_slope=0.1, threshold=0.5), [(2, 6)]),
    ("ReLU", dict(), [(2, 6)]),
    ("LeakyReLU", dict(), [(2, 6)]),
    ("ELU", dict(alpha=0.5), [(2, 6)]),
    ("Softmax", dict(axis=1), [(2, 3, 4)]),
    ("Softmax", dict(axis=(1, 2)), [(2, 3, 4)]),
    ("PReLU", dict(shared_axes=[1], alpha_initializer="random_uniform"), [(2, 3, 4)]),
    ("Identity", {}, [(2, 3)]),
    ("ActivityRegularization", dict(l1=0.1, l2=0.2), [(2, 3)]),
    ("GaussianNoise", dict(stddev=0.3), [(2, 3)]),
    ("GaussianDropout", dict(rate=0.3), [(2, 3)]),
    ("AlphaDropout", dict(rate=0.3), [(2, 3)]),
]


def _inputs(name, shapes):
    xs = [RNG.normal(size=s).astype("float32") for s in shapes]
    return xs if len(xs) > 1 or name in MERGES else xs[0]


def _tfx(x):
    return [tfx.constant(v) for v in x] if isinstance(x, list) else tfx.constant(x)


def _listed(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _pair(name, kwargs, x):
    """A Keras layer and a tfx layer built on ``x`` with the Keras layer's weights."""
    k = getattr(K, name)(**kwargs)
    t = getattr(T, name)(**kwargs)
    k(x)
    t(_tfx(x))
    t.set_weights(k.get_weights())
    return k, t


@pytest.mark.parametrize("name,kwargs,shapes", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_outputs_match_keras(name, kwargs, shapes):
    x = _inputs(name, shapes)
    k, t = _pair(name, kwargs, x)
    modes = (False, True) if name == "BatchNormalization" else (False,)
    for training in modes:
        want = _listed(k(x, training=training))
        got = _listed(t(_tfx(x), training=training))
        assert len(got) == len(want)
        for a, b in zip(want, got):
            assert tuple(b.shape) == tuple(np.shape(a))
            np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=1e-5)
        # Batch norm's moving statistics moved (in training) exactly as Keras'.
        for a, b in zip(k.get_weights(), t.get_weights()):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    assert [w.shape for w in k.weights] == [tuple(w.shape) for w in t.weights]
    assert len(t.losses) == len(k.losses)
    for a, b in zip(k.losses, t.losses):
        np.testing.assert_allclose(float(b.numpy()), float(a), rtol=1e-5)


@pytest.mark.parametrize("name,kwargs,shapes", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_symbolic_shapes_match_keras(name, kwargs, shapes):
    """Functional calls on Input(batch None) infer Keras' output shapes."""
    k_in = [keras.Input(s[1:]) for s in shapes]
    t_in = [T.Input(s[1:]) for s in shapes]
    if len(shapes) == 1 and name not in MERGES:
        k_in, t_in = k_in[0], t_in[0]
    want = _listed(getattr(K, name)(**kwargs)(k_in))
    got = _listed(getattr(T, name)(**kwargs)(t_in))
    assert [tuple(g.shape) for g in got] == [tuple(w.shape) for w in want]


@pytest.mark.parametrize("name,kwargs", [
    ("Conv1D", dict(filters=1, kernel_size=1)), ("MaxPooling2D", {}), ("UpSampling1D", {}),
    ("ReLU", {}), ("PReLU", {}), ("GlobalAveragePooling2D", {}), ("SimpleRNN", dict(units=1)),
    ("BatchNormalization", {}), ("ZeroPadding2D", {})])
def test_default_names_follow_keras(name, kwargs):
    def base(layer):
        return re.sub(r"_\d+$", "", layer.name)
    assert base(getattr(T, name)(**kwargs)) == base(getattr(K, name)(**kwargs))


# ---- masks, states and the rest of the recurrent options --------------------------------------

SEQ = RNG.normal(size=(2, 5, 3)).astype("float32")
MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)


@pytest.mark.parametrize("name,kwargs", [
    ("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"zero_output_for_mask": True}),
    ("LSTM", {"go_backwards": True}), ("GRU", {"reset_after": False})])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_mask_matches_keras(name, kwargs, return_sequences):
    k, t = _pair(name, dict(units=2, return_sequences=return_sequences, return_state=True,
                            **kwargs), SEQ)
    for a, b in zip(k(SEQ, mask=MASK), t(tfx.constant(SEQ), mask=tfx.constant(MASK))):
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=1e-6)


def test_lstm_initial_state_matches_keras():
    k, t = _pair("LSTM", dict(units=2), SEQ)
    h0 = [RNG.normal(size=(2, 2)).astype("float32") for _ in range(2)]
    np.testing.assert_allclose(t(tfx.constant(SEQ), initial_state=_tfx(h0)).numpy(),
                               np.asarray(k(SEQ, initial_state=h0)), rtol=1e-5, atol=1e-6)


def test_stateful_gru_carries_state_like_keras():
    k, t = _pair("GRU", dict(units=2, stateful=True), SEQ)
    k.reset_states()
    t.reset_states()
    for _ in range(2):
        np.testing.assert_allclose(t(tfx.constant(SEQ)).numpy(), np.asarray(k(SEQ)),
                                   rtol=1e-5, atol=1e-6)
    t.reset_states()
    k.reset_states()
    np.testing.assert_allclose(t(tfx.constant(SEQ)).numpy(), np.asarray(k(SEQ)), rtol=1e-5,
                               atol=1e-6)


def test_rnn_dropout_is_off_in_inference_and_seeded_in_training():
    kwargs = dict(units=2, dropout=0.5, recurrent_dropout=0.5, seed=3)
    k, t = _pair("LSTM", kwargs, SEQ)
    np.testing.assert_allclose(t(tfx.constant(SEQ)).numpy(), np.asarray(k(SEQ)), rtol=1e-5,
                               atol=1e-6)
    _, twin = _pair("LSTM", kwargs, SEQ)  # its own stream, seeded alike: the same masks
    twin.set_weights(t.get_weights())
    twin(tfx.constant(SEQ))  # an inference call draws (unused) masks too, as Keras
    a = t(tfx.constant(SEQ), training=True).numpy()
    np.testing.assert_array_equal(a, twin(tfx.constant(SEQ), training=True).numpy())
    np.testing.assert_allclose(a, np.asarray(k(SEQ, training=True)), rtol=1e-5, atol=1e-6)
    assert not np.allclose(a, np.asarray(k(SEQ)))
    assert not np.allclose(a, t(tfx.constant(SEQ), training=True).numpy())


def test_masked_pooling_softmax_and_batchnorm_match_keras():
    np.testing.assert_allclose(
        T.GlobalAveragePooling1D()(tfx.constant(SEQ), mask=tfx.constant(MASK)).numpy(),
        np.asarray(K.GlobalAveragePooling1D()(SEQ, mask=MASK)), rtol=1e-6)
    m = np.array([[1, 0, 1], [0, 0, 0]], bool)
    x = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(T.Softmax()(tfx.constant(x), mask=tfx.constant(m)).numpy(),
                               np.asarray(K.Softmax()(x, mask=m)), rtol=1e-6)
    kb, tb = K.BatchNormalization(momentum=0.5), T.BatchNormalization(momentum=0.5)
    np.testing.assert_allclose(tb(tfx.constant(SEQ), training=True,
                                  mask=tfx.constant(MASK)).numpy(),
                               np.asarray(kb(SEQ, training=True, mask=MASK)), atol=1e-5)
    for a, b in zip(kb.get_weights(), tb.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_frozen_batchnorm_runs_in_inference_mode():
    k, t = _pair("BatchNormalization", {}, SEQ)
    k.trainable = t.trainable = False
    np.testing.assert_allclose(t(tfx.constant(SEQ), training=True).numpy(),
                               np.asarray(k(SEQ, training=True)), rtol=1e-6)
    np.testing.assert_array_equal(t.get_weights()[2], 0.0)


def test_embedding_matches_keras():
    ids = RNG.integers(0, 10, (2, 3))
    k, t = _pair("Embedding", dict(input_dim=10, output_dim=4), ids)
    for v in (ids, ids.astype("float32")):
        y = t(tfx.constant(v))
        assert y.dtype is tfx.float32
        np.testing.assert_allclose(y.numpy(), np.asarray(k(v)))
    with pytest.raises(tfx.errors.InvalidArgumentError, match=r"indices\[1\] = 10"):
        t(tfx.constant([3, 10]))
    e = T.Embedding(5, 2, mask_zero=True)
    np.testing.assert_array_equal(e.compute_mask(tfx.constant([[0, 3]])).numpy(),
                                  [[False, True]])


def test_rnn_over_cells_matches_keras():
    for name in ("SimpleRNNCell", "LSTMCell", "GRUCell"):
        kc, tc = getattr(K, name)(3), getattr(T, name)(3)
        k, t = K.RNN(kc, return_sequences=True), T.RNN(tc, return_sequences=True)
        k(SEQ)
        t(tfx.constant(SEQ))
        t.set_weights(k.get_weights())
        np.testing.assert_allclose(t(tfx.constant(SEQ)).numpy(), np.asarray(k(SEQ)),
                                   rtol=1e-5, atol=1e-6)
        # One step of the cell by itself.
        states = [RNG.normal(size=(2, 3)).astype("float32") for _ in range(
            2 if name == "LSTMCell" else 1)]
        k_out, k_states = kc(SEQ[:, 0], states)
        t_out, t_states = tc(tfx.constant(SEQ[:, 0]), _tfx(states))
        for a, b in zip([k_out] + list(k_states), [t_out] + list(t_states)):
            np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=1e-6)


def _custom_cell(base):
    """The Keras guide's minimal cell, written once for each framework."""
    class MinimalRNNCell(base.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev_output = states[0]
            h = inputs @ self.kernel
            output = h + prev_output @ self.recurrent_kernel
            return output, [output]
    return MinimalRNNCell


def test_rnn_over_a_custom_cell_matches_keras():
    k = K.RNN(_custom_cell(keras)(4), return_state=True, go_backwards=True)
    t = T.RNN(_custom_cell(tfx.keras)(4), return_state=True, go_backwards=True)
    k(SEQ)
    t(tfx.constant(SEQ))
    t.set_weights(k.get_weights())
    for a, b in zip(k(SEQ, mask=MASK), t(tfx.constant(SEQ), mask=tfx.constant(MASK))):
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=1e-6)
