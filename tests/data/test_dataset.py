"""tfx.data against tf.data: the same pipelines, written once against a module ``m``
(``tensorflow`` or ``tfx``), give the same elements in the same order, the same element_spec
and the same cardinality; shuffles are compared in distribution; fit runs on datasets."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tfx  # noqa: E402

D = tfx.data.Dataset


@pytest.fixture(scope="module")
def tf():
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    tf.autograph.set_verbosity(0)
    return tf


def plain(x):
    """A numpy-iterator element as nested Python values with dtype names, for comparing."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return tuple(plain(v) for v in x)
    if hasattr(x, "as_numpy_iterator") or type(x).__name__ == "NumpyIterator" or \
            hasattr(x, "__next__"):
        return ("dataset", [plain(v) for v in x])
    a = np.asarray(x)
    name = "string" if a.dtype.kind in "OSU" else a.dtype.name
    return (name, a.shape, a.tolist())


def spec_text(spec):
    return str(spec).replace("tf.", "tfx.")


def elements(ds):
    return [plain(e) for e in ds.as_numpy_iterator()]


def assert_same_pipeline(tf, build):
    a, b = build(tf), build(tfx)
    assert spec_text(b.element_spec) == spec_text(a.element_spec)
    assert int(b.cardinality()) == int(a.cardinality())
    assert elements(b) == elements(a)


X = np.arange(24, dtype=np.float32).reshape(12, 2)
Y = np.arange(12, dtype=np.int64) % 3

PIPELINES = {
    "range": lambda m: m.data.Dataset.range(2, 11, 3),
    "range_int32": lambda m: m.data.Dataset.range(5, output_type=m.int32),
    "slices_tuple": lambda m: m.data.Dataset.from_tensor_slices((X, Y)),
    "slices_dict": lambda m: m.data.Dataset.from_tensor_slices(
        {"b": X, "a": Y, "s": np.array([b"x%d" % i for i in range(12)], dtype=object)}),
    "slices_list": lambda m: m.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]),
    "from_tensors": lambda m: m.data.Dataset.from_tensors(([1, 2], 3.5)),
    "batch": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).batch(5),
    "batch_drop": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).batch(5, True),
    "take_skip_batch": lambda m: m.data.Dataset.from_tensor_slices(X).skip(1).take(9).batch(4),
    "repeat_batch": lambda m: m.data.Dataset.range(5).repeat(3).batch(4),
    "repeat_take": lambda m: m.data.Dataset.range(5).repeat().take(12),
    "skip_all": lambda m: m.data.Dataset.range(5).skip(-1),
    "take_all": lambda m: m.data.Dataset.range(5).take(-1),
    "map_tuple": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).map(
        lambda x, y: (x * 2.0, m.cast(y, m.float32) + 1.0)),
    "map_list_out": lambda m: m.data.Dataset.range(3).map(lambda x: [x, x * 2]),
    "map_dict": lambda m: m.data.Dataset.range(4).map(lambda x: {"v": m.fill([3], x)}),
    "map_parallel": lambda m: m.data.Dataset.range(20).map(
        lambda x: x * x, num_parallel_calls=m.data.AUTOTUNE),
    "map_after_batch": lambda m: m.data.Dataset.from_tensor_slices(X).batch(5).map(
        lambda b: m.reduce_sum(b, axis=1)),
    "filter": lambda m: m.data.Dataset.range(10).filter(lambda x: x % 3 == 0),
    "unbatch": lambda m: m.data.Dataset.from_tensor_slices(X).batch(5).unbatch(),
    "unbatch_static": lambda m: m.data.Dataset.from_tensors(X).unbatch(),
    "rebatch": lambda m: m.data.Dataset.range(10).batch(4).rebatch(3),
    "rebatch_sizes": lambda m: m.data.Dataset.range(10).batch(4).rebatch([1, 2]),
    "rebatch_static": lambda m: m.data.Dataset.range(16).batch(4, True).rebatch(2),
    "padded_batch": lambda m: m.data.Dataset.range(1, 6).map(lambda x: m.fill([x], x)
                                                               ).padded_batch(2),
    "padded_batch_shapes": lambda m: m.data.Dataset.range(1, 6).map(
        lambda x: (m.fill([x], x), m.fill([2, x], 1.0))).padded_batch(
        3, padded_shapes=([6], [2, None]), padding_values=(m.constant(-1, m.int64), 9.0)),
    "padded_batch_drop": lambda m: m.data.Dataset.range(1, 6).map(
        lambda x: m.fill([x], x)).padded_batch(2, drop_remainder=True),
    "zip": lambda m: m.data.Dataset.zip((m.data.Dataset.range(3), m.data.Dataset.range(5, 9))),
    "zip_dict": lambda m: m.data.Dataset.zip({"a": m.data.Dataset.range(2),
                                              "b": m.data.Dataset.range(4).repeat()}),
    "concatenate": lambda m: m.data.Dataset.range(3).concatenate(m.data.Dataset.range(7, 9)),
    "concatenate_shapes": lambda m: m.data.Dataset.from_tensors([1, 2]).concatenate(
        m.data.Dataset.from_tensors([3, 4, 5])),
    "enumerate": lambda m: m.data.Dataset.from_tensor_slices(Y).enumerate(start=5),
    "window": lambda m: m.data.Dataset.range(7).window(3, shift=2).flat_map(
        lambda w: w.batch(3)),
    "window_stride_drop": lambda m: m.data.Dataset.range(11).window(
        2, shift=3, stride=4, drop_remainder=True).flat_map(lambda w: w.batch(2)),
    "window_tuple": lambda m: m.data.Dataset.from_tensor_slices((X, Y)).window(5).flat_map(
        lambda a, b: m.data.Dataset.zip((a.batch(5), b.batch(5)))),
    "flat_map": lambda m: m.data.Dataset.range(4).flat_map(
        lambda x: m.data.Dataset.range(x)),
    "interleave": lambda m: m.data.Dataset.range(4).interleave(
        lambda x: m.data.Dataset.range(x).map(lambda y: y * 10 + x), cycle_length=2,
        block_length=2),
    "interleave_uneven": lambda m: m.data.Dataset.from_tensor_slices(
        np.array([3, 0, 5, 1, 0, 2], np.int64)).interleave(
        lambda x: m.data.Dataset.range(x).map(lambda y: y * 10 + x), cycle_length=3,
        block_length=2),
    "group_by_window": lambda m: m.data.Dataset.range(11).group_by_window(
        lambda x: x % 3, lambda k, w: w.batch(2), window_size=2),
    "group_by_window_flush": lambda m: m.data.Dataset.range(14).group_by_window(
        lambda x: (3 - x) % 4, lambda k, w: w.batch(5), window_size=5),
    "bucket_by_sequence_length": lambda m: m.data.Dataset.range(1, 12).map(
        lambda x: m.fill([x], x)).bucket_by_sequence_length(
        lambda x: m.shape(x)[0], [3, 6], [2, 2, 3]),
    "bucket_to_boundary": lambda m: m.data.Dataset.range(1, 9).map(
        lambda x: m.fill([x], x)).bucket_by_sequence_length(
        lambda x: m.shape(x)[0], [3, 6, 9], [2, 2, 3, 1], pad_to_bucket_boundary=True),
    "choose_from_datasets": lambda m: m.data.Dataset.choose_from_datasets(
        [m.data.Dataset.range(3), m.data.Dataset.range(10, 12)],
        m.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 1, 0], np.int64))),
    "shard": lambda m: m.data.Dataset.range(10).shard(3, 1),
    "shard_batch": lambda m: m.data.Dataset.from_tensor_slices(X).shard(4, 3).batch(2),
    "take_while": lambda m: m.data.Dataset.range(10).take_while(lambda x: x < 4),
    "scan": lambda m: m.data.Dataset.range(5).scan(
        m.constant(0, m.int64), lambda s, x: (s + x, s * 2)),
    "unique": lambda m: m.data.Dataset.from_tensor_slices([1, 3, 1, 2, 3]).unique(),
    "cache_repeat": lambda m: m.data.Dataset.range(4).map(lambda x: x + 1).cache().repeat(2),
    "prefetch": lambda m: m.data.Dataset.range(20).batch(3).prefetch(2),
    "apply": lambda m: m.data.Dataset.range(6).apply(lambda d: d.skip(2)),
    "strings": lambda m: m.data.Dataset.from_tensor_slices(["a", "bb", "ccc"]).batch(2),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_elements_spec_and_cardinality_as_tf(tf, name):
    assert_same_pipeline(tf, PIPELINES[name])


CARDINALITY = {
    "zip_inf": lambda m: m.data.Dataset.zip((m.data.Dataset.range(3),
                                             m.data.Dataset.range(2).repeat())),
    "zip_unknown": lambda m: m.data.Dataset.zip((m.data.Dataset.range(3), m.data.Dataset.range(
        2).filter(lambda x: True))),
    "concat_inf": lambda m: m.data.Dataset.range(3).repeat().concatenate(m.data.Dataset.range(2)),
    "unknown_repeat": lambda m: m.data.Dataset.range(3).filter(lambda x: True).repeat(),
    "unknown_take": lambda m: m.data.Dataset.range(3).filter(lambda x: True).take(2),
    "empty_repeat": lambda m: m.data.Dataset.range(0).repeat(),
    "inf_skip": lambda m: m.data.Dataset.range(3).repeat().skip(-1),
    "inf_take": lambda m: m.data.Dataset.range(3).repeat().take(7),
    "inf_batch": lambda m: m.data.Dataset.range(3).repeat().batch(2),
    "unbatch_unknown": lambda m: m.data.Dataset.range(10).batch(3).unbatch(),
    "unbatch_known": lambda m: m.data.Dataset.range(10).batch(3, True).unbatch(),
    "window_drop": lambda m: m.data.Dataset.range(7).window(3, shift=2, drop_remainder=True),
    "flat_map": lambda m: m.data.Dataset.range(3).flat_map(lambda x: m.data.Dataset.range(2)),
    "shuffle": lambda m: m.data.Dataset.range(10).shuffle(3),
    "shard": lambda m: m.data.Dataset.range(10).shard(3, 2),
    "filter_inf": lambda m: m.data.Dataset.range(3).repeat().filter(lambda x: True),
}


@pytest.mark.parametrize("name", sorted(CARDINALITY))
def test_cardinality_as_tf(tf, name):
    a, b = CARDINALITY[name](tf), CARDINALITY[name](tfx)
    assert int(b.cardinality()) == int(a.cardinality())
    assert b.cardinality().dtype is tfx.int64


def test_len_and_bool():
    assert len(D.range(7).batch(2)) == 4
    with pytest.raises(TypeError, match="infinite"):
        len(D.range(3).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(D.range(3).filter(lambda x: x > 0))
    assert bool(D.range(3).filter(lambda x: x > 5))
    assert tfx.data.INFINITE_CARDINALITY == -1 and tfx.data.UNKNOWN_CARDINALITY == -2
    assert tfx.data.AUTOTUNE == -1 and tfx.data.experimental.AUTOTUNE == -1


def test_iteration_gives_tfx_tensors_in_structure():
    ds = D.from_tensor_slices({"x": X, "y": Y}).batch(4)
    first = next(iter(ds))
    assert list(first) == ["x", "y"]
    assert isinstance(first["x"], tfx.Tensor) and first["x"].dtype is tfx.float32
    np.testing.assert_array_equal(first["x"].numpy(), X[:4])
    it = iter(D.range(1))
    assert int(it.get_next()) == 0
    with pytest.raises(tfx.errors.OutOfRangeError):
        it.get_next()


def test_slices_copy_numpy_input():
    x = np.arange(4.0)
    ds = D.from_tensor_slices(x)
    x[:] = -1
    assert [float(v) for v in ds] == [0.0, 1.0, 2.0, 3.0]


# ---- errors as TF raises them ------------------------------------------------------------------

ERRORS = {
    "slices_mismatch": lambda m: m.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(2))),
    "slices_scalar": lambda m: m.data.Dataset.from_tensor_slices(np.float32(1)),
    "batch_zero": lambda m: m.data.Dataset.range(3).batch(0),
    "shuffle_zero": lambda m: m.data.Dataset.range(3).shuffle(0),
    "shard_index": lambda m: m.data.Dataset.range(3).shard(2, 3),
    "concat_dtypes": lambda m: m.data.Dataset.range(3).concatenate(
        m.data.Dataset.range(3, output_type=m.int32)).element_spec,
    "filter_not_bool": lambda m: list(m.data.Dataset.range(3).filter(lambda x: x)),
    "unbatch_scalar": lambda m: m.data.Dataset.range(3).unbatch(),
    "unbatch_mismatch": lambda m: m.data.Dataset.from_tensors((np.zeros(3), np.zeros(2))
                                                              ).unbatch(),
    "batch_ragged": lambda m: list(m.data.Dataset.range(1, 3).map(lambda x: m.fill([x], x)
                                                                   ).batch(2)),
    "padded_too_small": lambda m: m.data.Dataset.from_tensors([[1, 2]]).padded_batch(
        1, padded_shapes=[1, 1]),
    "zip_not_dataset": lambda m: m.data.Dataset.zip(m.data.Dataset.range(3), 1),
    "generator_shape": lambda m: list(m.data.Dataset.from_generator(
        lambda: iter([[1, 2], [1, 2, 3]]), output_signature=m.TensorSpec([2], m.int32))),
    "generator_structure": lambda m: list(m.data.Dataset.from_generator(
        lambda: iter([[1, 2]]), output_signature=(m.TensorSpec([], m.int32),) * 2)),
    "generator_type": lambda m: list(m.data.Dataset.from_generator(
        lambda: iter(["a"]), output_signature=m.TensorSpec([], m.int32))),
    "single_element": lambda m: m.data.Dataset.range(2).get_single_element(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_have_tf_classes(tf, name):
    with pytest.raises(Exception) as want:
        ERRORS[name](tf)
    with pytest.raises(Exception) as got:
        ERRORS[name](_with_spec(tfx))
    assert type(got.value).__name__ == type(want.value).__name__, (got.value, want.value)


def _with_spec(m):
    """tfx with TensorSpec reachable as m.TensorSpec until the lead exports it."""
    if not hasattr(m, "TensorSpec"):
        class NS:
            def __getattr__(self, name):
                return tfx.data.specs.TensorSpec if name == "TensorSpec" else getattr(tfx, name)
        return NS()
    return m


# ---- shuffle ---------------------------------------------------------------------------------

def position_frequencies(orders, n):
    """freq[e, p]: how often element e came out at position p."""
    freq = np.zeros((n, n))
    for order in orders:
        freq[order, np.arange(n)] += 1
    return freq / len(orders)


def test_shuffle_buffer_distribution_matches_tf(tf):
    n, buffer, runs = 8, 3, 1500
    # One pass per run: the repeat reshuffles each time.
    ours = D.range(n).shuffle(buffer, seed=7).repeat(runs).batch(n)
    theirs = tf.data.Dataset.range(n).shuffle(buffer, seed=7).repeat(runs).batch(n)
    ours_orders = [b.tolist() for b in ours.as_numpy_iterator()]
    tf_orders = [b.tolist() for b in theirs.as_numpy_iterator()]
    a, b = position_frequencies(tf_orders, n), position_frequencies(ours_orders, n)
    # Buffer semantics: the first output is one of the first `buffer` elements, and element
    # 7 can come out no earlier than position 7 - buffer + 1.
    assert set(o[0] for o in ours_orders) == {0, 1, 2}
    assert b[7, :5].sum() == 0 and a[7, :5].sum() == 0
    np.testing.assert_allclose(b, a, atol=0.06)


def test_shuffle_full_buffer_is_uniform_permutation():
    n, runs = 5, 3000
    ds = D.range(n).shuffle(n, seed=3)
    freq = position_frequencies([[int(v) for v in ds] for _ in range(runs)], n)
    np.testing.assert_allclose(freq, 1.0 / n, atol=0.04)


def test_shuffle_index_and_element_paths_agree():
    x = np.arange(50)
    fast = D.from_tensor_slices(x).shuffle(7, seed=11)
    slow = D.from_tensor_slices(x).map(lambda v: v).shuffle(7, seed=11)
    first = [int(v) for v in fast]
    assert [int(v) for v in slow] == first
    batched = D.from_tensor_slices(x).shuffle(7, seed=11).batch(6)
    assert np.concatenate([b.numpy() for b in batched]).tolist() == first
    assert sorted(first) == list(range(50))


def test_shuffle_seed_rules():
    def order(ds):
        return [int(v) for v in ds]
    a = D.range(30).shuffle(30, seed=1)
    b = D.range(30).shuffle(30, seed=1)
    first = order(a)
    assert order(b) == first                      # same op seed, same first pass
    assert order(a) != first                      # reshuffled on the next pass
    fixed = D.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False)
    assert order(fixed) == order(fixed)
    tfx.random.set_seed(5)
    c = order(D.range(30).shuffle(30).repeat(2))
    tfx.random.set_seed(5)
    assert order(D.range(30).shuffle(30).repeat(2)) == c  # global seed alone repeats
    assert c[:30] != c[30:] and sorted(c[:30]) == list(range(30))


def test_shuffle_order_repeats_across_processes():
    code = ("import tfx, numpy as np; tfx.keras.utils.set_random_seed(3); "
            "ds = tfx.data.Dataset.from_tensor_slices(np.arange(40)).shuffle(10).batch(8)"
            ".repeat(2); print([int(v) for b in ds for v in b.numpy()])")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(outs) == 1


def test_sample_from_datasets_and_random():
    mix = D.sample_from_datasets([D.range(3), D.range(10, 15)], weights=[0.2, 0.8], seed=1)
    got = [int(v) for v in mix]
    assert sorted(got) == [0, 1, 2, 10, 11, 12, 13, 14]
    assert [v for v in got if v < 10] == [0, 1, 2] and int(mix.cardinality()) == -2
    draws = [int(v) for v in D.random(seed=4).take(5)]
    assert draws == [int(v) for v in D.random(seed=4).take(5)] and min(draws) >= 0
    assert int(D.random().cardinality()) == tfx.data.INFINITE_CARDINALITY


def test_shuffle_after_infinite_repeat_streams():
    got = [int(v) for v in D.range(5).repeat().shuffle(3, seed=2).take(23)]
    assert len(got) == 23 and set(got) <= set(range(5))
    # A buffer of 3 can move an element at most 2 places ahead: by output 5, at least
    # 3 of the first pass's 5 elements are out.
    assert len(set(got[:5]) & set(range(5))) == 5 or sorted(got[:5]) != got[:5]


def test_fast_path_does_no_per_element_work(monkeypatch):
    from tfx.data import batching, control, dataset

    def boom(*a, **k):
        raise AssertionError("per-element path used")
    monkeypatch.setattr(dataset, "rows", boom)
    monkeypatch.setattr(control, "rows", boom)
    monkeypatch.setattr(batching, "stack_rows", boom)
    x = np.random.default_rng(0).random((1000, 3)).astype(np.float32)
    y = np.arange(1000)
    ds = D.from_tensor_slices((x, y)).shuffle(300, seed=1).batch(32).prefetch(tfx.data.AUTOTUNE)
    got = [(a.numpy(), b.numpy()) for a, b in ds]
    assert len(got) == 32 and got[-1][0].shape == (8, 3)
    ys = np.concatenate([b for _, b in got])
    assert sorted(ys.tolist()) == list(range(1000))
    np.testing.assert_array_equal(np.concatenate([a for a, _ in got]), x[ys])
    cached = D.from_tensor_slices((x, y)).cache().shuffle(1000, seed=1).repeat(2).batch(64)
    assert sum(b.shape[0] for _, b in cached) == 2000


# ---- threads ---------------------------------------------------------------------------------

def tfx_threads():
    return [t for t in threading.enumerate() if t.name.startswith("tfx.data")]


def test_prefetch_and_parallel_map_threads_end_with_iteration():
    import gc
    import time
    ds = D.range(10_000).map(lambda x: x + 1, num_parallel_calls=3).prefetch(4)
    it = iter(ds)
    assert int(next(it)) == 1
    assert tfx_threads()
    del it
    gc.collect()
    deadline = time.time() + 5
    while tfx_threads() and time.time() < deadline:
        time.sleep(0.01)
    assert not tfx_threads()
    assert [int(v) for v in ds.take(5)] == [1, 2, 3, 4, 5]
    assert [int(v) for v in D.range(5).prefetch(tfx.data.AUTOTUNE)] == list(range(5))


def test_errors_cross_threads():
    def bad(x):
        if int(x) == 3:
            raise ValueError("element 3")
        return x
    for ds in (D.range(6).map(bad).prefetch(2), D.range(6).map(bad, num_parallel_calls=2)):
        got = []
        with pytest.raises(ValueError, match="element 3"):
            for v in ds:
                got.append(int(v))
        assert got == [0, 1, 2]


def test_parallel_map_order_and_nondeterministic_option():
    import time

    def slow(x):
        time.sleep(0.002 * (int(x) % 3))
        return x * 2
    ds = D.range(40).map(slow, num_parallel_calls=4)
    assert [int(v) for v in ds] == [2 * i for i in range(40)]
    opts = tfx.data.Options()
    opts.deterministic = False
    loose = ds.with_options(opts)
    assert loose.options().deterministic is False
    assert sorted(int(v) for v in loose) == [2 * i for i in range(40)]


def test_options_like_tf(tf):
    for m in (tf, tfx):
        o = m.data.Options()
        with pytest.raises(AttributeError):
            o.foo = 1
        with pytest.raises(TypeError):
            o.deterministic = 3
        o.deterministic = False
        o2 = m.data.Options()
        o2.deterministic = True
        ds = m.data.Dataset.range(3).with_options(o).with_options(o2)
        assert ds.options().deterministic is True
        assert m.data.Dataset.range(3).options().deterministic is None
        o.threading.private_threadpool_size = 2
        assert o.threading.private_threadpool_size == 2


# ---- sources ---------------------------------------------------------------------------------

def test_from_generator_like_tf(tf):
    def gen():
        for i in range(1, 5):
            yield [i] * i, float(i)

    def build(m, spec):
        return m.data.Dataset.from_generator(
            gen, output_signature=(spec([None], m.int32), spec([], m.float32))).padded_batch(2)
    assert_same_pipeline(tf, lambda m: build(m, tf.TensorSpec if m is tf
                                             else tfx.data.specs.TensorSpec))
    legacy = D.from_generator(lambda: iter([(1, [2.0])]), output_types=(tfx.int64, tfx.float32),
                              output_shapes=((), (None,)))
    ref = tf.data.Dataset.from_generator(lambda: iter([(1, [2.0])]),
                                         output_types=(tf.int64, tf.float32),
                                         output_shapes=((), (None,)))
    assert spec_text(legacy.element_spec) == spec_text(ref.element_spec)
    assert elements(legacy) == elements(ref)
    args = D.from_generator(lambda a: iter([a]), args=(3,),
                            output_signature=tfx.data.specs.TensorSpec([], tfx.int64))
    assert [int(v) for v in args] == [3]


def test_tensor_spec_like_tf(tf):
    S = tfx.data.specs.TensorSpec
    pairs = [(tf.TensorSpec([None, 3], tf.float32, "x"), S([None, 3], tfx.float32, "x")),
             (tf.TensorSpec([]), S([])), (tf.TensorSpec(None, tf.int64), S(None, tfx.int64))]
    for a, b in pairs:
        assert repr(b) == repr(a).replace("tf.", "tfx.") and str(b) == repr(b)
    a, b = pairs[0]
    assert b == S([None, 3], tfx.float32, "x") and hash(b) == hash(S([None, 3], "float32", "x"))
    assert b != S([None, 3], tfx.float32)
    for other_tf, other_tfx in ((tf.TensorSpec([2, 3]), S([2, 3])),
                                (tf.TensorSpec([2, 4]), S([2, 4])),
                                (tf.constant(np.zeros((5, 3), np.float32)),
                                 tfx.constant(np.zeros((5, 3), np.float32))),
                                (np.zeros((1, 3), np.float64), np.zeros((1, 3), np.float64)),
                                ([1.0, 2.0], [1.0, 2.0])):
        assert b.is_compatible_with(other_tfx) == a.is_compatible_with(other_tf)
    t = S.from_tensor(tfx.constant([1.0, 2.0]), name="q")
    assert repr(t) == repr(tf.TensorSpec.from_tensor(tf.constant([1.0, 2.0]), name="q")
                           ).replace("tf.", "tfx.")
    sup = S([2, None], tfx.int32).most_specific_common_supertype([S([3, 4], tfx.int32)])
    assert sup == S([None, None], tfx.int32)


def test_text_line_csv_and_list_files_like_tf(tf, tmp_path):
    (tmp_path / "t.txt").write_bytes(b"l1\r\nl2\n\nl4")
    (tmp_path / "a.csv").write_text('a,b,c,d\n1,2.5,"x,y",3000000000\n4,,y,5\n')
    (tmp_path / "b.csv").write_text("a,b,c,d\n7,1e3,z,-1\n")
    base = str(tmp_path)
    assert_same_pipeline(tf, lambda m: m.data.TextLineDataset(
        [base + "/t.txt", base + "/t.txt"]))
    assert_same_pipeline(tf, lambda m: m.data.Dataset.list_files(base + "/*.csv", shuffle=False))
    assert_same_pipeline(tf, lambda m: m.data.experimental.CsvDataset(
        base + "/a.csv", [m.int32, [0.0], m.string, m.int64], header=True))
    assert_same_pipeline(tf, lambda m: m.data.experimental.CsvDataset(
        [base + "/a.csv", base + "/b.csv"], [m.int32, [9.0]], header=True, select_cols=[0, 1]))
    for kw in ({}, {"label_name": "c", "select_columns": ["a", "c"]}):
        def build(m, kw=kw):
            return m.data.experimental.make_csv_dataset(base + "/*.csv", batch_size=2,
                                                        num_epochs=1, shuffle=False, **kw)
        assert_same_pipeline(tf, build)
    with pytest.raises(tfx.errors.InvalidArgumentError, match="required"):
        list(tfx.data.experimental.CsvDataset(base + "/a.csv", [tfx.int32, tfx.float32],
                                              header=True, select_cols=[0, 1]))
    with pytest.raises(tfx.errors.InvalidArgumentError, match="No files matched"):
        D.list_files(base + "/nothing*")
    endless = tfx.data.experimental.make_csv_dataset(base + "/*.csv", batch_size=2, shuffle_seed=1)
    assert endless.element_spec["a"].shape.as_list() == [2]
    assert len(list(endless.take(5))) == 5


def test_cache_memory_and_file(tmp_path):
    calls = []

    def gen():
        calls.append(1)
        yield from range(5)
    spec = tfx.data.specs.TensorSpec([], tfx.int64)
    ds = D.from_generator(gen, output_signature=spec).cache()
    assert [int(v) for v in ds.take(2)] == [0, 1]     # a partial pass caches nothing
    assert [int(v) for v in ds] == list(range(5))
    assert [int(v) for v in ds] == list(range(5)) and len(calls) == 2
    path = str(tmp_path / "c" / "cache")

    def pairs():
        calls.append(1)
        for i in range(4):
            yield i, np.full(i, 0.5), b"s%d" % i
    sig = (spec, tfx.data.specs.TensorSpec([None], tfx.float64),
           tfx.data.specs.TensorSpec([], tfx.string))
    first = elements(D.from_generator(pairs, output_signature=sig).cache(path))
    assert os.path.exists(path + ".index") and first[3][2] == ("string", (), b"s3")
    n = len(calls)
    again = D.from_generator(pairs, output_signature=sig).cache(path)
    assert elements(again) == first and len(calls) == n   # read from the files
    with pytest.raises(tfx.errors.InvalidArgumentError, match="dtypes"):
        list(D.range(3).cache(path))
    shuffled = D.range(6).shuffle(6, seed=1).cache()
    assert [int(v) for v in shuffled] == [int(v) for v in shuffled]  # order frozen by cache


def test_window_and_group_by_window_specs(tf):
    assert_same_pipeline(tf, lambda m: m.data.Dataset.range(9).group_by_window(
        lambda x: x % 2, lambda k, w: w.batch(3), window_size_func=lambda k: k + 2))
    assert spec_text(D.from_tensor_slices(([1], [2.0])).window(2).element_spec) == spec_text(
        tf.data.Dataset.from_tensor_slices(([1], [2.0])).window(2).element_spec)
    assert int(D.range(4).reduce(tfx.constant(0, tfx.int64), lambda s, x: s + x)) == 6


# ---- Model.fit ---------------------------------------------------------------------------------

def test_fit_evaluate_predict_on_datasets():
    tfx.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.1).astype(np.float32)
    train = D.from_tensor_slices((x[:160], y[:160])).shuffle(160, seed=1).batch(16).prefetch(2)
    val = D.from_tensor_slices((x[160:], y[160:])).batch(20)
    model = tfx.keras.Sequential([tfx.keras.Input(shape=(4,)), tfx.keras.layers.Dense(1)])
    model.compile(optimizer=tfx.keras.optimizers.SGD(0.05), loss="mse")
    seen = []
    cb = tfx.keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    hist = model.fit(train, epochs=4, validation_data=val, callbacks=[cb], verbose=0)
    assert seen == list(range(10)) * 4
    assert hist.history["loss"][-1] < hist.history["loss"][0] / 4
    assert len(hist.history["val_loss"]) == 4
    seen.clear()
    endless = D.from_tensor_slices((x, y)).repeat().shuffle(64, seed=2).batch(8)
    hist = model.fit(endless, epochs=3, steps_per_epoch=5, validation_data=val,
                     validation_steps=1, callbacks=[cb], verbose=0)
    assert seen == list(range(5)) * 3 and len(hist.history["loss"]) == 3
    loss = model.evaluate(val, verbose=0)
    np.testing.assert_allclose(loss, model.evaluate(x[160:], y[160:], verbose=0), rtol=1e-5)
    pred = model.predict(D.from_tensor_slices(x[:10]).batch(4), verbose=0)
    np.testing.assert_allclose(pred, model.predict(x[:10], verbose=0), rtol=1e-5)


def test_spec_inference_leaves_random_streams_and_shuffles_alone():
    def parse(line):
        if int(line.numpy()) == 0:   # fails on the zero stand-in: spec from a real element
            raise ValueError("no zeros")
        return tfx.fill([3], line) + tfx.random.uniform([], dtype=tfx.int64, maxval=1)

    tfx.random.set_seed(1)
    order = [int(v) for v in D.range(1, 9).shuffle(8)]
    tfx.random.set_seed(1)
    ds = D.range(1, 9).shuffle(8).map(parse)
    assert ds.element_spec == tfx.data.specs.TensorSpec([None], tfx.int64)
    assert [v.numpy().tolist() for v in ds] == [[k] * 3 for k in order]


def test_random_index_pipelines_match_tf_and_the_element_path(tf):
    """take/skip/repeat/shard/batch chains: the index path, the element path (after a map)
    and tf.data agree."""
    rng = np.random.default_rng(0)
    x = np.arange(23, dtype=np.int64)
    for _ in range(25):
        ops = []
        for _ in range(rng.integers(1, 5)):
            kind = rng.choice(["take", "skip", "repeat", "shard", "cache"])
            if kind == "shard":
                n = int(rng.integers(1, 4))
                ops.append((kind, (n, int(rng.integers(0, n)))))
            elif kind == "cache":
                ops.append((kind, ()))
            else:
                ops.append((kind, (int(rng.integers(-1, 9)) if kind != "repeat"
                                   else int(rng.integers(0, 3)),)))
        batch = (int(rng.integers(1, 6)), bool(rng.integers(0, 2)))

        def build(m, slow=False, ops=ops, batch=batch):
            ds = m.data.Dataset.from_tensor_slices(x)
            if slow:
                ds = ds.map(lambda v: v)
            for kind, args in ops:
                ds = getattr(ds, kind)(*args)
            return ds.batch(*batch)
        want = elements(build(tf))
        assert elements(build(tfx)) == want, ops
        assert elements(build(tfx, slow=True)) == want, ops
        assert int(build(tfx).cardinality()) == int(build(tf).cardinality()), ops
