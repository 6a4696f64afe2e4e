import importlib.util
import os
import sys

import numpy as np
import pytest

# Without the real Keras installed, `import keras` would find the tests/keras folder as a
# namespace package; make it fail instead, so `pytest.importorskip("keras")` skips.
_spec = importlib.util.find_spec("keras")
if _spec is not None and _spec.origin is None:
    sys.modules["keras"] = None


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
def _fresh_seed_and_names():
    """Each test starts as after clear_session (auto names ``dense``, ``precision``... from
    scratch) with no global seed, and leaves the counters as it found them."""
    import tfx
    from tfx.keras import naming
    tfx.random.set_seed(None)
    saved = dict(naming._counts)
    naming.reset()
    yield
    naming.reset()
    naming._counts.update(saved)
