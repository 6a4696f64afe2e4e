"""Boston housing prices: 13 features, median value in k$ (506 samples)."""
from ._housing import split

__all__ = ["load_data"]


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``, shuffled by ``seed`` before the split."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1. Received: test_split={test_split}")
    return split(path, "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
                 test_split, seed)
