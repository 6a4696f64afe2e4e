"""MNIST digits: 60,000 training and 10,000 test images, 28x28 uint8, labels 0-9."""
from ._files import fetch, load_npz

__all__ = ["load_data"]


def load_data(path="mnist.npz"):
    """``(x_train, y_train), (x_test, y_test)`` as Keras returns them."""
    f = load_npz(fetch(path, file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"))
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
