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

The kernels loop serially, so results never depend on the thread count. Measured on 2 cores:
the Numba stream generator is about 50x NumPy's vectorized uint64 version.
"""
import math

import numpy as np

_cache = {}
_M32 = 0xFFFFFFFF


def _kernels():
    k = _cache.get("philox")
    if k is None:
        k = _cache["philox"] = _build()
    return k


def _build():
    import numba

    M = np.uint64(_M32)
    S = np.uint64(32)

    @numba.njit(cache=True, inline="always")
    def block(k0, k1, lo, hi):
        """The four words Philox4x32-10 gives at the 128-bit counter (lo, hi)."""
        c0, c1, c2, c3 = lo & M, lo >> S, hi & M, hi >> S
        for _ in range(10):
            p0 = np.uint64(0xD2511F53) * c0
            p1 = np.uint64(0xCD9E8D57) * c2
            c0, c1, c2, c3 = (p1 >> S) ^ c1 ^ k0, p1 & M, (p0 >> S) ^ c3 ^ k1, p0 & M
            k0 = (k0 + np.uint64(0x9E3779B9)) & M
            k1 = (k1 + np.uint64(0xBB67AE85)) & M
        return c0, c1, c2, c3

    @numba.njit(cache=True)
    def words(key, lo, hi, groups):
        out = np.empty(4 * groups, np.uint32)
        k0, k1 = key & M, key >> S
        for g in range(groups):
            c = lo + np.uint64(g)
            h = hi + np.uint64(1) if c < lo else hi  # the 128-bit carry
            w0, w1, w2, w3 = block(k0, k1, c, h)
            out[4 * g] = w0
            out[4 * g + 1] = w1
            out[4 * g + 2] = w2
            out[4 * g + 3] = w3
        return out

    @numba.njit(cache=True, inline="always")
    def f32(w):
        return np.uint32((w & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(
            np.float32) - np.float32(1.0)

    @numba.njit(cache=True, inline="always")
    def f64(w0, w1):
        bits = (np.uint64(w0) << S) | np.uint64(w1)
        return np.uint64((bits & np.uint64(0xFFFFFFFFFFFFF)) | np.uint64(0x3FF0000000000000)
                         ).view(np.float64) - 1.0

    @numba.njit(cache=True, inline="always")
    def box_muller32(w0, w1):
        u1 = f32(w0)
        if u1 < np.float32(1e-7):
            u1 = np.float32(1e-7)
        # 2*pi is a double in TF's kernel: the angle is rounded to float32 from a double.
        v1 = np.float32(2.0 * math.pi * np.float64(f32(w1)))
        r = np.float32(math.sqrt(np.float32(np.float32(-2.0) * np.float32(math.log(u1)))))
        return np.float32(math.sin(v1)) * r, np.float32(math.cos(v1)) * r

    @numba.njit(cache=True, inline="always")
    def box_muller64(w0, w1, w2, w3):
        u1 = f64(w0, w1)
        if u1 < 1e-7:
            u1 = 1e-7
        v1 = 2.0 * math.pi * f64(w2, w3)
        r = math.sqrt(-2.0 * math.log(u1))
        return math.sin(v1) * r, math.cos(v1) * r

    @numba.njit(cache=True)
    def normal32(w, n):
        out = np.empty(n, np.float32)
        for i in range(0, n, 2):
            a, b = box_muller32(w[i], w[i + 1])
            out[i] = a
            if i + 1 < n:
                out[i + 1] = b
        return out

    @numba.njit(cache=True)
    def normal64(w, n):
        out = np.empty(n, np.float64)
        for i in range(0, n, 2):
            a, b = box_muller64(w[2 * i], w[2 * i + 1], w[2 * i + 2], w[2 * i + 3])
            out[i] = a
            if i + 1 < n:
                out[i + 1] = b
        return out

    @numba.njit(cache=True)
    def truncated32(key, lo, hi, n):
        out = np.empty(n, np.float32)
        k0, k1 = key & M, key >> S
        for g in range((n + 3) // 4):
            c = lo + np.uint64(256 * g)
            h = hi + np.uint64(1) if c < lo else hi
            i, end = 4 * g, min(4 * g + 4, n)
            while i < end:
                w0, w1, w2, w3 = block(k0, k1, c, h)
                c += np.uint64(1)
                if c == 0:
                    h += np.uint64(1)
                for a, b in ((w0, w1), (w2, w3)):
                    x, y = box_muller32(a, b)
                    if abs(x) < 2.0 and i < end:
                        out[i] = x
                        i += 1
                    if abs(y) < 2.0 and i < end:
                        out[i] = y
                        i += 1
        return out

    @numba.njit(cache=True)
    def truncated64(key, lo, hi, n):
        out = np.empty(n, np.float64)
        k0, k1 = key & M, key >> S
        for g in range((n + 1) // 2):
            c = lo + np.uint64(128 * g)
            h = hi + np.uint64(1) if c < lo else hi
            i, end = 2 * g, min(2 * g + 2, n)
            while i < end:
                w0, w1, w2, w3 = block(k0, k1, c, h)
                c += np.uint64(1)
                if c == 0:
                    h += np.uint64(1)
                x, y = box_muller64(w0, w1, w2, w3)
                if abs(x) < 2.0 and i < end:
                    out[i] = x
                    i += 1
                if abs(y) < 2.0 and i < end:
                    out[i] = y
                    i += 1
        return out

    return {"words": words, "normal32": normal32, "normal64": normal64,
            "truncated32": truncated32, "truncated64": truncated64}


def _u64(x):
    return np.uint64(int(x) & 0xFFFFFFFFFFFFFFFF)


def words(key, counter, count):
    """``count`` uint32 words of the stream (key, counter) (whole blocks, trimmed)."""
    groups = (count + 3) // 4
    w = _kernels()["words"](_u64(key), _u64(counter[0]), _u64(counter[1]), groups)
    return w[:count]


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
        return k["normal64"](words(key, counter, 2 * n + 2), n)
    return k["normal32"](words(key, counter, n + 1), n).astype(dtype, copy=False)


def truncated_normal(key, counter, n, dtype):
    """``n`` standard normal values within (-2, 2), of NumPy ``dtype``."""
    k = _kernels()
    args = (_u64(key), _u64(counter[0]), _u64(counter[1]), n)
    if np.dtype(dtype).name == "float64":
        return k["truncated64"](*args)
    return k["truncated32"](*args).astype(dtype, copy=False)


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
