"""tfx.keras.optimizers.schedules against Keras 3's schedules, step by step."""
import numpy as np
import pytest

import tfx
from tfx.keras.optimizers import schedules as S

CASES = [
    ("ExponentialDecay", (0.1, 10, 0.5), {}),
    ("ExponentialDecay", (0.1, 3, 0.9), {"staircase": True}),
    ("PiecewiseConstantDecay", ([5, 12], [0.1, 0.05, 0.01]), {}),
    ("PiecewiseConstantDecay", ([3], [4, 2]), {}),
    ("InverseTimeDecay", (0.5, 4, 0.3), {}),
    ("InverseTimeDecay", (0.5, 4, 0.3), {"staircase": True}),
    ("PolynomialDecay", (0.1, 10), {}),
    ("PolynomialDecay", (0.1, 7, 0.01, 2.0), {"cycle": True}),
    ("PolynomialDecay", (0.1, 7), {"power": 0.5}),
    ("CosineDecay", (0.1, 10), {}),
    ("CosineDecay", (0.1, 10), {"alpha": 0.2}),
    ("CosineDecay", (0.0, 12), {"warmup_target": 0.3, "warmup_steps": 5, "alpha": 0.1}),
    ("CosineDecayRestarts", (0.1, 4), {}),
    ("CosineDecayRestarts", (0.1, 3), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", (0.2, 2), {"t_mul": 3.0, "m_mul": 0.8}),
]
STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 17, 20, 33, 100]


@pytest.mark.parametrize("name,args,kwargs", CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_values_match_keras(name, args, kwargs):
    pytest.importorskip("tensorflow")
    import keras
    want_fn = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    got_fn = getattr(S, name)(*args, **kwargs)
    for step in STEPS:
        want = want_fn(step)
        for arg in (step, tfx.constant(step, tfx.int64), tfx.Variable(step, dtype=tfx.int64)):
            got = got_fn(arg)
            assert isinstance(got, tfx.Tensor) and got.shape == ()
            assert got.dtype.name == want.dtype.name
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-9,
                                       err_msg=f"step {step}")


@pytest.mark.parametrize("name,args,kwargs", CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_config_round_trip(name, args, kwargs):
    sched = getattr(S, name)(*args, **kwargs)
    config = sched.get_config()
    again = type(sched).from_config(config)
    assert again.get_config() == config
    restored = S.deserialize(S.serialize(sched))
    assert type(restored) is type(sched) and restored.get_config() == config
    for step in (0, 3, 11):
        assert float(restored(step)) == float(sched(step))


def test_configs_match_keras():
    pytest.importorskip("tensorflow")
    import keras
    for name, args, kwargs in CASES:
        want = getattr(keras.optimizers.schedules, name)(*args, **kwargs).get_config()
        assert getattr(S, name)(*args, **kwargs).get_config() == want, name


def test_errors_like_keras():
    with pytest.raises(ValueError, match=r"`decay_steps` must be > 0. Received: decay_steps=0"):
        S.ExponentialDecay(0.1, 0, 0.5)
    for cls in (S.InverseTimeDecay, S.PolynomialDecay, S.CosineDecay):
        with pytest.raises(ValueError, match="decay_steps"):
            cls(0.1, 0, *(() if cls is not S.InverseTimeDecay else (0.5,)))
    with pytest.raises(ValueError, match="first_decay_steps"):
        S.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match="boundaries should be 1 less than the length of values"):
        S.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        S.LearningRateSchedule()(1)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        S.LearningRateSchedule().get_config()


def test_custom_schedule_serializes_through_the_registry():
    @tfx.keras.saving.register_keras_serializable(package="TestSchedules")
    class Halving(S.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return tfx.constant(self.start) * 0.5 ** tfx.cast(step, tfx.float32)

        def get_config(self):
            return {"start": self.start}

    opt = tfx.keras.optimizers.SGD(Halving(1.0))
    w = tfx.Variable([0.0])
    for _ in range(3):
        opt.apply_gradients([(tfx.constant([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [-1.75])
    again = tfx.keras.optimizers.deserialize(tfx.keras.optimizers.serialize(opt))
    assert isinstance(again._learning_rate, Halving) and again._learning_rate.start == 1.0
    assert S.deserialize(S.serialize(Halving(2.0))).start == 2.0
