"""keras.preprocessing.text: the legacy Tokenizer and hashing helpers, value for value
against TensorFlow's (when installed) and against hand-worked results."""
import numpy as np
import pytest

import tfx

T = tfx.keras.preprocessing.text
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs, cats & DOGS",
         "", "mat mat mat"]


def test_tokenizer_by_hand():
    t = T.Tokenizer(num_words=4, oov_token="<oov>")
    t.fit_on_texts(["a b a", "c a"])
    assert t.word_index == {"<oov>": 1, "a": 2, "b": 3, "c": 4}
    assert t.texts_to_sequences(["a c z b"]) == [[2, 1, 1, 3]]
    assert t.sequences_to_texts([[2, 4, 3]]) == ["a <oov> b"]
    m = t.texts_to_matrix(["a a b"], mode="count")
    assert m.tolist() == [[0, 0, 2, 1]]
    assert T.text_to_word_sequence("Hi, there!  You") == ["hi", "there", "you"]
    h = T.hashing_trick("a b a", 10, hash_function="md5")
    assert h[0] == h[2] and all(1 <= v < 10 for v in h)
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        t.texts_to_matrix(["a"], mode="bogus")
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        T.Tokenizer(nmu_words=3)


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 5}, {"num_words": 6, "oov_token": "?"},
                                    {"char_level": True}, {"lower": False}])
def test_tokenizer_matches_tensorflow(kwargs):
    tf = pytest.importorskip("tensorflow")
    ours, theirs = T.Tokenizer(**kwargs), tf.keras.preprocessing.text.Tokenizer(**kwargs)
    ours.fit_on_texts(TEXTS)
    theirs.fit_on_texts(TEXTS)
    assert ours.word_index == theirs.word_index
    assert dict(ours.word_counts) == dict(theirs.word_counts)
    probe = TEXTS + ["unseen words the cat"]
    assert ours.texts_to_sequences(probe) == theirs.texts_to_sequences(probe)
    seqs = theirs.texts_to_sequences(probe)
    assert ours.sequences_to_texts(seqs) == theirs.sequences_to_texts(seqs)
    for mode in ("binary", "count", "freq", "tfidf"):
        np.testing.assert_allclose(ours.texts_to_matrix(probe, mode=mode),
                                   theirs.texts_to_matrix(probe, mode=mode))
    back = T.tokenizer_from_json(ours.to_json())
    assert back.word_index == ours.word_index
    assert back.texts_to_sequences(probe) == ours.texts_to_sequences(probe)
    np.testing.assert_allclose(back.texts_to_matrix(probe, mode="tfidf"),
                               ours.texts_to_matrix(probe, mode="tfidf"))
    their_json = tf.keras.preprocessing.text.tokenizer_from_json(ours.to_json())
    assert their_json.word_index == ours.word_index
    assert T.hashing_trick("x y x", 7, "md5") == \
        tf.keras.preprocessing.text.hashing_trick("x y x", 7, "md5")
    assert T.text_to_word_sequence(TEXTS[2]) == \
        tf.keras.preprocessing.text.text_to_word_sequence(TEXTS[2])
