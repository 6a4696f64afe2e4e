"""Dice, Tversky, Circle, generalized cross-entropy and CTC losses: by hand and against
Keras 3 (values, reductions, sample weights, configs) and gradients against finite
differences."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import numeric_grad

L = tfx.keras.losses
RNG = np.random.RandomState(0)


def test_by_hand_and_errors():
    assert float(L.Dice()([1.0, 0.0], [0.5, 0.5])) == pytest.approx(0.5, abs=1e-6)
    # Tversky with alpha = beta = 0.5 is Dice
    y, p = RNG.rand(4, 6).round().astype("float32"), RNG.rand(4, 6).astype("float32")
    assert float(L.Tversky()(y, p)) == pytest.approx(float(L.Dice()(y, p)), rel=1e-5)
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], "float32")
    got = L.CategoricalGeneralizedCrossEntropy(q=0.5, reduction=None)([0, 2], probs)
    np.testing.assert_allclose(got.numpy(), [(1 - 0.7 ** 0.5) / 0.5, (1 - 0.8 ** 0.5) / 0.5],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="interval"):
        L.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="batch_size, max_length"):
        L.CTC()(np.zeros((2,)), np.zeros((2, 3, 4)))
    assert L.get("Dice").__class__ is L.Dice and L.get("dice") is L.dice
    assert L.deserialize(L.serialize(L.Tversky(alpha=0.3))).alpha == 0.3


def _embeddings(n=8, d=5):
    e = RNG.randn(n, d).astype("float32")
    return e / np.linalg.norm(e, axis=1, keepdims=True)


CASES = [
    ("Dice", {}, lambda: (RNG.rand(4, 6).round(), RNG.rand(4, 6))),
    ("Dice", {"axis": -1}, lambda: (RNG.rand(4, 6).round(), RNG.rand(4, 6))),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}, lambda: (RNG.rand(4, 6).round(), RNG.rand(4, 6))),
    ("Tversky", {"axis": (1, 2)}, lambda: (RNG.rand(3, 4, 5).round(), RNG.rand(3, 4, 5))),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3},
     lambda: (RNG.randint(0, 4, 6), RNG.dirichlet(np.ones(4), 6))),
    ("Circle", {}, lambda: (RNG.randint(0, 3, 8), _embeddings())),
    ("Circle", {"gamma": 10.0, "margin": 0.2, "remove_diagonal": False},
     lambda: (RNG.randint(0, 3, 8), _embeddings())),
    ("CTC", {}, lambda: (np.array([[1, 2, 0], [3, 3, 1]]), RNG.randn(2, 6, 5))),
]


@pytest.mark.parametrize("name,kwargs,data", CASES)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_matches_keras(name, kwargs, data, reduction):
    keras = pytest.importorskip("keras")
    y, p = data()
    p = p.astype("float32")
    ours = getattr(L, name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    np.testing.assert_allclose(ours(y, p).numpy(), np.asarray(theirs(y, p)), rtol=2e-5,
                               atol=2e-6)
    if reduction is not None and name not in ("Dice", "Tversky") or kwargs.get("axis"):
        w = RNG.rand(len(y)).astype("float32")
        np.testing.assert_allclose(ours(y, p, sample_weight=w).numpy(),
                                   np.asarray(theirs(y, p, sample_weight=w)), rtol=2e-5,
                                   atol=2e-6)
    ours_cfg, theirs_cfg = ours.get_config(), theirs.get_config()
    assert ours_cfg == {k: v for k, v in theirs_cfg.items() if k in ours_cfg}
    assert set(ours_cfg) == set(theirs_cfg)


@pytest.mark.parametrize("name,kwargs", [("Dice", {}), ("Tversky", {"alpha": 0.2}),
                                         ("CategoricalGeneralizedCrossEntropy", {}),
                                         ("Circle", {"gamma": 2.0})])
def test_gradients_match_finite_differences(name, kwargs):
    if name == "Circle":
        y, p = RNG.randint(0, 2, 6), _embeddings(6, 3).astype("float64")
    elif name == "CategoricalGeneralizedCrossEntropy":
        y, p = RNG.randint(0, 3, 4), RNG.dirichlet(np.ones(3), 4)
    else:
        y, p = RNG.rand(3, 4).round(), RNG.rand(3, 4) * 0.8 + 0.1
    loss = getattr(L, name)(dtype="float64", **kwargs)
    x = tfx.Variable(p)
    with tfx.GradientTape() as tape:
        value = loss(y, x)
    grad = tape.gradient(value, x).numpy()
    num = numeric_grad(lambda q: float(loss(y, q)), p)
    np.testing.assert_allclose(grad, num, rtol=1e-4, atol=1e-7)
