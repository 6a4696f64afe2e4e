"""Candidate samplers: expected counts against TensorFlow (exact where they do not depend on
the draws), the sampled distribution against its probabilities, uniqueness, seeds, errors."""
import numpy as np
import pytest

import tfx

R = tfx.random
TC = np.array([[1, 2], [3, 4]], np.int64)


def _both(name, *args, **kw):
    tf = pytest.importorskip("tensorflow")
    return (getattr(tfx.random, name)(tfx.constant(TC), *args, **kw),
            getattr(tf.random, name)(tf.constant(TC), *args, **kw))


@pytest.mark.parametrize("name,args,kw", [
    ("uniform_candidate_sampler", (2, 5, False, 10), {}),
    ("log_uniform_candidate_sampler", (2, 5, False, 10), {}),
    ("fixed_unigram_candidate_sampler", (2, 4, False, 6), dict(unigrams=[1, 2, 3, 4, 5, 6])),
    ("fixed_unigram_candidate_sampler", (2, 4, False, 8),
     dict(unigrams=[1, 2, 3, 4, 5, 6], num_reserved_ids=2, distortion=0.5)),
    ("fixed_unigram_candidate_sampler", (2, 4, False, 6),
     dict(unigrams=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], num_shards=2, shard=1)),
    ("all_candidate_sampler", (2, 5, True), {}),
])
def test_expected_counts_match_tensorflow(name, args, kw):
    ours, theirs = _both(name, *args, **kw)
    assert type(ours).__name__ == type(theirs).__name__
    np.testing.assert_allclose(ours.true_expected_count.numpy(),
                               theirs.true_expected_count.numpy(), rtol=1e-6)
    assert ours.sampled_candidates.dtype is tfx.int64
    assert ours.sampled_expected_count.dtype is tfx.float32
    # A sampled id's expected count is the same function of the id as a true class's.
    full = getattr(tfx.random, name)(tfx.constant(np.arange(args[-1] if name !=
                                                            "all_candidate_sampler" else 5,
                                                            dtype=np.int64)[:, None]),
                                     1, *args[1:], **kw).true_expected_count.numpy()[:, 0]
    np.testing.assert_allclose(ours.sampled_expected_count.numpy(),
                               full[ours.sampled_candidates.numpy()], rtol=1e-6)
    if name == "all_candidate_sampler":
        np.testing.assert_array_equal(ours.sampled_candidates.numpy(),
                                      theirs.sampled_candidates.numpy())


def test_vocab_file(tmp_path):
    tf = pytest.importorskip("tensorflow")
    f = tmp_path / "vocab.csv"
    f.write_text("a,1\nb,2\nc,3\nd,4\n")
    ours = R.fixed_unigram_candidate_sampler(TC - 1, 2, 4, False, 4, vocab_file=str(f),
                                             distortion=0.5)
    theirs = tf.random.fixed_unigram_candidate_sampler(TC - 1, 2, 4, False, 4,
                                                       vocab_file=str(f), distortion=0.5)
    np.testing.assert_allclose(ours.true_expected_count.numpy(),
                               theirs.true_expected_count.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["uniform_candidate_sampler", "log_uniform_candidate_sampler"])
def test_unique_draws_and_their_expected_counts(name):
    for seed in range(5):
        s = getattr(R, name)(tfx.constant(TC), 2, 7, True, 10, seed=seed)
        ids = s.sampled_candidates.numpy()
        assert len(set(ids.tolist())) == 7 and ids.min() >= 0 and ids.max() < 10
        p = (np.full(10, 0.1) if name.startswith("uniform") else
             np.log((np.arange(10) + 2) / (np.arange(10) + 1)) / np.log(11))
        # One number of draws n explains every count: 1 - (1 - p)^n, or 7p when n == 7.
        e = s.sampled_expected_count.numpy().astype(np.float64)
        ns = [n for n in range(7, 400) if np.allclose(
            e, 7 * p[ids] if n == 7 else -np.expm1(n * np.log1p(-p[ids])), rtol=1e-5)]
        assert len(ns) == 1
        n = ns[0]
        want_true = 7 * p[TC] if n == 7 else -np.expm1(n * np.log1p(-p[TC]))
        np.testing.assert_allclose(s.true_expected_count.numpy(), want_true, rtol=1e-5)


def test_draws_follow_the_distribution():
    tfx.random.set_seed(11)
    n = 20000
    ids = R.log_uniform_candidate_sampler(tfx.constant(TC), 2, n, False, 10
                                          ).sampled_candidates.numpy()
    p = np.log((np.arange(10) + 2) / (np.arange(10) + 1)) / np.log(11)
    freq = np.bincount(ids, minlength=10) / n
    np.testing.assert_allclose(freq, p, atol=4 * np.sqrt(p * (1 - p) / n).max())
    ids = R.fixed_unigram_candidate_sampler(tfx.constant(TC), 2, n, False, 6,
                                            unigrams=[1, 2, 3, 4, 5, 6]
                                            ).sampled_candidates.numpy()
    np.testing.assert_allclose(np.bincount(ids, minlength=6) / n, np.arange(1, 7) / 21,
                               atol=0.015)


def test_learned_unigram_learns_from_true_classes():
    tc = tfx.constant([[7, 8]], tfx.int64)
    first = R.learned_unigram_candidate_sampler(tc, 2, 3, False, 9)
    np.testing.assert_allclose(first.true_expected_count.numpy(), [[3 / 9, 3 / 9]], rtol=1e-6)
    second = tfx.nn.learned_unigram_candidate_sampler(tc, 2, 3, False, 9)
    np.testing.assert_allclose(second.true_expected_count.numpy(), [[6 / 11, 6 / 11]],
                               rtol=1e-6)


def test_seeds_replay():
    def draw():
        return R.uniform_candidate_sampler(tfx.constant(TC), 2, 6, True, 50, seed=4
                                           ).sampled_candidates.numpy()
    tfx.random.set_seed(3)
    a, b = draw(), draw()
    tfx.random.set_seed(3)
    np.testing.assert_array_equal(draw(), a)
    np.testing.assert_array_equal(draw(), b)


def test_in_a_traced_function_each_run_draws():
    f = tfx.function(lambda tc: R.uniform_candidate_sampler(tc, 2, 5, True, 1000))
    runs = [f(tfx.constant(TC)).sampled_candidates.numpy() for _ in range(3)]
    assert all(r.shape == (5,) for r in runs)
    assert any(not np.array_equal(runs[0], r) for r in runs[1:])


@pytest.mark.parametrize("call,message", [
    (lambda R, tc: R.uniform_candidate_sampler(tc, 2, 11, True, 10), "range is too small"),
    (lambda R, tc: R.uniform_candidate_sampler(tc, 3, 2, True, 10), "expected: 2 was: 3"),
    (lambda R, tc: R.uniform_candidate_sampler(tc[0], 2, 2, True, 10), "must be a matrix"),
    (lambda R, tc: R.uniform_candidate_sampler(tc, 2, 0, True, 10), "'num_sampled' of 0"),
    (lambda R, tc: R.uniform_candidate_sampler(tc * 10, 2, 2, False, 10),
     r"out of range \[0, 10\), received 10"),
    (lambda R, tc: R.all_candidate_sampler(tc, 2, 3, True), r"out of range \[0, 3\), received 3"),
    (lambda R, tc: R.fixed_unigram_candidate_sampler(tc, 2, 4, False, 5, unigrams=[1] * 6),
     "range is 5 must be equal to weights size  6"),
    (lambda R, tc: R.fixed_unigram_candidate_sampler(tc, 2, 4, False, 6),
     "Must provide either vocab_file or unigrams"),
])
def test_errors_match_tensorflow(call, message):
    with pytest.raises(tfx.errors.InvalidArgumentError, match=message):
        call(tfx.random, tfx.constant(TC))
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        call(tf.random, tf.constant(TC))


def test_int32_classes_are_refused_as_tensorflow_does():
    with pytest.raises(tfx.errors.InvalidArgumentError, match="int64 tensor but is a int32"):
        R.uniform_candidate_sampler(tfx.constant([[1, 2]]), 2, 2, True, 10)
