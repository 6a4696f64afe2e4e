"""Top-level ops TensorFlow has outside its namespaces: ``approx_top_k``, ``fingerprint`` and
``random_index_shuffle``.

- ``approx_top_k`` computes the top k exactly (a recall of 1 meets any ``recall_target``).
- ``fingerprint`` is TensorFlow's byte for byte: FarmHash Fingerprint64 of each row's bytes
  (of the row's string, or of the concatenated fingerprints of a row of several strings), as
  8 little-endian bytes.
- ``random_index_shuffle`` is a bijection of [0, max_index] keyed by the seed: a balanced
  Feistel network on the smallest even number of bits that holds max_index, cycle-walked
  back into range. Its permutation is tfx's own, not TensorFlow's.
"""
import collections
import struct

from .. import dtypes as _dt
from ..backend import to_device, xp
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace, wrap

__all__ = ["approx_top_k", "fingerprint", "random_index_shuffle"]

ApproxTopK = collections.namedtuple("ApproxTopK", ["values", "indices"])


def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95,  # noqa: A002
                 is_max_k=True, reduction_input_size_override=-1, aggregate_to_topk=True,
                 name=None):
    """The ``k`` largest (``is_max_k``) or smallest values along ``reduction_dimension`` and
    their int32 indices, as ``ApproxTopK(values, indices)``."""
    from .misc_ops import approx_max_k, approx_min_k
    fn = approx_max_k if is_max_k else approx_min_k
    values, indices = fn(input, k, reduction_dimension=reduction_dimension,
                         recall_target=recall_target,
                         reduction_input_size_override=reduction_input_size_override,
                         aggregate_to_topk=aggregate_to_topk)
    return ApproxTopK(values, indices)


# ---- fingerprint -------------------------------------------------------------------------------

def _fingerprint_fwd(ins, attrs):
    from ..structures.string_hash import fingerprint64
    data = ins[0]
    rows = data.reshape(data.shape[0], -1) if data.shape[0] else data.reshape(0, 1)
    out = xp.empty((rows.shape[0], 8), dtype=xp.uint8)
    for i, row in enumerate(rows):
        if data.dtype == object:
            if len(row) == 1:
                h = fingerprint64(row[0])
            else:
                h = fingerprint64(b"".join(struct.pack("<Q", fingerprint64(s)) for s in row))
        else:
            h = fingerprint64(xp.ascontiguousarray(row).astype(row.dtype.newbyteorder("<"))
                              .tobytes())
        out[i] = xp.frombuffer(struct.pack("<Q", h), dtype=xp.uint8)
    return (out,)


_fingerprint_op = register("fingerprint", api="tfx.fingerprint", forward=_fingerprint_fwd,
                           taped=False)


def fingerprint(data, method="farmhash64", name=None):
    """A uint8 [batch, 8] fingerprint of each row of ``data`` (FarmHash Fingerprint64, as
    TensorFlow: stable across runs and platforms)."""
    x = t(data)
    if x._v.ndim == 0:
        raise InvalidArgumentError(None, "tfx.fingerprint",
                                   "`data` should have at least one dimension: []")
    method = method.numpy().decode() if hasattr(method, "numpy") else method
    if method != "farmhash64":
        raise InvalidArgumentError(None, "tfx.fingerprint",
                                   f"Unsupported fingerprint method: {method}")
    r = wrap(_fingerprint_fwd((to_device(x._v, "CPU"),), None)[0], _dt.uint8)
    if STATE.tracing is not None:
        trace(_fingerprint_op, (x,), (r,), None)
    return r


# ---- random_index_shuffle ----------------------------------------------------------------------

_M64 = (1 << 64) - 1
_INDEX_TYPES = frozenset([_dt.int32, _dt.uint32, _dt.int64, _dt.uint64])


def _mix(z):
    """SplitMix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    z = (z ^ (z >> xp.uint64(30))) * xp.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> xp.uint64(27))) * xp.uint64(0x94D049BB133111EB)
    return z ^ (z >> xp.uint64(31))


def _permute(index, seed, max_index, rounds):
    """Each ``index`` (uint64) through a Feistel permutation of [0, max_index]."""
    n = max_index + xp.uint64(1)
    bits = xp.maximum(xp.ceil(xp.log2(n.astype(xp.float64))).astype(xp.uint64), 2)
    bits = bits + (bits & xp.uint64(1))
    half = bits // xp.uint64(2)
    mask = (xp.uint64(1) << half) - xp.uint64(1)
    key = _mix(seed[..., 0] ^ _mix(seed[..., 1] ^ _mix(seed[..., 2])))
    v = index.copy()
    todo = xp.ones(v.shape, dtype=bool)
    while todo.any():
        left, right = v >> half, v & mask
        for r in range(rounds):
            f = _mix(right ^ key ^ _mix(xp.uint64(r + 1) * xp.uint64(0x9E3779B97F4A7C15)))
            left, right = right, (left ^ f) & mask
        w = (left << half) | right
        v = xp.where(todo, w, v)
        todo = v > max_index  # cycle walking: re-encrypt until back inside the range
    return v


_shuffle_op = register("random_index_shuffle", api="tfx.random_index_shuffle", taped=False,
                       forward=lambda ins, attrs: (_shuffle_fwd(ins, attrs),))


def _shuffle_fwd(ins, attrs):
    index, seed, max_index = ins
    rounds, npd = attrs
    n = xp.broadcast_shapes(index.shape, seed.shape[:-1], max_index.shape)
    index, seed = xp.broadcast_to(index, n), xp.broadcast_to(seed, n + (3,))
    max_index = xp.broadcast_to(max_index, n)
    with xp.errstate(over="ignore"):
        out = _permute(index.astype(xp.uint64), seed.astype(xp.int64).astype(xp.uint64),
                       max_index.astype(xp.uint64), rounds)
    return out.astype(npd)


def random_index_shuffle(index, seed, max_index, rounds=4, name=None):
    """Where ``index`` lands in a random permutation of [0, max_index] fixed by ``seed``
    (shape [3], or [n, 3] for n permutations); a bijection for each seed and max_index."""
    api = "tfx.random_index_shuffle"
    idx = convert_to_tensor(index)
    if idx._dtype not in _INDEX_TYPES:
        raise InvalidArgumentError(None, api, f"Value for attr 'dtype' of {idx._dtype.name} is "
                                   "not in the list of allowed values: int32, uint32, int64, "
                                   "uint64")
    s = convert_to_tensor(seed)
    mx = t(max_index) if hasattr(max_index, "_dtype") else convert_to_tensor(max_index,
                                                                              idx._dtype)
    if mx._dtype is not idx._dtype:
        raise InvalidArgumentError(None, api, f"cannot compute RandomIndexShuffle as input "
                                   f"#2(zero-based) was expected to be a {idx._dtype.name} "
                                   f"tensor but is a {mx._dtype.name} tensor")
    if s._v.shape[-1:] != (3,) or s._v.ndim > 2:
        raise InvalidArgumentError(None, api, "Seed must be a vector of size [3] or a matrix "
                                   f"of size [n, 3] but got {list(s._v.shape)}.")
    if idx._v.ndim > 1 or mx._v.ndim > 1:
        raise InvalidArgumentError(None, api, "Index and max_index must be scalars or vectors.")
    iv, sv, mv = (to_device(x._v, "CPU") for x in (idx, s, mx))
    try:
        xp.broadcast_shapes(iv.shape, sv.shape[:-1], mv.shape)
    except ValueError:
        raise InvalidArgumentError(None, api, "The first dimensions of index, seed and "
                                   "max_index must match.") from None
    if (iv < 0).any() or (iv > mv).any():
        raise InvalidArgumentError(None, api, "index must be within [0, max_index]")
    attrs = (int(rounds), idx._dtype._np)
    r = wrap(_shuffle_fwd((iv, sv, mv), attrs), idx._dtype)
    if STATE.tracing is not None:
        trace(_shuffle_op, (idx, s, mx), (r,), attrs)
    return r
