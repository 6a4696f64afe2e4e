"""Bidirectional, TimeDistributed, StackedRNNCells and RNN(unroll=True) against Keras 3 with
identical weights; gradients against finite differences; configs; save/load."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(5)
SEQ = RNG.normal(size=(2, 5, 3)).astype("float32")
MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)


def _pair(make_k, make_t, x):
    k, t = make_k(), make_t()
    k(x)
    t(tfx.constant(x))
    t.set_weights(k.get_weights())
    return k, t


def _close(want, got, atol=1e-6):
    want, got = keras.tree.flatten(want), tfx.nest.flatten(got)
    assert len(want) == len(got)
    for a, b in zip(want, got):
        assert tuple(b.shape) == tuple(np.shape(a))
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=atol)


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_matches_keras(rnn, merge_mode, return_sequences):
    def make(lib):
        return lambda: lib.Bidirectional(getattr(lib, rnn)(2, return_sequences=return_sequences,
                                                           return_state=True),
                                         merge_mode=merge_mode)
    k, t = _pair(make(K), make(T), SEQ)
    _close(k(SEQ), t(tfx.constant(SEQ)))
    _close(k(SEQ, mask=MASK), t(tfx.constant(SEQ), mask=tfx.constant(MASK)))
    assert [w.shape for w in k.weights] == [tuple(w.shape) for w in t.weights]


def test_bidirectional_initial_state_backward_layer_and_names():
    states = [RNG.normal(size=(2, 2)).astype("float32") for _ in range(4)]
    k, t = _pair(lambda: K.Bidirectional(K.LSTM(2)), lambda: T.Bidirectional(T.LSTM(2)), SEQ)
    _close(k(SEQ, initial_state=states), t(tfx.constant(SEQ),
                                           initial_state=[tfx.constant(s) for s in states]))
    assert t.forward_layer.name.startswith("forward_lstm")
    assert t.backward_layer.name.startswith("backward_lstm") and t.backward_layer.go_backwards

    def make(lib):
        return lambda: lib.Bidirectional(lib.LSTM(3, return_sequences=True),
                                         backward_layer=lib.GRU(3, return_sequences=True,
                                                                go_backwards=True))
    k, t = _pair(make(K), make(T), SEQ)
    _close(k(SEQ), t(tfx.constant(SEQ)))
    with pytest.raises(ValueError, match="Invalid merge mode"):
        T.Bidirectional(T.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="same `return_sequences`"):
        T.Bidirectional(T.LSTM(2), backward_layer=T.LSTM(2, return_sequences=True))


def test_bidirectional_symbolic_shapes_and_mask_in_functional_model():
    for kwargs in (dict(), dict(merge_mode=None), dict(merge_mode="sum")):
        want = K.Bidirectional(K.LSTM(4, return_sequences=True), **kwargs)(keras.Input((7, 3)))
        got = T.Bidirectional(T.LSTM(4, return_sequences=True), **kwargs)(tfx.keras.Input(
            (7, 3)))
        assert [tuple(g.shape) for g in tfx.nest.flatten(got)] == \
            [tuple(w.shape) for w in keras.tree.flatten(want)]


@pytest.mark.parametrize("inner", [
    lambda lib: lib.Dense(4, activation="relu"),
    lambda lib: lib.Conv1D(2, 2),
    lambda lib: lib.BatchNormalization(),
    lambda lib: lib.Flatten(),
])
def test_time_distributed_matches_keras(inner):
    x = RNG.normal(size=(3, 4, 5, 2)).astype("float32")
    k, t = _pair(lambda: K.TimeDistributed(inner(K)), lambda: T.TimeDistributed(inner(T)), x)
    for training in (False, True):
        _close(k(x, training=training), t(tfx.constant(x), training=training), atol=1e-5)
    for a, b in zip(k.get_weights(), t.get_weights()):  # batch-norm statistics, step by step
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    want = K.TimeDistributed(inner(K))(keras.Input((4, 5, 2)))
    got = T.TimeDistributed(inner(T))(tfx.keras.Input((4, 5, 2)))
    assert tuple(got.shape) == tuple(want.shape)


def test_time_distributed_passes_masks_through():
    ids = np.array([[1, 2, 0], [3, 0, 0]])

    def build(lib):
        L = lib.layers
        inp = lib.Input((3,), dtype="int32")
        x = L.TimeDistributed(L.Dense(2))(L.Embedding(5, 3, mask_zero=True)(inp))
        return lib.Model(inp, L.SimpleRNN(2)(x))
    k, t = build(keras), build(tfx.keras)
    k(ids)
    t(tfx.constant(ids))
    t.set_weights(k.get_weights())
    _close(k(ids), t(tfx.constant(ids)))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        T.TimeDistributed(T.Dense(2))(tfx.constant(np.ones((2, 3), "float32")))


def test_stacked_rnn_cells_match_keras():
    def make(lib):
        return lambda: lib.RNN(lib.StackedRNNCells([lib.LSTMCell(3), lib.GRUCell(2),
                                                    lib.SimpleRNNCell(4)]),
                               return_sequences=True, return_state=True)
    k, t = _pair(make(K), make(T), SEQ)
    _close(k(SEQ), t(tfx.constant(SEQ)))
    _close(k(SEQ, mask=MASK), t(tfx.constant(SEQ), mask=tfx.constant(MASK)))
    cell = t.cell
    assert cell.state_size == [[3, 3], 2, 4] and cell.output_size == 4
    out, states = cell(tfx.constant(SEQ[:, 0]), cell.get_initial_state(batch_size=2))
    assert tuple(out.shape) == (2, 4) and [tuple(s.shape) for s in tfx.nest.flatten(states)] \
        == [(2, 3), (2, 3), (2, 2), (2, 4)]


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_unrolled_rnn_matches_keras(name):
    k, t = _pair(lambda: getattr(K, name)(3, unroll=True, return_sequences=True),
                 lambda: getattr(T, name)(3, unroll=True, return_sequences=True), SEQ)
    _close(k(SEQ, mask=MASK), t(tfx.constant(SEQ), mask=tfx.constant(MASK)))
    assert t.get_config()["unroll"] is True


def test_wrapper_gradients_match_finite_differences():
    x = RNG.normal(size=(2, 3, 2))
    check_grads(T.Bidirectional(T.GRU(2, return_sequences=True, dtype="float64"),
                                dtype="float64"), x)
    check_grads(T.Bidirectional(T.SimpleRNN(2, dtype="float64"), merge_mode="mul",
                                dtype="float64"), x, mask=tfx.constant(MASK[:, :3]))
    check_grads(T.TimeDistributed(T.Dense(2, dtype="float64"), dtype="float64"), x)
    check_grads(T.RNN(T.StackedRNNCells([T.LSTMCell(2, dtype="float64"),
                                         T.SimpleRNNCell(2, dtype="float64")],
                                        dtype="float64"), dtype="float64"), x)


@pytest.mark.parametrize("make", [
    lambda: T.Bidirectional(T.LSTM(2, return_sequences=True), merge_mode="ave"),
    lambda: T.Bidirectional(T.LSTM(2), backward_layer=T.GRU(2, go_backwards=True)),
    lambda: T.TimeDistributed(T.Dense(3)),
    lambda: T.RNN(T.StackedRNNCells([T.LSTMCell(2), T.GRUCell(3)]), return_sequences=True),
], ids=["bidirectional", "bidirectional-backward", "time-distributed", "stacked"])
def test_wrapper_configs_and_save_load(make, tmp_path):
    check_config_round_trip(make(), SEQ)
    check_save_load(make(), [((5, 3), "float32")], [SEQ], tmp_path)

