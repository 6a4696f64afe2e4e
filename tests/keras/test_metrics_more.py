"""F-scores, IoU, correlations and operating-point metrics: values by hand (run without
Keras) and against Keras 3 on random batches, with sample weights and over several updates."""
import numpy as np
import pytest

import tfx

Mt = tfx.keras.metrics
RNG = np.random.RandomState(0)


def test_by_hand():
    f = Mt.FBetaScore(beta=2.0, threshold=0.5)
    f.update_state(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32),
                   np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32))
    np.testing.assert_allclose(f.result().numpy(), [0.3846154, 0.90909094, 0.8333334],
                               rtol=1e-6)  # Keras' documented example
    m = Mt.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert float(m.result()) == pytest.approx(0.33333334)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    assert m.total_cm.dtype is tfx.int64
    iou = Mt.IoU(num_classes=2, target_class_ids=[0])
    iou.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    assert float(iou.result()) == pytest.approx(1 / 3)
    p = Mt.PearsonCorrelation()
    p.update_state(np.array([[1.0, 2.0, 3.0]]), np.array([[2.0, 4.0, 6.0]]))
    assert float(p.result()) == pytest.approx(1.0, abs=1e-6)
    s = Mt.SensitivityAtSpecificity(0.5, num_thresholds=3)
    s.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    # thresholds 0, .5, 1: at 0.5 specificity 1/2 and sensitivity 1/2; at 0 spec 0
    assert float(s.result()) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="specificity"):
        Mt.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="beta"):
        Mt.FBetaScore(beta=2)
    assert Mt.get("f1_score").__class__ is Mt.F1Score
    assert Mt.MeanIoU(3).get_config()["num_classes"] == 3


def _batches(kind, n=3):
    out = []
    for _ in range(n):
        if kind == "multilabel":
            out.append(((RNG.rand(16, 4) > 0.5).astype("float32"),
                        RNG.rand(16, 4).astype("float32"), RNG.rand(16).astype("float32")))
        elif kind == "sparse":
            out.append((RNG.randint(0, 4, 16), RNG.randint(-1, 5, 16),
                        RNG.randint(0, 3, 16)))
        elif kind == "binary":
            out.append(((RNG.rand(16) > 0.5).astype("float32"), RNG.rand(16).astype("float32"),
                        RNG.rand(16).astype("float32")))
        else:
            out.append((RNG.rand(8, 5).astype("float32"), RNG.rand(8, 5).astype("float32"),
                        RNG.rand(8).astype("float32")))
    return out


CASES = [
    ("FBetaScore", dict(beta=0.5, threshold=0.4), "multilabel"),
    ("FBetaScore", dict(average="micro", beta=2.0), "multilabel"),
    ("F1Score", dict(average="macro"), "multilabel"),
    ("F1Score", dict(average="weighted", threshold=0.3), "multilabel"),
    ("IoU", dict(num_classes=4, target_class_ids=[1, 3]), "sparse"),
    ("MeanIoU", dict(num_classes=4, ignore_class=2), "sparse"),
    ("BinaryIoU", dict(threshold=0.4), "binary"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
    ("SensitivityAtSpecificity", dict(specificity=0.4), "binary"),
    ("SpecificityAtSensitivity", dict(sensitivity=0.6, num_thresholds=50), "binary"),
    ("PrecisionAtRecall", dict(recall=0.7), "binary"),
    ("RecallAtPrecision", dict(precision=0.5), "binary"),
]


@pytest.mark.parametrize("name,kwargs,kind", CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_keras(name, kwargs, kind, weighted):
    keras = pytest.importorskip("keras")
    ours, theirs = getattr(Mt, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for y, p, w in _batches(kind):
        if weighted and kind == "sparse":
            ours.update_state(y, p, sample_weight=w)
            theirs.update_state(y, p, sample_weight=w)
        elif weighted:
            ours.update_state(y, p, sample_weight=w)
            theirs.update_state(y, p, sample_weight=w)
        else:
            ours.update_state(y, p)
            theirs.update_state(y, p)
    np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()), rtol=2e-5,
                               atol=1e-6)
    assert ours.name.rstrip("_0123456789") == theirs.name.rstrip("_0123456789")
    ours.reset_state()
    theirs.reset_state()
    y, p, _ = _batches(kind, 1)[0]
    ours.update_state(y, p)
    theirs.update_state(y, p)
    np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()), rtol=2e-5,
                               atol=1e-6)
    ours_cfg, theirs_cfg = ours.get_config(), theirs.get_config()
    ours_cfg.pop("name"), theirs_cfg.pop("name")
    if "IoU" in name:  # Keras writes its int dtype by its own name
        ours_cfg.pop("dtype"), theirs_cfg.pop("dtype")
    assert ours_cfg == theirs_cfg


def test_one_hot_iou_and_in_fit():
    keras = pytest.importorskip("keras")
    y = np.eye(3)[RNG.randint(0, 3, 12)].astype("float32")
    p = RNG.rand(12, 3).astype("float32")
    for name, kw in (("OneHotIoU", dict(num_classes=3, target_class_ids=[0, 2])),
                     ("OneHotMeanIoU", dict(num_classes=3))):
        ours, theirs = getattr(Mt, name)(**kw), getattr(keras.metrics, name)(**kw)
        ours.update_state(y, p)
        theirs.update_state(y, p)
        np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()),
                                   rtol=1e-6)
    K = tfx.keras
    model = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy",
                  metrics=[Mt.F1Score(average="macro", name="f1_score"),
                           Mt.OneHotMeanIoU(3, name="one_hot_mean_io_u")])
    x = RNG.rand(12, 4).astype("float32")
    logs = model.fit(x, y, epochs=1, verbose=0).history
    assert set(logs) == {"loss", "f1_score", "one_hot_mean_io_u"}
