"""IMDB and Reuters: word-index sequences, re-indexed and filtered as Keras does."""
import json

import numpy as np

from ._files import fetch


def reindex(seqs, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [w + index_from for w in s] for s in seqs]
    if index_from:
        return [[w + index_from for w in s] for s in seqs]
    return [list(s) for s in seqs]


def drop_long(maxlen, seqs, labels):
    """Sequences of at most ``maxlen`` ids (longer ones dropped with their labels)."""
    keep = [i for i, s in enumerate(seqs) if len(s) <= maxlen]
    return [seqs[i] for i in keep], np.asarray(labels)[keep]


def limit_words(seqs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(s) for s in seqs if s)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs]
    return [[w for w in s if skip_top <= w < num_words] for s in seqs]


def as_objects(seqs):
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def word_index(path, file_hash):
    with open(fetch(path, file_hash=file_hash)) as f:
        return json.load(f)
