"""Numba kernels behind ``philox.py`` and ``philox_samplers.py`` (loaded on first use).

Module-level functions without closures, so Numba's on-disk cache serves every later process
(a kernel that calls a jitted closure is recompiled in each process). The math follows the
two modules' docstrings; ``block`` is Philox4x32-10 itself.
"""
import math

import numba
import numpy as np

M = np.uint64(0xFFFFFFFF)
S = np.uint64(32)

_STIRLING_TAIL = np.array([0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                           0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                           0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                           0.00833056343336287])


# ---- the stream and its conversions (philox.py) ------------------------------------------------

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


# ---- rejection samplers (philox_samplers.py) ---------------------------------------------------

@numba.njit(cache=True)
def pair_uniform(st):
    """Two uniforms from the next block of stream ``st`` = [k0, k1, lo, hi] (advanced)."""
    w0, w1, w2, w3 = block(st[0], st[1], st[2], st[3])
    st[2] += np.uint64(1)
    if st[2] == 0:
        st[3] += np.uint64(1)
    return f64(w0, w1), f64(w2, w3)

@numba.njit(cache=True)
def pair_normal(st):
    u1, u2 = pair_uniform(st)
    if u1 < 1e-7:
        u1 = 1e-7
    v1 = 2.0 * math.pi * u2
    r = math.sqrt(-2.0 * math.log(u1))
    return math.sin(v1) * r, math.cos(v1) * r

@numba.njit(cache=True)
def stream_at(key, lo, hi, i, stride=256):
    st = np.empty(4, np.uint64)
    st[0], st[1] = key & M, key >> S
    c = lo + np.uint64(stride) * np.uint64(i)
    st[2], st[3] = c, hi + np.uint64(1) if c < lo else hi
    return st

@numba.njit(cache=True)
def uniforms(st, buf, left):
    """Next uniform from the two-value buffer ``buf`` (refilled when ``left`` is 0)."""
    if left == 0:
        buf[0], buf[1] = pair_uniform(st)
        left = 2
    left -= 1
    return buf[left], left

@numba.njit(cache=True)
def next_word(st, buf, left):
    """The stream's next word, from the four-word buffer ``buf`` (refilled at 0 left)."""
    if left == 0:
        w0, w1, w2, w3 = block(st[0], st[1], st[2], st[3])
        st[2] += np.uint64(1)
        if st[2] == 0:
            st[3] += np.uint64(1)
        buf[0], buf[1], buf[2], buf[3] = w0, w1, w2, w3
        left = 4
    return buf[4 - left], left - 1

@numba.njit(cache=True)
def categorical(key, lo, hi, logits, num_samples):
    rows, classes = logits.shape
    out = np.empty((rows, num_samples), np.int64)
    st = stream_at(key, lo, hi, 0)
    buf = np.empty(4, np.uint64)
    left = 0
    cdf = np.empty(classes, np.float64)
    for b in range(rows):
        top = -np.inf
        for j in range(classes):
            x = logits[b, j]
            if np.isfinite(x) and x > top:
                top = x
        total = 0.0
        for j in range(classes):
            x = logits[b, j]
            if np.isfinite(x):
                total += math.exp(x - top)
            cdf[j] = total
        for s in range(num_samples):
            # Two words per sample, read on through the blocks (a sample may straddle two).
            w0, left = next_word(st, buf, left)
            w1, left = next_word(st, buf, left)
            out[b, s] = np.searchsorted(cdf, f64(w0, w1) * total, side="right")
    return out

@numba.njit(cache=True)
def permutation(key, lo, hi, n):
    """Fisher-Yates from the front; each swap partner an exact uniform int in [0, m): a
    word masked (m a power of two) or, rejecting words below 2^32 mod m, taken mod m."""
    out = np.arange(n)
    st = stream_at(key, lo, hi, 0)
    buf = np.empty(4, np.uint64)
    left = 0
    for i in range(n - 1):
        m = np.uint64(n - i)
        if m & (m - np.uint64(1)) == 0:
            w, left = next_word(st, buf, left)
            j = w & (m - np.uint64(1))
        else:
            rem = (np.uint64(1) << S) % m
            w, left = next_word(st, buf, left)
            while w < rem:
                w, left = next_word(st, buf, left)
            j = w % m
        k = i + np.int64(j)
        out[i], out[k] = out[k], out[i]
    return out

@numba.njit(cache=True)
def gamma(key, lo, hi, alpha, num_samples):
    na = alpha.size
    out = np.empty(num_samples * na, np.float64)
    ubuf = np.empty(2, np.float64)
    for a_i in range(na):
        a = alpha[a_i]
        small = a < 1.0
        d = a + (2.0 / 3 if small else -1.0 / 3)
        c = 1.0 / 3 / math.sqrt(d)
        for s in range(num_samples):
            i = a_i * num_samples + s
            st = stream_at(key, lo, hi, i)
            ul = 0
            if a == 1.0:  # an exponential
                u, ul = uniforms(st, ubuf, ul)
                out[s * na + a_i] = -math.log1p(-u)
                continue
            nl = 0
            n0 = n1 = 0.0
            while True:
                if nl == 0:
                    n0, n1 = pair_normal(st)
                    nl = 2
                nl -= 1
                x = n1 if nl == 1 else n0
                v = 1 + c * x
                if v <= 0:
                    continue
                v = v * v * v
                u, ul = uniforms(st, ubuf, ul)
                if u < 1 - 0.0331 * (x * x) * (x * x) or \
                        math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v)):
                    res = d * v
                    if small:
                        b, ul = uniforms(st, ubuf, ul)
                        res *= b ** (1 / a)
                    out[s * na + a_i] = res
                    break
    return out

@numba.njit(cache=True)
def poisson(key, lo, hi, rate, num_samples):
    nr = rate.size
    out = np.empty(num_samples * nr, np.float64)
    ubuf = np.empty(2, np.float64)
    for r_i in range(nr):
        lam = rate[r_i]
        for s in range(num_samples):
            st = stream_at(key, lo, hi, r_i * num_samples + s)
            ul = 0
            if lam < 10:  # Knuth: count uniforms until their product drops below e^-lam
                limit = math.exp(-lam)
                prod, x = 1.0, 0.0
                while True:
                    u, ul = uniforms(st, ubuf, ul)
                    prod *= u
                    if prod <= limit:
                        break
                    x += 1
                out[s * nr + r_i] = x
                continue
            if np.isinf(lam):
                out[s * nr + r_i] = np.inf
                continue
            # Hormann's transformed rejection (PTRS).
            log_rate = math.log(lam)
            b = 0.931 + 2.53 * math.sqrt(lam)
            a = -0.059 + 0.02483 * b
            inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
            v_r = 0.9277 - 3.6224 / (b - 2)
            while True:
                u, ul = uniforms(st, ubuf, ul)
                u -= 0.5
                v, ul = uniforms(st, ubuf, ul)
                us = 0.5 - abs(u)
                k = math.floor((2 * a / us + b) * u + lam + 0.43)
                if us >= 0.07 and v <= v_r:
                    break
                if k < 0 or (us < 0.013 and v > us):
                    continue
                lhs = math.log(v * inv_alpha / (a / (us * us) + b))
                if lhs <= -lam + k * log_rate - math.lgamma(k + 1):
                    break
            out[s * nr + r_i] = k
    return out

@numba.njit(cache=True)
def tail(k):
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)

@numba.njit(cache=True)
def inversion(st, count, prob):
    ubuf = np.empty(2, np.float64)
    ul = 0
    total, n = 0.0, 0.0
    while True:
        u, ul = uniforms(st, ubuf, ul)
        total += math.ceil(math.log(u) / math.log1p(-prob))
        if total > count:
            return n
        n += 1

@numba.njit(cache=True)
def btrs(st, count, prob):
    ubuf = np.empty(2, np.float64)
    ul = 0
    stddev = math.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor((count + 1) * prob)
    while True:
        u, ul = uniforms(st, ubuf, ul)
        v, ul = uniforms(st, ubuf, ul)
        u = u - 0.5
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or k > count:
            continue
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                 + tail(m) + tail(count - m) - tail(k) - tail(count - k))
        if v <= bound:
            return k

@numba.njit(cache=True)
def binomial(key, lo, hi, counts, probs, num_samples):
    nb = counts.size
    out = np.empty(num_samples * nb, np.float64)
    for b_i in range(nb):
        count, prob = counts[b_i], probs[b_i]
        q = min(prob, 1 - prob)
        # Inversion needs ~10 uniforms on average (mean <= 10): TF reserves 42 steps.
        stride = 256 if count * q >= 10 else 42
        for s in range(num_samples):
            st = stream_at(key, lo, hi, b_i * num_samples + s, stride)
            if count <= 0 or prob <= 0:
                x = 0.0
            elif prob >= 1:
                x = count
            elif prob <= 0.5:
                x = btrs(st, count, prob) if stride == 256 else inversion(st, count, prob)
            else:
                x = count - (btrs(st, count, q) if stride == 256 else
                             inversion(st, count, q))
            out[s * nb + b_i] = x
    return out
