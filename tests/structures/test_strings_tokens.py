"""tfx.strings' splitting, n-gram, segment-join and hash-bucket ops against TensorFlow: values,
dtypes, ragged structure and error classes; the three hashes bit for bit on many strings."""
import numpy as np
import pytest

import tfx
from structures_util import same_as_tf

tf = pytest.importorskip("tensorflow")

R3 = [["a", "b", "c"], ["d"], []]

PROGRAMS = {
    "bytes_split": lambda m: [m.strings.bytes_split("hello"), m.strings.bytes_split(["ab", ""]),
                              m.strings.bytes_split([["ab"], ["c"]]),
                              m.strings.bytes_split(m.ragged.constant([["ab"], ["c", "d"]]))],
    "unicode_split": lambda m: [
        m.strings.unicode_split("héllo", "UTF-8"),
        m.strings.unicode_split([b"a\xffb", b"\xe2\x82"], "UTF-8"),
        m.strings.unicode_split([b"a\xffb", b"\xe2\x82"], "UTF-8", errors="ignore"),
        m.strings.unicode_split([b"a\xffb"], "UTF-8", replacement_char=63),
        m.strings.unicode_split([b"\x00a\xd8\x3d\xde\x00"], "UTF-16-BE"),
        m.strings.unicode_split(m.ragged.constant([["ab"], ["c", "d"]]), "UTF-8")],
    "unicode_split_strict": lambda m: m.strings.unicode_split([b"a\xff"], "UTF-8",
                                                              errors="strict"),
    "unicode_split_with_offsets": lambda m: [
        m.strings.unicode_split_with_offsets(["héllo", "a"], "UTF-8"),
        m.strings.unicode_split_with_offsets([b"a\xffb", b"\xe2\x82x"], "UTF-8",
                                             errors="ignore"),
        m.strings.unicode_split_with_offsets("añ", "UTF-8")],
    "unicode_decode_with_offsets": lambda m: [
        m.strings.unicode_decode_with_offsets(["héllo", "a\U0001F600"], "UTF-8"),
        m.strings.unicode_decode_with_offsets(m.constant(b"a\xffb"), "UTF-8"),
        m.strings.unicode_decode_with_offsets([b"\xe2\x82x\xf0\x9f\x98\x80"], "UTF-8"),
        m.strings.unicode_decode_with_offsets([b"\x00a\xd8\x3d\xde\x00"], "UTF-16-BE"),
        m.strings.unicode_decode_with_offsets([b"\xfe\xff\x00a\x00b"], "UTF-16"),
        m.strings.unicode_decode_with_offsets([b"a\x01b"], "UTF-8",
                                              replace_control_characters=True),
        m.strings.unicode_decode_with_offsets([[b"ab"], [b"c"]], "UTF-8"),
        m.strings.unicode_decode_with_offsets(m.ragged.constant([["ab"], ["c", "d"]]),
                                              "UTF-8")],
    "unicode_decode_with_offsets_bad_errors": lambda m: m.strings.unicode_decode_with_offsets(
        ["a"], "UTF-8", errors="loud"),
    "ngrams_dense": lambda m: [
        m.strings.ngrams(m.constant(["a", "b", "c", "d"]), 2),
        m.strings.ngrams(m.constant([["a", "b", "c"], ["d", "e", "f"]]), 2, separator="_"),
        m.strings.ngrams(m.constant([[["a", "b", "c"]], [["d", "e", "f"]]]), (1, 3)),
        m.strings.ngrams(m.constant(["a", "b"]), 3),
        m.strings.ngrams(m.constant(["a", "b"]), 2, pad_values="P", padding_width=3),
        m.strings.ngrams(["a", "b"], 2)],
    "ngrams_ragged": lambda m: [
        m.strings.ngrams(m.ragged.constant(R3), (1, 2), pad_values=("L", "R"), padding_width=1),
        m.strings.ngrams(m.ragged.constant(R3), 3, preserve_short_sequences=True),
        m.strings.ngrams(m.ragged.constant(R3), 3, pad_values="P"),
        m.strings.ngrams(m.ragged.constant(R3), 4, pad_values="P",
                         preserve_short_sequences=True),
        m.strings.ngrams(m.ragged.constant(R3), (2, 4), pad_values="P", padding_width=1,
                         preserve_short_sequences=True),
        m.strings.ngrams(m.ragged.constant(R3), 5, pad_values="P", padding_width=1,
                         preserve_short_sequences=True),
        m.strings.ngrams(m.ragged.constant(R3), (3,), padding_width=2, pad_values=("L", "R")),
        m.strings.ngrams(m.ragged.constant([[["a", "b", "c"]], [["d"]]]), 2)],
    "ngrams_zero_width": lambda m: m.strings.ngrams(m.constant(["a"]), 0),
    "ngrams_zero_padding": lambda m: m.strings.ngrams(m.constant(["a"]), 2, pad_values="P",
                                                      padding_width=0),
    "ngrams_bad_pad": lambda m: m.strings.ngrams(m.constant(["a"]), 2, pad_values=3),
    "ngrams_scalar": lambda m: m.strings.ngrams(m.constant("a"), 2),
    "unsorted_segment_join": lambda m: [
        m.strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 3, separator="-"),
        m.strings.unsorted_segment_join([["a", "b"], ["c", "d"]], [1, 1], 2),
        m.strings.unsorted_segment_join([["a", "b"], ["c", "d"]], [[0, 1], [1, 0]], 2),
        m.strings.unsorted_segment_join(m.zeros([0], m.string), m.zeros([0], m.int32), 2)],
    "unsorted_segment_join_out_of_range": lambda m: m.strings.unsorted_segment_join(
        ["a", "b", "c"], [1, 0, 5], 3),
    "unsorted_segment_join_negative": lambda m: m.strings.unsorted_segment_join(
        ["a", "b"], [-1, 0], 3),
    "hash_buckets": lambda m: [
        m.strings.to_hash_bucket_fast(["a", "hello", ""], 10),
        m.strings.to_hash_bucket(["a", "hello", ""], 7),
        m.strings.to_hash_bucket_strong(["a", "hello", ""], 13, [1, 2]),
        m.strings.to_hash_bucket_fast(m.ragged.constant([["a"], ["b", "c"]]), 10),
        m.strings.to_hash_bucket_fast([["a", "b"], ["c", "d"]], 3),
        m.strings.to_hash_bucket_fast("scalar", 1000)],
    "hash_bucket_zero": lambda m: m.strings.to_hash_bucket_fast(["a"], 0),
    "hash_bucket_strong_bad_key": lambda m: m.strings.to_hash_bucket_strong(["a"], 3, [1]),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def _many_strings():
    rng = np.random.default_rng(7)
    lengths = list(range(0, 140)) + [191, 192, 193, 255, 256, 257, 640, 1031]
    out = [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in lengths]
    return out + [b"", b"a", b"tensorflow", "ünïcödé".encode(), b"\x00" * 70]


@pytest.mark.parametrize("op,args", [("to_hash_bucket_fast", ()), ("to_hash_bucket", ()),
                                     ("to_hash_bucket_strong", ([123, -5],)),
                                     ("to_hash_bucket_strong", ([-1, 2 ** 62],))])
def test_hashes_bit_exact(op, args):
    # A bucket count of 2**63 - 1 exposes (almost) every bit of the 64-bit hash.
    strs = _many_strings()
    n = 2 ** 63 - 1
    want = getattr(tf.strings, op)(tf.constant(strs), n, *args).numpy()
    got = getattr(tfx.strings, op)(tfx.constant(strs), n, *args).numpy()
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int64


def test_hash_bucket_in_function_replays():
    f = tfx.function(lambda x: tfx.strings.to_hash_bucket_fast(x, 100))
    a = f(tfx.constant(["a", "b"])).numpy()
    b = f(tfx.constant(["c", "d"])).numpy()
    np.testing.assert_array_equal(a, tf.strings.to_hash_bucket_fast(["a", "b"], 100).numpy())
    np.testing.assert_array_equal(b, tf.strings.to_hash_bucket_fast(["c", "d"], 100).numpy())
