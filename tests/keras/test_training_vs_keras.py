"""Whole trainings against Keras 3 (TensorFlow backend): the same initial weights, data and
settings give the same history, final weights and evaluation. Skipped without keras."""
import numpy as np
import pytest

import tfx

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((64, 6)).astype(np.float32)
YR = RNG.standard_normal((64, 1)).astype(np.float32)
YC = RNG.integers(0, 3, 64)
YB = (RNG.random((64, 1)) > 0.5).astype(np.float32)
XS = RNG.standard_normal((64, 5, 3)).astype(np.float32)
XI = RNG.standard_normal((64, 6, 6, 2)).astype(np.float32)
XT = RNG.integers(1, 20, (64, 7))
XT[:, 5:] = 0  # padding for mask_zero


def _dense(L, *a, **k):
    return L.layers.Dense(*a, **k)


# name: (model builder, x, y, loss, optimizer, metrics, fit kwargs); a callable is given the
# Keras-like namespace (keras or tfx.keras).
CASES = {
    "mlp-sgd-nesterov": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="tanh"),
                                                 _dense(L, 1)]), X, YR, "mse",
                         lambda L: L.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                         ["mae"], {}),
    "classifier-accuracy": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="relu"),
                                                    _dense(L, 3, activation="softmax")]),
                            X, YC, "sparse_categorical_crossentropy", "adam", ["accuracy"], {}),
    "binary-auc-precision-recall": (
        lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="relu"),
                                _dense(L, 1, activation="sigmoid")]),
        X, YB, "binary_crossentropy", "adam",
        lambda L: ["accuracy", L.metrics.AUC(), L.metrics.Precision(), L.metrics.Recall()], {}),
    "huber-rmsprop": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="elu"),
                                              _dense(L, 1)]), X, YR, "huber", "rmsprop",
                      ["mse"], {}),
    "layernorm-gelu-adamw": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="gelu"),
                                                     L.layers.LayerNormalization(), _dense(L, 1)]),
                             X, YR, "mae", "adamw", None, {}),
    "lstm": (lambda L: L.Sequential([L.Input((5, 3)), L.layers.LSTM(4), _dense(L, 1)]),
             XS, YR, "mse", "adam", None, {}),
    "gru-sequences-nadam": (lambda L: L.Sequential([L.Input((5, 3)),
                                                    L.layers.GRU(4, return_sequences=True),
                                                    L.layers.GlobalAveragePooling1D(),
                                                    _dense(L, 1)]), XS, YR, "mse", "nadam", None,
                            {}),
    "bidirectional-simplernn": (lambda L: L.Sequential([
        L.Input((5, 3)), L.layers.Bidirectional(L.layers.SimpleRNN(3)), _dense(L, 1)]),
        XS, YR, "mse", "adam", None, {}),
    "conv2d-maxpool": (lambda L: L.Sequential([
        L.Input((6, 6, 2)), L.layers.Conv2D(3, 3, activation="relu", padding="same"),
        L.layers.MaxPooling2D(), L.layers.Flatten(), _dense(L, 3)]), XI, YC,
        lambda L: L.losses.SparseCategoricalCrossentropy(from_logits=True), "adam",
        ["sparse_categorical_accuracy"], {}),
    "conv1d-globalmax": (lambda L: L.Sequential([L.Input((5, 3)),
                                                 L.layers.Conv1D(4, 2, activation="relu"),
                                                 L.layers.GlobalMaxPooling1D(), _dense(L, 1)]),
                         XS, YR, "mse", "adam", None, {}),
    "masked-embedding-lstm": (lambda L: L.Sequential([
        L.Input((7,), dtype="int64"), L.layers.Embedding(20, 4, mask_zero=True),
        L.layers.LSTM(3), _dense(L, 1)]), XT, YR, "mse", "adam", None, {}),
    "class-weight": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 3, activation="softmax")]),
                     X, YC, "sparse_categorical_crossentropy", "adam", ["accuracy"],
                     {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}}),
    "validation-split": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 4, activation="relu"),
                                                 _dense(L, 1)]), X, YR, "mse", "adam", ["mae"],
                         {"validation_split": 0.25}),
    "sample-weight": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 1)]), X, YR, "mse", "adam",
                      None, {"sample_weight": np.linspace(0.1, 2, 64).astype(np.float32)}),
    "l1l2-regularizer": (lambda L: L.Sequential([
        L.Input((6,)), _dense(L, 8, activation="relu",
                              kernel_regularizer=L.regularizers.L1L2(0.01, 0.01)),
        _dense(L, 1)]), X, YR, "mse", "adam", None, {}),
    "label-smoothing": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 3)]), X,
                        np.eye(3, dtype=np.float32)[YC],
                        lambda L: L.losses.CategoricalCrossentropy(from_logits=True,
                                                                   label_smoothing=0.1),
                        "adam", ["categorical_accuracy"], {}),
    "adagrad-clipnorm": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 4, activation="relu"),
                                                 _dense(L, 1)]), X, YR, "mse",
                         lambda L: L.optimizers.Adagrad(0.1, clipnorm=0.5), None, {}),
    "cosine-schedule": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 4, activation="relu"),
                                                _dense(L, 1)]), X, YR, "mse",
                        lambda L: L.optimizers.SGD(L.optimizers.schedules.CosineDecay(0.1, 10)),
                        None, {}),
    "seeded-dropout": (lambda L: L.Sequential([L.Input((6,)), _dense(L, 8, activation="relu"),
                                               L.layers.Dropout(0.3, seed=2), _dense(L, 1)]),
                       X, YR, "mse", "adam", None, {}),
}


def _run(lib, case, weights=None):
    build, x, y, loss, opt, metrics, fit_kwargs = case
    lib.backend.clear_session()  # metric names ('auc', 'auc_1'...) count from zero on both sides
    lib.utils.set_random_seed(1)
    model = build(lib)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=opt(lib) if callable(opt) else opt,
                  loss=loss(lib) if callable(loss) else loss,
                  metrics=metrics(lib) if callable(metrics) else metrics)
    start = model.get_weights()
    hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, **fit_kwargs)
    ev = model.evaluate(x, y, verbose=0, return_dict=True)
    return start, hist.history, model.get_weights(), ev


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_matches_keras(name):
    w0, ref_hist, ref_w, ref_ev = _run(keras, CASES[name])
    _, hist, w, ev = _run(tfx.keras, CASES[name], weights=w0)
    assert sorted(hist) == sorted(ref_hist)
    for key in ref_hist:
        np.testing.assert_allclose(hist[key], ref_hist[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert len(w) == len(ref_w)
    for a, b in zip(ref_w, w):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=2e-5)
    for key in ref_ev:
        np.testing.assert_allclose(ev[key], ref_ev[key], rtol=1e-4, atol=1e-5, err_msg=key)
