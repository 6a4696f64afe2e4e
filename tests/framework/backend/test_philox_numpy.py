"""The NumPy Philox path (small draws before Numba is loaded) gives the Numba kernel's words,
128-bit counter carry included, and keeps Numba out of a fresh process's small draws."""
import subprocess
import sys

import numpy as np
import pytest

from tfx.backend import philox

pk = pytest.importorskip("tfx.backend.philox_kernels")


@pytest.mark.parametrize("key, lo, hi, groups", [
    (0, 0, 0, 1), (0x02461E293EC8F720, 5, 7, 3), (2**64 - 1, 2**64 - 2, 9, 5),
    (12345, 2**64 - 1, 2**64 - 1, 4), (987654321987, 2**63, 1, 257)])
def test_numpy_words_are_the_kernels(key, lo, hi, groups):
    u = philox._u64
    np.testing.assert_array_equal(philox._words_numpy(u(key), u(lo), u(hi), groups),
                                  pk.words(u(key), u(lo), u(hi), groups))


def test_random_keys_and_counters():
    rng = np.random.default_rng(1)
    u = philox._u64
    for _ in range(200):
        key, lo, hi = (int(v) for v in rng.integers(0, 2**63, 3) * 2 + rng.integers(0, 2, 3))
        n = int(rng.integers(1, 40))
        np.testing.assert_array_equal(philox._words_numpy(u(key), u(lo), u(hi), n),
                                      pk.words(u(key), u(lo), u(hi), n))


def test_a_fresh_process_initializes_weights_without_numba():
    code = ("import sys, tfx; k = tfx.keras\n"
            "m = k.Sequential([k.Input((8,)), k.layers.Dense(30), k.layers.Dense(1)])\n"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[-1] == "False"
