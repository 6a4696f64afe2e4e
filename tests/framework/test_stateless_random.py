"""tfx.random.stateless_*: TensorFlow's exact numbers (recorded below, and live when TF is
installed), determinism across processes, gradients to the distribution parameters."""
import subprocess
import sys

import numpy as np
import pytest

import tfx

# TensorFlow 2.21's outputs (bit patterns: uint32 for float32, uint64 for float64, uint16 for
# float16; values for integers), recorded so CI without TensorFlow still checks the streams.
STATELESS = {((-7, 123456789012), 'full', 'uint64'): [4780579435265807555, 14017480169751436609,
                                          9912904384156741263],
 ((-7, 123456789012), 'int32', '-3:1000'): [389, 175, 260, 116, 505, 533],
 ((-7, 123456789012), 'int64', '0:2**40'): [734230631619, 1040793328961, 18221313679, 666519550580],
 ((-7, 123456789012), 'normal', 'float32'): [3220676303, 3209447561, 1059651003, 1070161607,
                                             1069450392, 1067511363, 3216201624],
 ((-7, 123456789012), 'normal', 'float64'): [13823332612736879720, 4599323578209679298,
                                             13829056769734534943, 13833221542231579868,
                                             4609980735200631797],
 ((-7, 123456789012), 'split', '3'): [4780579435265807555, -4429263903958115007,
                                      -8533839689552810353, -5811789099485808012,
                                      -8462645574133095493, 2072136052859252573],
 ((-7, 123456789012), 'truncated_normal', 'float32'): [3220676303, 3209447561, 1059651003,
                                                       1070161607, 1063252468, 1058990467,
                                                       1057216476, 1063228388, 3216350048],
 ((-7, 123456789012), 'truncated_normal', 'float64'): [13823332612736879720, 4599323578209679298,
                                                       13822814374327868022, 13806521535891656817,
                                                       13831224430935863280],
 ((-7, 123456789012), 'uniform', 'float16'): [12824, 15188, 13572, 15332, 14622, 14344],
 ((-7, 123456789012), 'uniform', 'float32'): [1038437424, 1060114260, 1047456264, 1031896864,
                                              1041855608, 1041084448, 1050995152],
 ((-7, 123456789012), 'uniform', 'float64'): [4606242914110017364, 4605980117952376804,
                                              4596332971917422624, 4603370314790912310,
                                              4597926576715539832],
 ((0, 0), 'full', 'uint64'): [11590680537380618894, 12385648096181643386, 6624627857932008774],
 ((0, 0), 'int32', '-3:1000'): [408, 827, 547, 16, 117, 959],
 ((0, 0), 'int64', '0:2**40'): [592296215182, 353494263930, 1031349058886, 398557934256],
 ((0, 0), 'normal', 'float32'): [3218684009, 3203823362, 3207170140, 1035088620, 3212838225,
                                 1064404868, 1058922421],
 ((0, 0), 'normal', 'float64'): [4602732669766556111, 13827862306576345128, 4601833845465898010,
                                 13835187286424613434, 4600139090941228240],
 ((0, 0), 'split', '3'): [-6856063536328932722, -6061095977527908230, 6624627857932008774,
                          -9000103707649019216, 6288472578141762791, 8470773593017510716],
 ((0, 0), 'truncated_normal', 'float32'): [3218684009, 3203823362, 3207170140, 1035088620,
                                           3196589739, 1035550097, 3210368939, 1060684993,
                                           1070919667],
 ((0, 0), 'truncated_normal', 'float64'): [4602732669766556111, 13827862306576345128,
                                           4609000622808219022, 13824805989409455963,
                                           13822143899260748264],
 ((0, 0), 'uniform', 'float16'): [14620, 14610, 12192, 13640, 13592, 15328],
 ((0, 0), 'uniform', 'float32'): [1045959792, 1060420882, 1061998836, 1061507748, 1053226264,
                                  1063178208, 1062135136],
 ((0, 0), 'uniform', 'float64'): [4604373292247465234, 4600886523675190600, 4592497778494963456,
                                  4602057329022915952, 4605328430375520506],
 ((1, 2), 'full', 'uint64'): [7464880146280614444, 1591045637757961278, 17389275318164050067],
 ((1, 2), 'int32', '-3:1000'): [97, 284, 647, 168, 310, 224],
 ((1, 2), 'int64', '0:2**40'): [1036193106476, 635319583806, 846119227539, 267354222683],
 ((1, 2), 'normal', 'float32'): [1057704653, 1045715841, 1033283812, 1027486248, 3215366783,
                                 3212062705, 1062697862],
 ((1, 2), 'normal', 'float64'): [13817667380461884307, 4604846016580931118, 13832666858564119687,
                                 4607847814177398330, 13828049385878577753],
 ((1, 2), 'split', '3'): [7464880146280614444, 1591045637757961278, -1057468755545501549,
                          2524363516007002203, 6884554327646026923, -2336856294065325742],
 ((1, 2), 'truncated_normal', 'float32'): [1057704653, 1045715841, 1033283812, 1027486248,
                                           1043086892, 3218583340, 1048041047, 1071254185,
                                           1066242977],
 ((1, 2), 'truncated_normal', 'float64'): [13817667380461884307, 4604846016580931118,
                                           13826522722986428841, 13828162594725684397,
                                           13824220957742464836],
 ((1, 2), 'uniform', 'float16'): [14424, 13192, 11200, 15142, 12440, 14100],
 ((1, 2), 'uniform', 'float32'): [1062736984, 1044686728, 1065289852, 1042562200, 1049313868,
                                  1059470218, 1037764016],
 ((1, 2), 'uniform', 'float64'): [4604952990652115426, 4606910273233162022, 4595506290538114600,
                                  4605881379892276860, 4602812232652665694]}


_BITS = {"float32": np.uint32, "float64": np.uint64, "float16": np.uint16}


def _draw(seed, kind, arg, n):
    s = tfx.constant(seed, tfx.int64)
    if kind == "uniform":
        return tfx.random.stateless_uniform([n], s, dtype=arg)
    if kind == "normal":
        return tfx.random.stateless_normal([n], s, dtype=arg)
    if kind == "truncated_normal":
        return tfx.random.stateless_truncated_normal([n], s, dtype=arg)
    if kind == "int32":
        return tfx.random.stateless_uniform([n], s, minval=-3, maxval=1000, dtype=tfx.int32)
    if kind == "int64":
        return tfx.random.stateless_uniform([n], s, minval=0, maxval=2**40, dtype=tfx.int64)
    if kind == "full":
        return tfx.random.stateless_uniform([n], s, minval=None, maxval=None,
                                            dtype=tfx.uint64)
    return tfx.random.experimental.stateless_split(s, int(arg))


@pytest.mark.parametrize("key", sorted(STATELESS, key=repr), ids=repr)
def test_known_values_bit_for_bit(key):
    seed, kind, arg = key
    want = STATELESS[key]
    n = len(want) // 2 if kind == "split" else len(want)
    got = np.asarray(_draw(list(seed), kind, arg, n).numpy())
    if got.dtype.kind == "f":
        got = got.view(_BITS[got.dtype.name])
    assert [int(v) for v in got.ravel()] == want


def test_same_seed_same_numbers_other_seed_differs():
    a = tfx.random.stateless_normal([100], seed=[3, 4])
    b = tfx.random.stateless_normal([100], seed=[3, 4])
    c = tfx.random.stateless_normal([100], seed=[4, 3])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.any(a.numpy() == c.numpy())


def test_same_numbers_in_a_separate_process():
    code = ("import tfx, numpy as np; print(tfx.random.stateless_normal([6], seed=[11, 12])"
            ".numpy().view(np.uint32).tolist())")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    here = tfx.random.stateless_normal([6], seed=[11, 12]).numpy().view(np.uint32).tolist()
    assert runs[0] == runs[1] == str(here) + "\n"


def test_distributions_look_right():
    u = tfx.random.stateless_uniform([20000], [5, 6], minval=-2.0, maxval=3.0).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    z = tfx.random.stateless_normal([20000], [5, 6], mean=1.0, stddev=3.0).numpy()
    assert abs(z.mean() - 1) < 0.1 and abs(z.std() - 3) < 0.1
    t = tfx.random.stateless_truncated_normal([20000], [5, 6], dtype=tfx.float64).numpy()
    assert np.abs(t).max() < 2 and abs(t.std() - 0.8796) < 0.02
    i = tfx.random.stateless_uniform([20000], [5, 6], minval=-3, maxval=4, dtype=tfx.int32)
    assert sorted(set(i.numpy().tolist())) == list(range(-3, 4))


def test_broadcast_bounds_and_shapes():
    u = tfx.random.stateless_uniform([2, 3], [1, 2], minval=[[0.0], [10.0]], maxval=11.0)
    assert u.shape == (2, 3) and np.all(u.numpy()[1] >= 10)
    assert tfx.random.stateless_normal([], [1, 2]).shape == ()


def test_gradients_reach_mean_stddev_and_bounds():
    mean, std = tfx.Variable(0.5, dtype=tfx.float64), tfx.Variable(2.0, dtype=tfx.float64)
    lo, hi = tfx.Variable(-1.0), tfx.Variable(3.0)
    with tfx.GradientTape(persistent=True) as tape:
        z = tfx.random.stateless_normal([5], [7, 8], mean=mean, stddev=std, dtype=tfx.float64)
        u = tfx.random.stateless_uniform([5], [7, 8], minval=lo, maxval=hi)
        sz, su = tfx.reduce_sum(z), tfx.reduce_sum(u)
    noise = tfx.random.stateless_normal([5], [7, 8], dtype=tfx.float64).numpy()
    assert float(tape.gradient(sz, mean)) == 5.0
    np.testing.assert_allclose(float(tape.gradient(sz, std)), noise.sum())
    r = tfx.random.stateless_uniform([5], [7, 8]).numpy()
    np.testing.assert_allclose(float(tape.gradient(su, hi)), r.sum(), rtol=1e-6)
    np.testing.assert_allclose(float(tape.gradient(su, lo)), 5 - r.sum(), rtol=1e-6)


def test_split_and_fold_in():
    seeds = tfx.random.experimental.stateless_split([1, 2], num=3)
    assert seeds.shape == (3, 2) and seeds.dtype == tfx.int32
    draws = [tfx.random.stateless_uniform([4], s).numpy() for s in seeds]
    assert len({tuple(d) for d in draws}) == 3
    assert tfx.random.split is tfx.random.experimental.stateless_split
    assert tfx.random.fold_in is tfx.random.experimental.stateless_fold_in
    folded = tfx.random.experimental.stateless_fold_in([1, 2], 3)
    assert folded.numpy().tolist() == [1105988140, 3]  # TF 2.21
    assert tfx.random.experimental.stateless_fold_in([1, 2], 4).numpy().tolist() != \
        folded.numpy().tolist()


def test_key_counter_and_algorithms():
    key, counter = tfx.random.experimental.stateless_random_get_key_counter([1, 2])
    assert key.numpy().tolist() == [10413732777507651514]           # TF 2.21
    assert counter.numpy().tolist() == [0, 17830669156045600267]
    assert tfx.random.Algorithm.PHILOX.value == 1 and tfx.random.Algorithm.AUTO_SELECT.value == 3
    a = tfx.random.stateless_normal([3], [1, 2], alg="philox")
    b = tfx.random.stateless_normal([3], [1, 2], alg=tfx.random.Algorithm.AUTO_SELECT)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(NotImplementedError):
        tfx.random.stateless_normal([3], [1, 2], alg="threefry")
    with pytest.raises(ValueError):
        tfx.random.stateless_normal([3], [1, 2], alg="mt19937")


def test_errors_as_tensorflow():
    with pytest.raises(ValueError, match="must be both None or not None"):
        tfx.random.stateless_uniform([2], [1, 2], dtype=tfx.int32)
    with pytest.raises(ValueError, match="unsigned"):
        tfx.random.stateless_uniform([2], [1, 2], minval=1, maxval=4, dtype=tfx.uint32)
    with pytest.raises(tfx.errors.InvalidArgumentError, match="shape \\[2\\]"):
        tfx.random.stateless_uniform([2], [1, 2, 3])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="minval < maxval"):
        tfx.random.stateless_uniform([2], [1, 2], minval=5, maxval=5, dtype=tfx.int32)


def test_inside_a_function_the_seed_decides():
    @tfx.function
    def f(seed):
        return tfx.random.stateless_normal([3], seed)

    for s in ([1, 2], [1, 3], [1, 2]):
        np.testing.assert_array_equal(f(tfx.constant(s)).numpy(),
                                      tfx.random.stateless_normal([3], s).numpy())


def test_every_op_in_a_function_gives_the_eager_numbers():
    def draws(seed):
        return [tfx.random.stateless_uniform([3], seed, minval=-1.0, maxval=2.0),
                tfx.random.stateless_uniform([3], seed, minval=0, maxval=9, dtype=tfx.int64),
                tfx.random.stateless_truncated_normal([2, 2], seed, dtype=tfx.float64),
                tfx.random.stateless_categorical([[0.0, 1.0, 2.0]], 5, seed),
                tfx.random.stateless_gamma([4], seed, alpha=1.5),
                tfx.random.stateless_poisson([4], seed, lam=30.0),
                tfx.random.stateless_binomial([4], seed, counts=9.0, probs=0.3),
                tfx.random.experimental.stateless_shuffle(tfx.range(6), seed)]

    f = tfx.function(draws)
    kinds = {o.type for o in f.get_concrete_function(tfx.constant([1, 2])).graph.nodes}
    assert {"stateless_random", "stateless_random_get_key_counter",
            "stateless_random_sample"} <= kinds
    for seed in ([1, 2], [3, 4], [1, 2]):
        for got, want in zip(f(tfx.constant(seed)), draws(tfx.constant(seed))):
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("kind", ["uniform", "normal", "truncated_normal"])
def test_matches_tensorflow_live(kind, dtype):
    tf = pytest.importorskip("tensorflow")
    fn = {"uniform": "stateless_uniform", "normal": "stateless_normal",
          "truncated_normal": "stateless_truncated_normal"}[kind]
    for seed in ([1, 2], [-5, 2**40], [123, 0]):
        want = getattr(tf.random, fn)([1001], seed, dtype=dtype)
        got = getattr(tfx.random, fn)([1001], seed, dtype=dtype)
        np.testing.assert_array_equal(np.asarray(got.numpy(), np.float64),
                                      tf.cast(want, tf.float64).numpy())


def test_ints_match_tensorflow_live():
    tf = pytest.importorskip("tensorflow")
    for dtype, lo, hi in (("int32", -10, 7), ("int64", -2**50, 2**60), ("int32", 0, 2**31 - 1)):
        want = tf.random.stateless_uniform([999], [3, 9], minval=lo, maxval=hi, dtype=dtype)
        got = tfx.random.stateless_uniform([999], [3, 9], minval=lo, maxval=hi, dtype=dtype)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for dtype in ("int32", "int64", "uint32", "uint64"):
        want = tf.random.stateless_uniform([9], [3, 9], minval=None, maxval=None, dtype=dtype)
        got = tfx.random.stateless_uniform([9], [3, 9], minval=None, maxval=None, dtype=dtype)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for s in ([1, 2], tf.constant([5, 6], tf.int64)):
        sx = s if isinstance(s, list) else s.numpy()
        np.testing.assert_array_equal(tfx.random.experimental.stateless_split(sx, 4).numpy(),
                                      tf.random.experimental.stateless_split(s, 4).numpy())
        np.testing.assert_array_equal(
            tfx.random.experimental.stateless_fold_in(sx, 17).numpy(),
            tf.random.experimental.stateless_fold_in(s, 17).numpy())
    u = tf.random.stateless_uniform([2, 3], [3, 4], minval=[[1.0], [2.0]], maxval=5.0)
    ux = tfx.random.stateless_uniform([2, 3], [3, 4], minval=[[1.0], [2.0]], maxval=5.0)
    np.testing.assert_array_equal(ux.numpy(), u.numpy())
    z = tf.random.stateless_normal([4], [3, 4], mean=1.5, stddev=0.25)
    np.testing.assert_array_equal(
        tfx.random.stateless_normal([4], [3, 4], mean=1.5, stddev=0.25).numpy(), z.numpy())


# TensorFlow 2.21's rejection samplers, seed [4, 2] (gamma as float64 bit patterns).
SAMPLERS = {
    "categorical": [[2, 3, 3, 1, 3], [0, 0, 0, 0, 0]],
    "gamma": [[4593266583951254212, 4615238422309490990],
              [4551643696387691058, 4612142355623583655],
              [4603009302944145137, 4619862466769157137]],
    "poisson": [[2, 50], [1, 48], [2, 29], [4, 33]],
    "binomial": [[2, 167], [3, 169], [3, 195], [2, 189]],
}


def test_samplers_known_values():
    logits = [[0.1, 1.0, -0.5, 2.0], [3.0, -1.0, 0.0, 0.5]]
    got = tfx.random.stateless_categorical(logits, 5, seed=[4, 2])
    assert got.dtype == tfx.int64 and got.numpy().tolist() == SAMPLERS["categorical"]
    g = tfx.random.stateless_gamma([3, 2], [4, 2], alpha=[0.5, 3.0], dtype=tfx.float64)
    assert g.numpy().view(np.uint64).tolist() == SAMPLERS["gamma"]
    p = tfx.random.stateless_poisson([4, 2], [4, 2], lam=[2.5, 40.0])
    assert p.dtype == tfx.int32 and p.numpy().tolist() == SAMPLERS["poisson"]
    b = tfx.random.stateless_binomial([4, 2], [4, 2], counts=[8.0, 300.0], probs=[0.3, 0.6])
    assert b.dtype == tfx.int32 and b.numpy().tolist() == SAMPLERS["binomial"]


def test_samplers_statistics_and_gamma_beta_gradient():
    g = tfx.random.stateless_gamma([20000], [1, 1], alpha=3.0, dtype=tfx.float64).numpy()
    assert abs(g.mean() - 3) < 0.05 and abs(g.var() - 3) < 0.15
    p = tfx.random.stateless_poisson([20000], [1, 1], lam=25.0, dtype=tfx.float64).numpy()
    assert abs(p.mean() - 25) < 0.2 and abs(p.var() - 25) < 1.5
    b = tfx.random.stateless_binomial([20000], [1, 1], counts=40.0, probs=0.1).numpy()
    assert abs(b.mean() - 4) < 0.05 and b.min() >= 0 and b.max() <= 40
    c = tfx.random.stateless_categorical([[0.0, np.log(3.0)]], 20000, [1, 1]).numpy()
    assert abs(c.mean() - 0.75) < 0.02
    beta = tfx.Variable(2.0, dtype=tfx.float64)
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(tfx.random.stateless_gamma([4], [1, 1], 3.0, beta=beta,
                                                      dtype=tfx.float64))
    raw = tfx.random.stateless_gamma([4], [1, 1], 3.0, dtype=tfx.float64).numpy()
    np.testing.assert_allclose(float(tape.gradient(y, beta)), -raw.sum() / 4.0)
    with pytest.raises(tfx.errors.InvalidArgumentError, match="must end with"):
        tfx.random.stateless_poisson([4, 3], [1, 1], lam=[1.0, 2.0])


def test_samplers_match_tensorflow_live():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(9, 6)).astype(np.float32)
    logits[2, 3] = -np.inf
    for seed in ([1, 2], [77, -3]):
        np.testing.assert_array_equal(
            tfx.random.stateless_categorical(logits, 7, seed, dtype=tfx.int32).numpy(),
            tf.random.stateless_categorical(logits, 7, seed, dtype=tf.int32).numpy())
        for dtype in ("float16", "float32", "float64"):
            alpha = np.array([0.3, 1.0, 2.5, 40.0], dtype)
            np.testing.assert_array_equal(
                tfx.random.stateless_gamma([30, 4], seed, alpha, beta=1.5, dtype=dtype).numpy(),
                tf.random.stateless_gamma([30, 4], seed, alpha, beta=1.5, dtype=dtype).numpy())
        lam = np.array([0.2, 9.9, 10.0, 1000.0], np.float32)
        for dtype in ("int32", "int64", "float32"):
            np.testing.assert_array_equal(
                tfx.random.stateless_poisson([30, 4], seed, lam, dtype=dtype).numpy(),
                tf.random.stateless_poisson([30, 4], seed, lam, dtype=dtype).numpy())
        counts = np.array([5.0, 30.0, 1000.0, 7.0], np.float32)
        probs = np.array([0.5, 0.2, 0.999, 0.0], np.float32)
        np.testing.assert_array_equal(
            tfx.random.stateless_binomial([30, 4], seed, counts, probs).numpy(),
            tf.random.stateless_binomial([30, 4], seed, counts, probs).numpy())


def test_stateless_shuffle():
    order = tfx.random.experimental.stateless_shuffle(tfx.range(12), seed=[4, 2])
    assert order.numpy().tolist() == [8, 0, 9, 3, 1, 6, 2, 7, 11, 5, 10, 4]  # TF 2.21
    x = tfx.Variable(np.arange(6.0).reshape(3, 2))
    w = tfx.constant([[1.0], [2.0], [3.0]], tfx.float64)
    with tfx.GradientTape() as tape:
        y = tfx.random.experimental.stateless_shuffle(x, [1, 2])
        loss = tfx.reduce_sum(y * w)
    rows = (y.numpy()[:, 0] // 2).astype(int)          # which row of x went where
    assert sorted(rows.tolist()) == [0, 1, 2]
    want = np.zeros((3, 2))
    want[rows] = w.numpy()
    np.testing.assert_array_equal(tfx.convert_to_tensor(tape.gradient(loss, x)).numpy(), want)
    with pytest.raises(tfx.errors.InvalidArgumentError):
        tfx.random.experimental.stateless_shuffle(3.0, [1, 2])


def test_shuffle_matches_tensorflow_live():
    tf = pytest.importorskip("tensorflow")
    for n, seed in ((7, [1, 2]), (64, [3, -4]), (5000, [9, 9])):
        want = tf.random.experimental.stateless_shuffle(tf.range(n), seed=seed).numpy()
        got = tfx.random.experimental.stateless_shuffle(tfx.range(n), seed=seed).numpy()
        np.testing.assert_array_equal(got, want)
