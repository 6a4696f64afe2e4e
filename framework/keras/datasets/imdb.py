"""IMDB movie reviews: 25,000 + 25,000 reviews as word-index sequences, labels 0/1."""
import numpy as np

from ._files import fetch, load_npz, shuffled
from ._sequences import as_objects, drop_long, limit_words, reindex, word_index

__all__ = ["load_data", "get_word_index"]


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """``(x_train, y_train), (x_test, y_test)``: object arrays of int lists and labels,
    each split shuffled by ``seed``; ids shifted by ``index_from`` after ``start_char``;
    ids outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped)."""
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    f = load_npz(fetch(path, file_hash="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"))
    rng = np.random.RandomState(seed)
    x_train, y_train = shuffled(rng, f["x_train"], f["y_train"])
    x_test, y_test = shuffled(rng, f["x_test"], f["y_test"])
    x_train = reindex(x_train, start_char, index_from)
    x_test = reindex(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(maxlen, x_train, y_train)
        x_test, y_test = drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError("After filtering for sequences shorter than maxlen="
                             f"{maxlen}, no sequence was kept. Increase maxlen.")
    xs = limit_words(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n = len(x_train)
    return (as_objects(xs[:n]), labels[:n]), (as_objects(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """The word -> index dictionary (indices before ``index_from`` is added)."""
    return word_index(path, "bfafd718b763782e994055a2d397834f")
