"""tfx.keras.initializers: statistics, seeds, Orthogonal/Identity, configs and names vs Keras 3."""
import math

import numpy as np
import pytest

import tfx
from tfx.keras import initializers as I

SHAPES_FOR_FANS = [(), (7,), (4, 6), (2, 3, 4), (3, 3, 4, 8), (2, 2, 2, 3, 5)]


def test_compute_fans_match_keras():
    pytest.importorskip("keras")
    from keras.src.initializers.random_initializers import compute_fans
    for shape in SHAPES_FOR_FANS:
        assert I.compute_fans(shape) == compute_fans(shape), shape
    for axes in [([0], [1, 2]), ([0, 1], [2]), ([-1], [0])]:
        assert I.compute_fans((10, 20, 30), *axes) == compute_fans((10, 20, 30), *axes)
    # One of the two given alone is ignored, as in Keras.
    assert I.compute_fans((10, 20, 30), [0], None) == compute_fans((10, 20, 30), [0], None)


def _fan(shape, mode, axes=(None, None)):
    fan_in, fan_out = I.compute_fans(shape, *axes)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


@pytest.mark.parametrize("shape", [(600, 400), (3, 3, 64, 96), (240000,)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_statistics(shape, mode, distribution):
    scale = 2.5
    v = I.VarianceScaling(scale, mode, distribution, seed=11)(shape).numpy().ravel()
    assert v.dtype == np.float32 and v.size == math.prod(shape)
    want_std = math.sqrt(scale / max(1.0, _fan(shape, mode)))
    assert abs(v.mean()) < 5 * want_std / math.sqrt(v.size)
    assert v.std() == pytest.approx(want_std, rel=0.01)
    if distribution == "uniform":
        limit = math.sqrt(3 * scale / max(1.0, _fan(shape, mode)))
        assert np.abs(v).max() <= limit
        assert np.abs(v).max() > 0.999 * limit
    elif distribution == "truncated_normal":
        bound = 2 * want_std / I._TRUNCATED_STDDEV
        assert np.abs(v).max() <= bound * (1 + 1e-6)
        assert np.abs(v).max() > 0.999 * bound


def test_variance_scaling_axes_and_keras_std():
    keras = pytest.importorskip("keras")
    shape = (40, 50, 60)
    for axes in [([0], [1, 2]), ([1], [2])]:
        for mode in ("fan_in", "fan_out"):
            cfg = dict(scale=1.0, mode=mode, distribution="truncated_normal", seed=3,
                       input_axes=axes[0], output_axes=axes[1])
            ours = I.VarianceScaling(**cfg)(shape).numpy().std()
            theirs = np.asarray(keras.initializers.VarianceScaling(**cfg)(shape)).std()
            assert ours == pytest.approx(theirs, rel=0.02)
            assert ours == pytest.approx(1 / math.sqrt(_fan(shape, mode, axes)), rel=0.01)


@pytest.mark.parametrize("name", ["glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                                  "lecun_normal", "lecun_uniform", "random_normal",
                                  "random_uniform", "truncated_normal", "orthogonal"])
@pytest.mark.parametrize("shape", [(500, 300), (3, 3, 32, 64)])
def test_presets_match_keras_statistics(name, shape):
    keras = pytest.importorskip("keras")
    ours = I.get(name)(shape).numpy()
    theirs = np.asarray(keras.initializers.get(name)(shape))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)
    assert abs(ours.mean() - theirs.mean()) < 5 * theirs.std() / math.sqrt(ours.size)
    if name not in ("random_normal", "orthogonal"):  # bounded: both reach the same bound
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.02)


def test_random_normal_uniform_truncated_parameters():
    v = I.RandomNormal(mean=1.5, stddev=0.3, seed=1)((400, 500)).numpy()
    assert v.mean() == pytest.approx(1.5, abs=0.003) and v.std() == pytest.approx(0.3, rel=0.01)
    u = I.RandomUniform(minval=-2.0, maxval=5.0, seed=1)((400, 500)).numpy()
    assert u.min() >= -2.0 and u.max() < 5.0
    assert u.mean() == pytest.approx(1.5, abs=0.02)
    assert u.std() == pytest.approx(7 / math.sqrt(12), rel=0.01)
    t = I.TruncatedNormal(mean=-1.0, stddev=0.5, seed=1)((400, 500)).numpy()
    assert t.min() >= -2.0 and t.max() <= 0.0
    # A unit normal truncated to [-2, 2] has stddev 0.8796...
    assert t.std() == pytest.approx(0.5 * I._TRUNCATED_STDDEV, rel=0.01)


def test_seed_semantics_of_keras_3():
    a = I.GlorotUniform(seed=7)
    np.testing.assert_array_equal(a((5, 6)).numpy(), a((5, 6)).numpy())
    np.testing.assert_array_equal(a((5, 6)).numpy(), I.GlorotUniform(seed=7)((5, 6)).numpy())
    assert not np.allclose(a((5, 6)).numpy(), I.GlorotUniform(seed=8)((5, 6)).numpy())
    tfx.random.set_seed(1)
    first = I.RandomNormal(seed=7)((4,)).numpy()
    tfx.random.set_seed(2)
    np.testing.assert_array_equal(first, I.RandomNormal(seed=7)((4,)).numpy())
    # Unseeded: one instance repeats itself; two instances differ.
    u = I.HeNormal()
    np.testing.assert_array_equal(u((5, 6)).numpy(), u((5, 6)).numpy())
    assert not np.allclose(u((5, 6)).numpy(), I.HeNormal()((5, 6)).numpy())
    assert u.get_config()["seed"] is None


def test_global_seed_replays_unseeded_initializers():
    def program():
        return [I.GlorotUniform()((3, 4)).numpy(), I.Orthogonal()((4, 4)).numpy(),
                I.RandomUniform()((5,)).numpy()]
    tfx.random.set_seed(42)
    first = program()
    tfx.random.set_seed(42)
    for x, y in zip(first, program()):
        np.testing.assert_array_equal(x, y)
    tfx.random.set_seed(43)
    assert not np.allclose(first[0], program()[0])


@pytest.mark.parametrize("shape", [(50, 30), (30, 50), (40, 40), (3, 3, 8, 16), (4, 2, 5)])
def test_orthogonal_is_orthonormal(shape):
    gain = 1.7
    q = I.Orthogonal(gain=gain, seed=2)(shape, dtype=tfx.float64).numpy()
    assert q.shape == shape
    m = q.reshape(-1, shape[-1]) / gain
    rows, cols = m.shape
    gram = m.T @ m if rows >= cols else m @ m.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        I.Orthogonal()((5,))


def test_identity_zeros_ones_constant_match_keras():
    keras = pytest.importorskip("keras")
    for shape, gain in [((3, 3), 1.0), ((2, 4), 2.5), ((4, 2), 0.5)]:
        np.testing.assert_array_equal(I.Identity(gain)(shape).numpy(),
                                      np.asarray(keras.initializers.Identity(gain)(shape)))
    for bad in [(3,), (2, 2, 2)]:
        with pytest.raises(ValueError, match="2D matrices"):
            I.Identity()(bad)
    z = I.Zeros()((2, 3), dtype="int32")
    assert z.dtype is tfx.int32 and not z.numpy().any()
    assert I.Ones()((2,)).dtype is tfx.float32
    np.testing.assert_array_equal(I.Ones()((2, 2), dtype=tfx.float64).numpy(), np.ones((2, 2)))
    c = I.Constant([1.0, 2.0])((3, 2))
    np.testing.assert_array_equal(c.numpy(), np.asarray(keras.initializers.Constant([1., 2.])((3, 2))))
    c64 = I.Constant(0.1)((2,), dtype=tfx.float64)
    assert c64.numpy()[0] == 0.1  # not rounded through float32
    assert I.Constant(2)((2, 2), dtype=tfx.int32).numpy().tolist() == [[2, 2], [2, 2]]
    assert I.Constant(2.7)((1,), dtype=tfx.int32).numpy().tolist() == [2]
    assert I.Constant(tfx.constant([3.0]))((2,)).numpy().tolist() == [3.0, 3.0]


def test_dtypes_and_floatx():
    assert I.GlorotUniform(seed=1)((3, 3), dtype=tfx.float64).dtype is tfx.float64
    assert I.RandomNormal(seed=1)((3,), dtype="float16").dtype is tfx.float16
    with pytest.raises(ValueError, match="floating-point"):
        I.RandomNormal()((3,), dtype=tfx.int32)
    backend = tfx.keras.backend
    old = backend.floatx()
    backend.set_floatx("float64")
    try:
        assert I.HeUniform()((2, 2)).dtype is tfx.float64
        assert I.Zeros()((2,)).dtype is tfx.float64
    finally:
        backend.set_floatx(old)


def test_argument_validation():
    with pytest.raises(ValueError, match="positive"):
        I.VarianceScaling(scale=-1.0)
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_x")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="cauchy")
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError, match="seed"):
        I.RandomNormal(seed="a")


def test_every_keras_name_resolves_to_the_same_class():
    pytest.importorskip("keras")
    from keras.src.initializers import ALL_OBJECTS_DICT
    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ == "STFT":  # a signal-processing kernel, not a weight initializer
            continue
        assert name in I.BUILTINS, name
        obj = I.get(name)
        assert type(obj).__name__ == cls.__name__, name
        if name not in ("Constant", "constant", "Initializer", "initializer"):
            assert obj.get_config() == cls().get_config() | _ours_only(obj), name


def _ours_only(obj):
    # Keras 3.15 drops Identity's gain from its config; tfx keeps it so it round-trips.
    return {"gain": 1.0} if isinstance(obj, I.Identity) else {}


BUILT = [I.Zeros(), I.Ones(), I.Constant(3.5), I.Constant([[1, 2], [3, 4]]),
         I.RandomNormal(0.5, 2.0, seed=3), I.RandomUniform(-1.0, 3.0, seed=4),
         I.TruncatedNormal(1.0, 0.1, seed=5),
         I.VarianceScaling(0.5, "fan_out", "untruncated_normal", seed=6, input_axes=[0],
                           output_axes=[1]),
         I.GlorotNormal(seed=1), I.GlorotUniform(seed=1), I.HeNormal(seed=1),
         I.HeUniform(seed=1), I.LecunNormal(seed=1), I.LecunUniform(seed=1),
         I.Orthogonal(gain=2.0, seed=9), I.Identity(gain=3.0)]


@pytest.mark.parametrize("init", BUILT, ids=lambda o: type(o).__name__)
def test_config_round_trip(init):
    config = init.get_config()
    again = type(init).from_config(config)
    assert again.get_config() == config
    restored = I.deserialize(I.serialize(init))
    assert type(restored) is type(init) and restored.get_config() == config
    assert init.clone().get_config() == config
    shape = (2, 2)
    np.testing.assert_array_equal(init(shape).numpy(), restored(shape).numpy())


def test_config_keys_match_keras():
    keras = pytest.importorskip("keras")
    for init in BUILT:
        theirs = getattr(keras.initializers, type(init).__name__)
        if isinstance(init, I.Identity):
            continue
        assert set(init.get_config()) == set(theirs().get_config()), type(init).__name__


def test_get_accepts_none_instances_classes_functions_and_configs():
    assert I.get(None) is None
    g = I.GlorotUniform()
    assert I.get(g) is g
    assert isinstance(I.get(I.HeNormal), I.HeNormal)

    def my_glorot_initializer(shape, dtype=tfx.float32):
        stddev = tfx.sqrt(2. / (shape[0] + shape[1]))
        return tfx.random.normal(shape, stddev=stddev, dtype=dtype)

    assert I.get(my_glorot_initializer) is my_glorot_initializer
    assert I.get(my_glorot_initializer)((3, 2)).shape == (3, 2)
    cfg = {"class_name": "RandomUniform", "config": {"minval": 0.0, "maxval": 1.0, "seed": 2}}
    u = I.get(cfg)
    assert isinstance(u, I.RandomUniform) and u.maxval == 1.0
    keras_cfg = {"module": "keras.initializers", "class_name": "HeUniform",
                 "config": {"seed": None, "input_axes": None, "output_axes": None},
                 "registered_name": None}
    assert isinstance(I.deserialize(keras_cfg), I.HeUniform)
    with pytest.raises(ValueError):
        I.get("glorot_unifrom")
    with pytest.raises(ValueError):
        I.get(5)


def test_custom_initializer_subclass_gets_config_for_free():
    class ScaledOnes(I.Initializer):
        def __init__(self, factor, offset=0.0):
            self.factor = factor
            self.offset = offset

        def __call__(self, shape, dtype=None):
            return tfx.ones(shape, dtype=dtype or tfx.float32) * self.factor + self.offset

    init = ScaledOnes(3.0, offset=1.0)
    assert init.get_config() == {"factor": 3.0, "offset": 1.0}
    restored = I.deserialize(I.serialize(init), custom_objects={"ScaledOnes": ScaledOnes})
    np.testing.assert_array_equal(restored((2,)).numpy(), [4.0, 4.0])
    with pytest.raises(NotImplementedError):
        I.Initializer()((2,))
