"""CIFAR batches: pickled dicts of uint8 rows (3x32x32) and labels, read safely."""
import os

import numpy as np

from ..dataset_utils import get_file
from ._files import safe_unpickle


def load_batch(fpath, label_key="labels"):
    """``(data (n, 3, 32, 32) uint8, labels)`` from one batch file."""
    with open(fpath, "rb") as f:
        d = safe_unpickle(f, encoding="bytes")
    if not isinstance(d, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch (a pickled dict)")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"])
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def folder(dirname, origin, file_hash, inner):
    """The extracted archive's folder of batches (Keras' cache layout)."""
    path = get_file(fname=dirname, origin=origin, extract=True, file_hash=file_hash)
    nested = os.path.join(path, inner)
    return nested if os.path.isdir(nested) else path


def channels(x):
    from ..backend import image_data_format
    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x
