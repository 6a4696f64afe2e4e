"""Candidate samplers (``tf.random.*_candidate_sampler``): draw ``num_sampled`` class ids
for sampled losses, with each id's expected count under the sampler.

Without ``unique`` the expected count of a class of probability p is num_sampled * p. With it,
ids are drawn until ``num_sampled`` distinct ones appear; after n draws the expected count is
1 - (1 - p)^n (num_sampled * p when no draw repeated), TensorFlow's rule. Draws follow
tfx's seed rules (``tfx.random.set_seed`` and ``seed``); the numbers are not TensorFlow's.
"""
import collections
import math

from .. import dtypes as _dt
from ..backend import to_device, xp
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError, NotFoundError
from ._core import STATE, register, trace, wrap
from .random_ops import _generator

__all__ = ["uniform_candidate_sampler", "log_uniform_candidate_sampler",
           "learned_unigram_candidate_sampler", "fixed_unigram_candidate_sampler",
           "all_candidate_sampler"]

_FIELDS = ["sampled_candidates", "true_expected_count", "sampled_expected_count"]
_RESULTS = {name: collections.namedtuple(name, _FIELDS) for name in (
    "UniformCandidateSampler", "LogUniformCandidateSampler", "LearnedUnigramCandidateSampler",
    "FixedUnigramCandidateSampler", "AllCandidateSampler")}


class _Sampler:
    """A distribution over [0, range_max): ``probability(ids)`` and ``draw(rng, n)``."""

    def __init__(self, range_max):
        self.range_max = range_max

    def probability(self, ids):
        return xp.full(ids.shape, 1.0 / self.range_max)

    def draw(self, rng, n):
        return rng.integers(0, self.range_max, n)

    def update(self, true_classes):
        pass


class _LogUniform(_Sampler):
    def probability(self, ids):
        ids = ids.astype(xp.float64)
        return (xp.log(ids + 2.0) - xp.log(ids + 1.0)) / math.log(self.range_max + 1.0)

    def draw(self, rng, n):
        ids = xp.floor(xp.exp(rng.random(n) * math.log(self.range_max + 1.0))) - 1
        return xp.minimum(ids.astype(xp.int64), self.range_max - 1)


class _Weighted(_Sampler):
    def __init__(self, weights):
        super().__init__(len(weights))
        self.weights = xp.asarray(weights, dtype=xp.float64)

    def probability(self, ids):
        return self.weights[ids] / self.weights.sum()

    def draw(self, rng, n):
        p = self.weights / self.weights.sum()
        return rng.choice(self.range_max, size=n, p=p)


class _Learned(_Weighted):
    """Counts start at 1 per class; each call samples, then counts its true classes."""

    def __init__(self, range_max):
        super().__init__(xp.ones(range_max))

    def update(self, true_classes):
        self.weights = self.weights + xp.bincount(true_classes.reshape(-1),
                                                  minlength=self.range_max)


_LEARNED = {}  # one learned distribution per sampler configuration, as TensorFlow keeps


def _sample(sampler, rng, num_sampled, unique):
    if not unique:
        return sampler.draw(rng, num_sampled).astype(xp.int64), num_sampled
    seen, order, tries = set(), [], 0
    while len(order) < num_sampled:
        for v in sampler.draw(rng, max(2 * (num_sampled - len(order)), 16)).tolist():
            tries += 1
            if v not in seen:
                seen.add(v)
                order.append(v)
                if len(order) == num_sampled:
                    break
    return xp.asarray(order, dtype=xp.int64), tries


def _expected(p, num_sampled, tries):
    if tries == num_sampled:
        return p * num_sampled
    return -xp.expm1(tries * xp.log1p(-p))


def _forward(ins, attrs):
    sampler, num_sampled, unique, seed, kind = attrs
    true_classes = ins[0]
    if sampler is None:  # all_candidate_sampler: every id below num_sampled, once
        return (xp.arange(num_sampled, dtype=xp.int64),
                xp.ones(true_classes.shape, xp.float32), xp.ones(num_sampled, xp.float32))
    sampled, tries = _sample(sampler, _generator(seed, kind), num_sampled, unique)
    true_exp = _expected(sampler.probability(true_classes), num_sampled, tries)
    sampled_exp = _expected(sampler.probability(sampled), num_sampled, tries)
    if STATE.tracing is None:  # a trace's dry run learns nothing
        sampler.update(true_classes)
    return sampled, true_exp.astype(xp.float32), sampled_exp.astype(xp.float32)


_op = register("candidate_sampler", api="tfx.random.candidate_sampler", forward=_forward,
               taped=False, stateful=True)


def _bad(kind, msg):
    return InvalidArgumentError(None, kind, msg)


def _run(kind, sampler, true_classes, num_true, num_sampled, unique, seed, range_max):
    for attr, value in (("num_true", num_true), ("num_sampled", num_sampled),
                        ("range_max", range_max)):
        if value < 1:
            raise _bad(kind, f"Value for attr '{attr}' of {value} must be at least minimum 1")
    tc = convert_to_tensor(true_classes)
    if tc._dtype is not _dt.int64:
        raise _bad(kind, f"cannot compute {kind} as input #0(zero-based) was expected to be a "
                   f"int64 tensor but is a {tc._dtype.name} tensor")
    if tc._v.ndim != 2:
        raise _bad(kind, "true_classes must be a matrix")
    if tc._v.shape[1] != num_true:
        # TensorFlow's message names the columns "expected" and num_true "was".
        raise _bad(kind, "true_classes must have num_true columns, expected: "
                   f"{tc._v.shape[1]} was: {num_true}")
    if unique and num_sampled > range_max:
        raise _bad(kind, "Sampler's range is too small.")
    host = to_device(tc._v, "CPU")
    outside = ((host < 0) | (host >= range_max)).reshape(-1)
    if STATE.tracing is None and outside.any():
        bad = int(host.reshape(-1)[outside.argmax()])
        raise _bad(kind, f"`true_candidate` out of range [0, {range_max}), received {bad}")
    attrs = (sampler, int(num_sampled), bool(unique), seed, kind)
    out = tuple(wrap(v, d) for v, d in zip(_forward((host,), attrs),
                                           (_dt.int64, _dt.float32, _dt.float32)))
    if STATE.tracing is not None:
        trace(_op, (tc,), out, attrs)
    return _RESULTS[kind](*out)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name=None):
    """Sample ids uniformly from [0, range_max). ``true_classes``: int64 [batch, num_true].
    Returns (sampled_candidates int64 [num_sampled], true_expected_count float32
    [batch, num_true], sampled_expected_count float32 [num_sampled])."""
    return _run("UniformCandidateSampler", _Sampler(int(range_max)), true_classes, num_true,
                num_sampled, unique, seed, int(range_max))


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """Sample ids from Zipf's law: P(k) = log((k + 2) / (k + 1)) / log(range_max + 1)."""
    return _run("LogUniformCandidateSampler", _LogUniform(int(range_max)), true_classes,
                num_true, num_sampled, unique, seed, int(range_max))


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                      seed=None, name=None):
    """Sample ids from the unigram distribution of the true classes seen so far (each id
    starts with a count of 1; a call counts its true classes after sampling)."""
    key = (int(num_true), int(num_sampled), bool(unique), int(range_max))
    sampler = _LEARNED.get(key)
    if sampler is None:
        sampler = _LEARNED[key] = _Learned(int(range_max))
    return _run("LearnedUnigramCandidateSampler", sampler, true_classes, num_true,
                num_sampled, unique, seed, int(range_max))


def _vocab_counts(path):
    try:
        with open(path) as f:
            return [float(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]
    except FileNotFoundError:
        raise NotFoundError(None, "FixedUnigramCandidateSampler",
                            f"{path}; No such file or directory") from None


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None, name=None):
    """Sample ids from given unigram counts (``unigrams``, or the last comma-separated column
    of each line of ``vocab_file``) raised to ``distortion``. Ids below ``num_reserved_ids``
    come first with probability 0; with ``num_shards`` only the ids i with
    i % num_shards == shard are kept, renumbered from 0."""
    kind = "FixedUnigramCandidateSampler"
    if vocab_file and len(unigrams):
        raise _bad(kind, "Must only provide one of vocab_file and unigrams.")
    if not vocab_file and not len(unigrams):
        raise _bad(kind, "Must provide either vocab_file or unigrams.")
    counts = _vocab_counts(vocab_file) if vocab_file else [float(u) for u in unigrams]
    weights = [0.0 for i in range(num_reserved_ids) if i % num_shards == shard]
    weights += [c ** distortion for i, c in enumerate(counts) if i % num_shards == shard]
    if len(weights) != range_max:
        raise _bad(kind, f"range is {range_max} must be equal to weights size  {len(weights)}")
    return _run(kind, _Weighted(weights), true_classes, num_true, num_sampled, unique, seed,
                int(range_max))


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """The ids 0 .. num_sampled - 1, each with expected count 1 (for testing sampled
    losses against the full softmax)."""
    return _run("AllCandidateSampler", None, true_classes, num_true, num_sampled, unique, seed,
                int(num_sampled))
