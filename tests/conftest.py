import os

import numpy as np
import pytest


def _gpu_available():
    try:
        from tfx.backend import gpu
        return gpu.available()
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _gpu_available():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU visible")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_seed():
    import tfx
    tfx.random.set_seed(None)
    yield
