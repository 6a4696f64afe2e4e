"""Reuters newswires: 11,228 word-index sequences in 46 topics."""
import numpy as np

from ._files import fetch, load_npz, shuffled
from ._sequences import as_objects, drop_long, limit_words, reindex, word_index

__all__ = ["load_data", "get_word_index", "get_label_names"]

_LABELS = ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
           "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
           "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed",
           "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
           "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange",
           "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """``(x_train, y_train), (x_test, y_test)``, shuffled by ``seed`` and split at
    ``1 - test_split``."""
    f = load_npz(fetch(path, file_hash="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"))
    xs, labels = shuffled(np.random.RandomState(seed), f["x"], f["y"])
    xs = reindex(xs, start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = limit_words(xs, num_words, skip_top, oov_char)
    n = int(len(xs) * (1 - test_split))
    return (as_objects(xs[:n]), np.asarray(labels[:n])), (as_objects(xs[n:]),
                                                          np.asarray(labels[n:]))


def get_word_index(path="reuters_word_index.json"):
    return word_index(path, "4d44cc38712099c9e383dc6e5f11a921")


def get_label_names():
    """The 46 topic names, by label index."""
    return _LABELS
