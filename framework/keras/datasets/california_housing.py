"""California housing (1990 census): 8 features per block group, median house value."""
from ._housing import split

__all__ = ["load_data"]


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``; ``version="small"`` keeps the first 600
    samples, as Keras does."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1. Received: test_split={test_split}")
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    return split(path, "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
                 test_split, seed, limit=600 if version == "small" else None)
