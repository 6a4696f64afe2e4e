"""``keras.ops.rearrange`` (einops' pattern language: names, parenthesised groups that split or
merge axes, sizes of split axes as keyword arguments) and ``keras.ops.view`` (bit casts)."""
import re

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import misc_ops as MISC
from ._dtypes import exports, to_tensor

_AXIS = re.compile(r"\w+|\([\w\s]*\)")


def _groups(side):
    return [g[1:-1].split() if g.startswith("(") else [g] for g in _AXIS.findall(side)]


def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, split and merge axes as ``pattern`` says ("b (h w) c -> b h w c", h=4)."""
    x = to_tensor(tensor)
    left, right = re.split(r"\s*->\s*", pattern)
    inputs, outputs = _groups(left), _groups(right)
    if len(inputs) != x.shape.rank:
        raise ValueError(f"Pattern {pattern!r} names {len(inputs)} axes; the tensor has "
                         f"{x.shape.rank}.")
    sizes = {}
    for group, dim in zip(inputs, x.shape.as_list()):
        if len(group) == 1:
            sizes[group[0]] = dim
            continue
        known = 1
        for name in group:
            if name in axes_lengths:
                known *= axes_lengths[name]
        for name in group:
            sizes[name] = axes_lengths.get(name, None if dim is None else dim // known)
    order = [n for g in inputs for n in g]
    x = A.reshape(x, [-1 if sizes[n] is None else sizes[n] for n in order])
    flat_out = [n for g in outputs for n in g]
    x = A.transpose(x, [order.index(n) for n in flat_out])
    shape = []
    for g in outputs:
        size = 1
        for n in g:
            size = None if size is None or sizes[n] is None else size * sizes[n]
        shape.append(-1 if size is None else size)
    return A.reshape(x, shape)


def view(x, dtype=None):
    """The same bytes read as ``dtype``: the last axis grows or shrinks by the size ratio."""
    x = to_tensor(x)
    new = _dt.as_dtype(dtype) if dtype is not None else x.dtype
    old_size, new_size = x.dtype.size, new.size
    shape = x.shape.as_list()
    last = shape[-1] if shape else -1
    if (last == -1 and old_size != new_size) or (last * old_size) % new_size:
        raise ValueError(f"Cannot view array of shape {tuple(shape)} and dtype "
                         f"{x.dtype.name} as dtype {new.name} because the total number of "
                         "bytes is not divisible by the new itemsize.")
    if old_size == new_size:
        return MISC.bitcast(x, new)
    if old_size > new_size:
        out = MISC.bitcast(x, new)  # adds an axis of old_size // new_size
        return A.reshape(out, shape[:-1] + [last * old_size // new_size])
    ratio = new_size // old_size
    grouped = A.reshape(x, shape[:-1] + [last // ratio, ratio])
    return MISC.bitcast(grouped, new)


__all__ = exports(globals(), ("to_tensor",))
