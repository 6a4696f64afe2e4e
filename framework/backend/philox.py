"""Philox4x32-10 and TensorFlow's conversions of its words to numbers, bit for bit (CPU).

A Philox stream is keyed by a 64-bit ``key`` and starts at a 128-bit ``counter`` (two uint64
words, low first); each counter value gives four uint32 words. Every distribution reads the
words in order, as TensorFlow's CPU kernels do, so ``tf.random.stateless_*`` and
``tf.random.Generator`` draws are reproduced exactly:

- uniform float32/float16/bfloat16: one word each, its low mantissa bits under the exponent
  of 1.0, minus 1; float64: two words (the first is the high half).
- normal: Box-Muller on two words (float32; float16/bfloat16 round the float32 result) or four
  (float64), with glibc's ``logf``/``sinf``/``cosf`` (what TensorFlow's kernels call; Numba calls
  them too, where NumPy's SIMD versions differ in the last bit).
- truncated normal: output group ``g`` (4 float32 values, or 2 float64) draws Box-Muller pairs
  from counter ``start + g * 256`` (``g * 128`` for float64) onward, keeping values with
  ``|x| < 2``.
- integers in [lo, hi): one word (32-bit) or two, low first (64-bit), modulo the range.

The kernels (``philox_kernels.py``) loop serially, so results never depend on the thread
count. Measured on 2 cores: the Numba stream generator is about 50x NumPy's vectorized uint64
version.
"""
import sys

import numpy as np

_M32 = 0xFFFFFFFF


def _kernels():
    from . import philox_kernels  # Numba loads on the first draw, not with tfx
    return philox_kernels


def _u64(x):
    return np.uint64(int(x) & 0xFFFFFFFFFFFFFFFF)


# Below this many blocks the words come from NumPy: a weight initializer or a seed's
# key/counter then draws without importing Numba (about 0.4 s and 100 MiB at the start of a
# `tfx train`); above it the Numba kernel is far faster. Both give the same words.
_NUMPY_BLOCKS = 1 << 14


def words(key, counter, count):
    """``count`` uint32 words of the stream (key, counter) (whole blocks, trimmed)."""
    groups = (count + 3) // 4
    if groups <= _NUMPY_BLOCKS and "numba" not in sys.modules:
        w = _words_numpy(_u64(key), _u64(counter[0]), _u64(counter[1]), groups)
    else:
        w = _kernels().words(_u64(key), _u64(counter[0]), _u64(counter[1]), groups)
    return w[:count]


def _words_numpy(key, lo, hi, groups):
    """Philox4x32-10 on whole arrays of counters (philox_kernels.block, vectorized)."""
    m, s = np.uint64(0xFFFFFFFF), np.uint64(32)
    g = np.arange(groups, dtype=np.uint64)
    with np.errstate(over="ignore"):
        c = lo + g  # uint64 wraps: the carry goes into the high word
        h = np.where(c < lo, hi + np.uint64(1), hi)
        c0, c1, c2, c3 = c & m, c >> s, h & m, h >> s
        k0, k1 = key & m, key >> s
        for _ in range(10):
            p0 = np.uint64(0xD2511F53) * c0
            p1 = np.uint64(0xCD9E8D57) * c2
            c0, c1, c2, c3 = (p1 >> s) ^ c1 ^ k0, p1 & m, (p0 >> s) ^ c3 ^ k1, p0 & m
            k0 = (k0 + np.uint64(0x9E3779B9)) & m
            k1 = (k1 + np.uint64(0xBB67AE85)) & m
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32).reshape(-1)


_UNIFORM_BITS = {  # dtype: (mantissa mask, exponent of 1.0, unsigned view of the same width)
    "float16": (0x3FF, 0x3C00, np.uint16),
    "float32": (0x7FFFFF, 0x3F800000, np.uint32),
}


def uniform(key, counter, n, dtype):
    """``n`` values in [0, 1) of NumPy ``dtype`` (float16/32/64, or ml_dtypes' bfloat16)."""
    name = np.dtype(dtype).name
    if name == "float64":
        w = words(key, counter, 2 * n).astype(np.uint64)
        bits = ((w[0::2] << np.uint64(32)) | w[1::2]) & np.uint64(0xFFFFFFFFFFFFF)
        return (bits | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0
    w = words(key, counter, n)
    if name == "bfloat16":
        bits = ((w & np.uint32(0x7F)) | np.uint32(0x3F80)) << np.uint32(16)
        return (bits.view(np.float32) - np.float32(1)).astype(dtype)
    mask, one, view = _UNIFORM_BITS[name]
    bits = ((w & np.uint32(mask)) | np.uint32(one)).astype(view)
    return bits.view(dtype) - np.asarray(1, dtype)


def normal(key, counter, n, dtype):
    """``n`` standard normal values of NumPy ``dtype``."""
    k = _kernels()
    if np.dtype(dtype).name == "float64":
        return k.normal64(words(key, counter, 2 * n + 2), n)
    return k.normal32(words(key, counter, n + 1), n).astype(dtype, copy=False)


def truncated_normal(key, counter, n, dtype):
    """``n`` standard normal values within (-2, 2), of NumPy ``dtype``."""
    k = _kernels()
    args = (_u64(key), _u64(counter[0]), _u64(counter[1]), n)
    if np.dtype(dtype).name == "float64":
        return k.truncated64(*args)
    return k.truncated32(*args).astype(dtype, copy=False)


def uniform_int(key, counter, n, dtype, lo, hi):
    """``n`` integers of NumPy ``dtype`` (int32/int64) in [lo, hi), as ``lo + bits % range``."""
    wide = np.dtype(dtype).itemsize == 8
    span = np.uint64((int(hi) - int(lo)) & 0xFFFFFFFFFFFFFFFF)
    if wide:
        w = words(key, counter, 2 * n).astype(np.uint64)
        bits = w[0::2] | (w[1::2] << np.uint64(32))
    else:
        bits = words(key, counter, n).astype(np.uint64)
        span = np.uint64(int(span) & _M32)
    # Wrapping arithmetic in the unsigned type of the output's width, as TF.
    off = (bits % span) + np.uint64(int(lo) & 0xFFFFFFFFFFFFFFFF)
    if not wide:
        return (off & np.uint64(_M32)).astype(np.uint32).view(np.int32)
    return off.view(np.int64)


def full_int(key, counter, n, dtype):
    """``n`` integers of NumPy ``dtype`` (int32/int64/uint32/uint64) over the whole range."""
    d = np.dtype(dtype)
    if d.itemsize == 4:
        return words(key, counter, n).view(d)
    w = words(key, counter, 2 * n).astype(np.uint64)
    return (w[0::2] | (w[1::2] << np.uint64(32))).view(d)


def key_counter_from_seed(s0, s1):
    """TensorFlow's (key, counter) for a stateless seed: one Philox block of the seed words,
    under a fixed key, scrambles them (so any part of the seed may be the weak one)."""
    lo, hi = _u64(s0), _u64(s1)
    block = words(0x02461E29 << 32 | 0x3EC8F720, (lo, hi), 4)
    key = int(block[0]) | int(block[1]) << 32
    return key, (0, int(block[2]) | int(block[3]) << 32)
