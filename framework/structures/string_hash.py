"""The string hashes TensorFlow's bucketing ops use, bit for bit.

- ``fingerprint64``: FarmHash's Fingerprint64 (its "na" 64-bit hash), behind
  ``to_hash_bucket_fast``, ``tf.fingerprint``-style crosses and ``cross_hashed``.
- ``legacy_hash64``: TensorFlow's own ``Hash64`` (MurmurHash64A, seed 0xDECAFCAFFE), behind
  the old ``to_hash_bucket``.
- ``siphash24``: SipHash-2-4 with a 128-bit key, behind ``to_hash_bucket_strong``.
- ``fingerprint_cat64``: how ``cross_hashed`` folds one feature's hash into the running one.

Written from the published algorithms on Python ints masked to 64 bits: bucketing turns
strings into indices once per batch, where a per-string cost of microseconds is invisible.
"""
__all__ = ["fingerprint64", "legacy_hash64", "siphash24", "fingerprint_cat64"]

_M = (1 << 64) - 1
_K0 = 0xc3a5c85c97cb3127
_K1 = 0xb492b66fbe98f273
_K2 = 0x9ae16a3b2f90404f


def _u64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _u32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v, n):
    """Rotate right by ``n`` bits (FarmHash's Rotate)."""
    return v if n == 0 else ((v >> n) | (v << (64 - n))) & _M


def _shift_mix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _len0to16(s, n):
    if n >= 8:
        mul = _K2 + n * 2
        a = (_u64(s, 0) + _K2) & _M
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16((n + (_u32(s, 0) << 3)) & _M, _u32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        # y and z are uint32 in FarmHash: their products with the keys wrap at 64 bits.
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _len17to32(s, n):
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K1) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * _K2) & _M
    return _len16((_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
                  (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)


def _len33to64(s, n):
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K2) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = _len16(y, (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)
    e = (_u64(s, 16) * mul) & _M
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _M
    h = ((z + _u64(s, n - 24)) * mul) & _M
    return _len16((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
                  (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak32(s, i, a, b):
    w, x, y, z = _u64(s, i), _u64(s, i + 8), _u64(s, i + 16), _u64(s, i + 24)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint64(s):
    """FarmHash Fingerprint64 of the bytes ``s`` (an unsigned 64-bit int; any buffer)."""
    if s.__class__ is not bytes:
        s = bytes(s)
    n = len(s)
    if n <= 16:
        return _len0to16(s, n)
    if n <= 32:
        return _len17to32(s, n)
    if n <= 64:
        return _len33to64(s, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M
    z = (_shift_mix((y * _K2 + 113) & _M) * _K2) & _M
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _u64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    p = 0
    while True:
        x = (_rot((x + y + v0 + _u64(s, p + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v1 + _u64(s, p + 48)) & _M, 42) * _K1) & _M
        x ^= w1
        y = (y + v0 + _u64(s, p + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * _K1) & _M
        v0, v1 = _weak32(s, p, (v1 * _K1) & _M, (x + w0) & _M)
        w0, w1 = _weak32(s, p + 32, (z + w1) & _M, (y + _u64(s, p + 16)) & _M)
        z, x = x, z
        p += 64
        if p == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    p = last64
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _u64(s, p + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _u64(s, p + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _u64(s, p + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak32(s, p, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak32(s, p + 32, (z + w1) & _M, (y + _u64(s, p + 16)) & _M)
    z, x = x, z
    return _len16((_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _M,
                  (_len16(v1, w1, mul) + x) & _M, mul)


_MURMUR = 0xc6a4a7935bd1e995


def legacy_hash64(s, seed=0xDECAFCAFFE):
    """TensorFlow's Hash64: MurmurHash64A of ``s`` with ``seed``."""
    n = len(s)
    h = (seed ^ (n * _MURMUR)) & _M
    full = n - n % 8
    for i in range(0, full, 8):
        k = (_u64(s, i) * _MURMUR) & _M
        k ^= k >> 47
        k = (k * _MURMUR) & _M
        h = ((h ^ k) * _MURMUR) & _M
    if n % 8:
        h = ((h ^ int.from_bytes(s[full:], "little")) * _MURMUR) & _M
    h ^= h >> 47
    h = (h * _MURMUR) & _M
    return h ^ (h >> 47)


def _rotl(v, n):
    return ((v << n) | (v >> (64 - n))) & _M


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _M
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _M
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _M
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash24(key, s):
    """SipHash-2-4 of ``s`` (any buffer) under the key ``(k0, k1)`` (two unsigned 64-bit
    ints)."""
    if s.__class__ is not bytes:
        s = bytes(s)
    k0, k1 = key[0] & _M, key[1] & _M
    v0, v1 = k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d
    v2, v3 = k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573
    n = len(s)
    full = n - n % 8
    blocks = [_u64(s, i) for i in range(0, full, 8)]
    blocks.append(int.from_bytes(s[full:], "little") | ((n & 0xff) << 56))
    for m in blocks:
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    v2 ^= 0xff
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def fingerprint_cat64(fp1, fp2):
    """Combine two fingerprints, order-dependent (TensorFlow's FingerprintCat64)."""
    r = fp1 ^ _MURMUR
    r ^= (_shift_mix((fp2 * _MURMUR) & _M) * _MURMUR) & _M
    r = (r * _MURMUR) & _M
    r = (_shift_mix(r) * _MURMUR) & _M
    return _shift_mix(r)
