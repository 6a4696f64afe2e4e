"""tfx.keras.random and SeedGenerator: Keras 3's numbers (TensorFlow backend) bit for bit, each
seeded layer on its own stream, and default seeds that set_random_seed replays."""
import numpy as np
import pytest

import tfx

keras = pytest.importorskip("keras")
R = tfx.keras.random
T = tfx.keras.layers
RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 6, 5)).astype("float32")
LOGITS = np.log([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]).astype("float32")


def _same(a, b):
    a, b = np.asarray(a), b.numpy()
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,args,kwargs", [
    ("normal", [(3, 4)], dict(mean=1.0, stddev=2.0)),
    ("normal", [(5,)], dict(dtype="float64")),
    ("uniform", [(5,)], dict(minval=2, maxval=5)),
    ("uniform", [(5,)], dict(dtype="float16")),
    ("truncated_normal", [(50,)], dict(mean=1.0, stddev=2.0)),
    ("randint", [(50,), 0, 7], {}),
    ("randint", [(50,), -3, 7], dict(dtype="uint8")),
    ("categorical", [LOGITS, 6], {}),
    ("categorical", [LOGITS, 2], dict(dtype="int64")),
    ("dropout", [X, 0.4], {}),
    ("dropout", [X, 0.4], dict(noise_shape=(None, 1, 5))),
    ("shuffle", [np.arange(40)], {}),
    ("shuffle", [np.arange(12).reshape(3, 4)], dict(axis=1)),
    ("gamma", [(2, 3), [1.0, 2.0, 3.0]], {}),
    ("gamma", [(2, 3), 0.5], dict(dtype="bfloat16")),
    ("binomial", [(4,), 10.0, 0.3], {}),
    ("beta", [(2, 3), 1.0, [1.0, 2.0, 3.0]], {}),
])
@pytest.mark.parametrize("seed", [1, -5, 2 ** 31 + 5])
def test_int_seeds_match_keras_bit_for_bit(name, args, kwargs, seed):
    want = getattr(keras.random, name)(*args, seed=seed, **kwargs)
    got = getattr(R, name)(*args, seed=seed, **kwargs)
    _same(want, got)
    _same(want, getattr(R, name)(*args, seed=seed, **kwargs))  # stateless: again the same


def test_seed_generator_streams_match_keras_and_move_on():
    kg, tg = keras.random.SeedGenerator(7), R.SeedGenerator(7)
    draws = []
    for _ in range(3):
        want = keras.random.normal((4,), seed=kg)
        got = R.normal((4,), seed=tg)
        _same(want, got)
        draws.append(got.numpy())
    assert not np.array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(tg.state.numpy(), [7, 3])
    assert tg.state.dtype is tfx.int64 and not tg.state.trainable
    cfg = tg.get_config()
    assert cfg["seed"] == 7 and R.SeedGenerator.from_config(cfg).state.numpy().tolist() == [7, 0]


def test_errors_match_keras():
    for fn in (lambda m: m.random.uniform((2,), dtype="int32"),
               lambda m: m.random.randint((2,), 0, 3, dtype="float32"),
               lambda m: m.random.SeedGenerator(1.5),
               lambda m: m.random.normal((2,), seed=1.5),
               lambda m: m.random.categorical([1.0, 2.0], 3),
               lambda m: m.random.SeedGenerator(1, bad=2)):
        with pytest.raises(ValueError) as want:
            fn(keras)
        with pytest.raises(ValueError) as got:
            fn(tfx.keras)
        assert str(got.value).split(".")[0] == str(want.value).split(".")[0]


def test_dropout_edges():
    x = tfx.constant(X)
    assert R.dropout(x, 0.0, seed=1) is x
    np.testing.assert_array_equal(R.dropout(x, 1.0, seed=1).numpy(), np.zeros_like(X))
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y = R.dropout(x, 0.5, seed=3)
        total = tfx.reduce_sum(y)
    g = tape.gradient(total, x).numpy()
    np.testing.assert_array_equal(g, np.where(y.numpy() != 0, 2.0, 0.0))


def test_unseeded_draws_follow_the_global_seed():
    tfx.keras.utils.set_random_seed(3)
    a = [R.normal((3,)).numpy() for _ in range(2)]
    tfx.random.set_seed(3)
    b = [R.normal((3,)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[0], a[1])


@pytest.mark.parametrize("name,kwargs", [
    ("Dropout", dict(rate=0.3)), ("Dropout", dict(rate=0.3, noise_shape=(None, 1, 5))),
    ("GaussianNoise", dict(stddev=0.3)), ("GaussianDropout", dict(rate=0.3)),
    ("AlphaDropout", dict(rate=0.3)), ("SpatialDropout1D", dict(rate=0.3))])
def test_seeded_layers_match_keras_call_after_call(name, kwargs):
    k = getattr(keras.layers, name)(seed=5, **kwargs)
    t = getattr(T, name)(seed=5, **kwargs)
    for _ in range(3):
        _same(k(X, training=True), t(tfx.constant(X), training=True))


def test_two_layers_seeded_alike_draw_alike_each_on_its_own_stream():
    a, b = T.Dropout(0.5, seed=1), T.Dropout(0.5, seed=1)
    x = tfx.constant(X)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())
    # Layers of one model never share a stream, even when seeded alike.
    m = tfx.keras.Sequential([T.Dropout(0.5, seed=1), T.Dropout(0.5, seed=2),
                              T.RandomFlip(seed=1), T.RandomFlip(seed=1)])
    gens = R.seed_generators(m)
    assert len(gens) == 4 and len({id(g.state) for g in gens}) == 4


def test_set_random_seed_gives_keras_initial_weights_and_layer_seeds():
    def build(k):
        return k.Sequential([k.Input((8,)), k.layers.Dense(6, activation="relu"),
                             k.layers.Dropout(0.3), k.layers.GaussianNoise(0.1),
                             k.layers.Dense(1, kernel_initializer="orthogonal")])
    keras.utils.set_random_seed(1)
    km = build(keras)
    tfx.keras.utils.set_random_seed(1)
    tm = build(tfx.keras)
    for a, b in zip(km.get_weights(), tm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    for kl, tl in zip(km.layers[1:3], tm.layers[1:3]):
        np.testing.assert_array_equal(kl.seed_generator.state.numpy(),
                                      tl.seed_generator.state.numpy())
        _same(kl(X, training=True), tl(tfx.constant(X), training=True))


@pytest.mark.parametrize("name,kwargs", [
    ("RandomNormal", dict(mean=1.0, stddev=0.3)), ("RandomUniform", dict(minval=-2, maxval=5)),
    ("TruncatedNormal", dict(mean=-1.0, stddev=0.5)), ("GlorotUniform", {}),
    ("GlorotNormal", {}), ("HeNormal", {}), ("HeUniform", {}), ("LecunNormal", {}),
    ("LecunUniform", {}), ("VarianceScaling", dict(mode="fan_out",
                                                   distribution="untruncated_normal"))])
def test_seeded_initializers_match_keras(name, kwargs):
    for shape in [(5, 7), (3, 3, 4, 6)]:
        _same(getattr(keras.initializers, name)(seed=11, **kwargs)(shape),
              getattr(tfx.keras.initializers, name)(seed=11, **kwargs)(shape))


def test_initializer_with_a_seed_generator_moves_on_and_serializes():
    init = tfx.keras.initializers.RandomNormal(seed=R.SeedGenerator(4))
    assert not np.array_equal(init((3,)).numpy(), init((3,)).numpy())
    cfg = tfx.keras.initializers.serialize(init)
    again = tfx.keras.initializers.deserialize(cfg)
    assert isinstance(again.seed, R.SeedGenerator)
    np.testing.assert_array_equal(again((3,)).numpy(),
                                  tfx.keras.random.normal((3,), stddev=0.05, seed=4).numpy())


def test_traced_and_jit_fits_draw_what_eager_fits_draw():
    x = RNG.normal(size=(48, 8)).astype("float32")
    y = x[:, :1] * 2
    results = []
    for mode in ("eager", "graph", "jit"):
        tfx.keras.utils.set_random_seed(1)
        k = tfx.keras
        m = k.Sequential([k.Input((8,)), k.layers.Dense(8, activation="relu"),
                          k.layers.Dropout(0.3), k.layers.GaussianNoise(0.1), k.layers.Dense(1)])
        m.compile("adam", "mse", run_eagerly=mode == "eager", jit_compile=mode == "jit")
        m.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
        results.append(m.get_weights() + [g.state.numpy() for g in R.seed_generators(m)])
    for other in results[1:]:  # the same masks: equal weights (a fused step may round apart)
        for a, b in zip(results[0][:-2], other[:-2]):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        for a, b in zip(results[0][-2:], other[-2:]):
            np.testing.assert_array_equal(a, b)
    assert results[0][-1][1] == 6  # 3 batches x 2 epochs: the noise stream moved 6 times


def test_a_traced_function_draws_anew_each_run():
    g = R.SeedGenerator(3)

    @tfx.function
    def f():
        return R.normal((2,), seed=g)
    runs = [f().numpy() for _ in range(3)]
    ref = R.SeedGenerator(3)
    for r in runs:
        np.testing.assert_array_equal(r, R.normal((2,), seed=ref).numpy())
