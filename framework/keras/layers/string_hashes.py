"""The string hashes Keras' Hashing and lookup layers use through TensorFlow: FarmHash's
64-bit fingerprint (``tf.strings.to_hash_bucket_fast``, OOV buckets) and SipHash-2-4
(``to_hash_bucket_strong``, a salted ``Hashing``). Host-side Python on bytes; the bucket of a
string is the same as TensorFlow's, so hashed features agree with Keras models."""
import struct

__all__ = ["fingerprint64", "siphash24"]

_M = (1 << 64) - 1
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F


def _rot(v, s):
    return v if s == 0 else ((v >> s) | (v << (64 - s))) & _M


def _f64(b, i):
    return struct.unpack_from("<Q", b, i)[0]


def _f32(b, i):
    return struct.unpack_from("<I", b, i)[0]


def _mix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _short(b, n):
    if n >= 8:
        mul = (K2 + n * 2) & _M
        a = (_f64(b, 0) + K2) & _M
        c = _f64(b, n - 8)
        return _len16((_rot(c, 37) * mul + a) & _M, ((_rot(a, 25) + c) * mul) & _M, mul)
    if n >= 4:
        mul = (K2 + n * 2) & _M
        return _len16((n + (_f32(b, 0) << 3)) & _M, _f32(b, n - 4), mul)
    if n > 0:
        y = (b[0] + (b[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (b[n - 1] << 2)) & 0xFFFFFFFF
        return (_mix(((y * K2) ^ (z * K0)) & _M) * K2) & _M
    return K2


def _medium(b, n):
    mul = (K2 + n * 2) & _M
    a = (_f64(b, 0) * K1) & _M
    c = _f64(b, 8)
    d = (_f64(b, n - 8) * mul) & _M
    e = (_f64(b, n - 16) * K2) & _M
    return _len16((_rot((a + c) & _M, 43) + _rot(d, 30) + e) & _M,
                  (a + _rot((c + K2) & _M, 18) + d) & _M, mul)


def _long(b, n):
    mul = (K2 + n * 2) & _M
    a = (_f64(b, 0) * K2) & _M
    c = _f64(b, 8)
    d = (_f64(b, n - 8) * mul) & _M
    e = (_f64(b, n - 16) * K2) & _M
    y = (_rot((a + c) & _M, 43) + _rot(d, 30) + e) & _M
    z = _len16(y, (a + _rot((c + K2) & _M, 18) + d) & _M, mul)
    f = (_f64(b, 16) * mul) & _M
    g = _f64(b, 24)
    h = ((y + _f64(b, n - 32)) * mul) & _M
    i = ((z + _f64(b, n - 24)) * mul) & _M
    return _len16((_rot((f + g) & _M, 43) + _rot(h, 30) + i) & _M,
                  (f + _rot((g + a) & _M, 18) + h) & _M, mul)


def _weak32(b, i, a, c):
    w, x, y, z = _f64(b, i), _f64(b, i + 8), _f64(b, i + 16), _f64(b, i + 24)
    a = (a + w) & _M
    c = _rot((c + a + z) & _M, 21)
    keep = a
    a = (a + x + y) & _M
    c = (c + _rot(a, 44)) & _M
    return (a + z) & _M, (c + keep) & _M


def fingerprint64(data):
    """FarmHash Fingerprint64 of ``data`` (bytes) as an unsigned 64-bit int."""
    b = bytes(data)
    n = len(b)
    if n <= 16:
        return _short(b, n)
    if n <= 32:
        return _medium(b, n)
    if n <= 64:
        return _long(b, n)
    seed = 81
    x = seed
    y = (seed * K1 + 113) & _M
    z = (_mix((y * K2 + 113) & _M) * K2) & _M
    v0 = v1 = w0 = w1 = 0
    x = (x * K2 + _f64(b, 0)) & _M
    end = ((n - 1) // 64) * 64
    last = end + ((n - 1) & 63) - 63
    p = 0
    while True:
        x = (_rot((x + y + v0 + _f64(b, p + 8)) & _M, 37) * K1) & _M
        y = (_rot((y + v1 + _f64(b, p + 48)) & _M, 42) * K1) & _M
        x ^= w1
        y = (y + v0 + _f64(b, p + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * K1) & _M
        v0, v1 = _weak32(b, p, (v1 * K1) & _M, (x + w0) & _M)
        w0, w1 = _weak32(b, p + 32, (z + w1) & _M, (y + _f64(b, p + 16)) & _M)
        z, x = x, z
        p += 64
        if p == end:
            break
    mul = (K1 + ((z & 0xFF) << 1)) & _M
    p = last
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _f64(b, p + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _f64(b, p + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _f64(b, p + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak32(b, p, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak32(b, p + 32, (z + w1) & _M, (y + _f64(b, p + 16)) & _M)
    z, x = x, z
    return _len16((_len16(v0, w0, mul) + _mix(y) * K0 + z) & _M,
                  (_len16(v1, w1, mul) + x) & _M, mul)


def _sipround(v0, v1, v2, v3):
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


def _rotl(v, s):
    return ((v << s) | (v >> (64 - s))) & _M


def siphash24(key0, key1, data):
    """SipHash-2-4 of ``data`` under the 128-bit key (key0, key1)."""
    b = bytes(data)
    v0 = key0 ^ 0x736F6D6570736575
    v1 = key1 ^ 0x646F72616E646F6D
    v2 = key0 ^ 0x6C7967656E657261
    v3 = key1 ^ 0x7465646279746573
    n = len(b)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _f64(b, i)
        v3 ^= m
        v0, v1, v2, v3 = _sipround(*_sipround(v0, v1, v2, v3))
        v0 ^= m
    tail = b[full:] + bytes(8 - (n - full))
    m = _f64(tail, 0) | ((n & 0xFF) << 56)
    v3 ^= m
    v0, v1, v2, v3 = _sipround(*_sipround(v0, v1, v2, v3))
    v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3
