"""CIFAR-100: 32x32 colour images in 100 fine (or 20 coarse) classes."""
import os

import numpy as np

from ._cifar import channels, folder, load_batch

__all__ = ["load_data"]


def load_data(label_mode="fine"):
    """``(x_train, y_train), (x_test, y_test)``; ``label_mode`` "fine" or "coarse"."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    path = folder("cifar-100-python-target", "https://www.cs.toronto.edu/~kriz/"
                  "cifar-100-python.tar.gz",
                  "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
                  "cifar-100-python")
    key = label_mode + "_labels"
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=key)
    y_train = np.asarray(y_train).reshape(-1, 1)
    y_test = np.asarray(y_test).reshape(-1, 1)
    return (channels(x_train), y_train), (channels(x_test), y_test)
