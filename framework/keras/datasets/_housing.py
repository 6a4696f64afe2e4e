"""The two housing regressions share their loading: shuffle with a seeded RandomState, split."""
import numpy as np

from ._files import fetch, load_npz, shuffled


def split(path, file_hash, test_split, seed, limit=None):
    f = load_npz(fetch(path, origin=None, file_hash=file_hash))
    x, y = f["x"], f["y"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    x, y = shuffled(np.random.RandomState(seed), x, y)
    n = int(len(x) * (1 - test_split))
    return (x[:n], y[:n]), (x[n:], y[n:])
