"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""
import os

import numpy as np

from ._cifar import channels, folder, load_batch

__all__ = ["load_data"]


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (n, 32, 32, 3) with
    channels_last, labels (n, 1) uint8."""
    path = folder("cifar-10-batches-py-target", "https://www.cs.toronto.edu/~kriz/"
                  "cifar-10-python.tar.gz",
                  "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                  "cifar-10-batches-py")
    xs, ys = [], []
    for i in range(1, 6):
        x, y = load_batch(os.path.join(path, f"data_batch_{i}"))
        xs.append(x)
        ys.append(np.asarray(y))
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_train = np.concatenate(xs).astype(np.uint8)
    y_train = np.concatenate(ys).reshape(-1, 1).astype(np.uint8)
    y_test = np.asarray(y_test).reshape(-1, 1).astype(np.uint8)
    return (channels(x_train), y_train), (channels(x_test.astype(np.uint8)), y_test)
