"""SparseTensors as strings (``tf.io.serialize_sparse``, ``serialize_many_sparse``,
``deserialize_many_sparse``): each SparseTensor is three serialized TensorProtos (indices,
values, dense_shape), the bytes ``tfx.io.serialize_tensor`` writes, so TensorFlow reads tfx's
and tfx reads TensorFlow's."""
from . import dtypes as _dt
from .backend import xp
from .io import _BY_ENUM, _invalid, _py, _string, _tensor_proto, parse_tensor, serialize_tensor
from .ops._core import t

__all__ = ["serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse"]


def _check_out_type(api, out_type):
    if _dt.as_dtype(out_type) is not _dt.string:
        raise TypeError(f"{api}: tfx serializes SparseTensors to strings only (out_type="
                        f"tfx.string); got {_dt.as_dtype(out_type).name}")


def _three(indices, values, shape):
    return [serialize_tensor(x).numpy() for x in (indices, values, shape)]


def serialize_sparse(sp_input, out_type=_dt.string, name=None):
    """A string vector of 3: the serialized indices, values and dense_shape."""
    from .structures.sparse_tensor import SparseTensor
    _check_out_type("tfx.io.serialize_sparse", out_type)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp_input).__name__}")
    return _string(_three(sp_input.indices, sp_input.values, sp_input.dense_shape))


def serialize_many_sparse(sp_input, out_type=_dt.string, name=None):
    """``[N, 3]`` strings: row i serializes the SparseTensor of minibatch entry i (the first
    dimension removed)."""
    from .core.tensor import convert_to_tensor
    from .structures.sparse_tensor import SparseTensor
    api = "tfx.io.serialize_many_sparse"
    _check_out_type(api, out_type)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(sp_input).__name__}")
    shape = sp_input.dense_shape._v
    if shape.shape[0] < 2:
        raise _invalid(api, f"Rank of input SparseTensor should be > 1, but saw rank: "
                            f"{shape.shape[0]}")
    iv, vals = sp_input.indices._v, sp_input.values._v
    rows = []
    for i in range(int(shape[0])):
        keep = iv[:, 0] == i
        rows.append(_three(convert_to_tensor(iv[keep][:, 1:], _dt.int64),
                           convert_to_tensor(vals[keep], sp_input.dtype),
                           convert_to_tensor(shape[1:], _dt.int64)))
    out = xp.empty((len(rows), 3), dtype=object)
    for i, r in enumerate(rows):
        out[i, :] = r
    return _string(out)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """One SparseTensor from ``[N, 3]`` serialized SparseTensors: entry i at batch index i,
    the dense shape ``[N]`` + the largest of their shapes."""
    from .core.tensor import convert_to_tensor
    from .structures.sparse_tensor import SparseTensor
    api = "tfx.io.deserialize_many_sparse"
    d = _dt.as_dtype(dtype)
    data = xp.asarray(_py(serialized_sparse) if not hasattr(serialized_sparse, "_v")
                      else t(serialized_sparse)._v, dtype=object)
    if data.ndim != 2 or data.shape[1] != 3:
        raise _invalid(api, f"Serialized sparse should be a matrix with 3 columns, got shape "
                            f"{list(data.shape)}")
    proto = _tensor_proto()()
    idx, vals, shapes = [], [], []
    for i in range(data.shape[0]):
        proto.ParseFromString(bytes(data[i, 1]))
        got = _BY_ENUM.get(proto.dtype)
        if got != d.name:
            raise _invalid(api, f"Requested SparseTensor of type {d.name} but "
                                f"SparseTensor[{i}].values.dtype() == {got}")
        iv = parse_tensor(data[i, 0], _dt.int64)._v
        shape = parse_tensor(data[i, 2], _dt.int64)._v
        if rank is not None and shape.shape[0] + 1 != int(rank):
            raise _invalid(api, f"Expected rank {int(rank)} but SparseTensor[{i}] has rank "
                                f"{shape.shape[0] + 1}")
        if shapes and shape.shape[0] != shapes[0].shape[0]:
            raise _invalid(api, f"Inconsistent shape across SparseTensors: rank prior to "
                                f"SparseTensor[{i}] was: {shapes[0].shape[0]} but rank of "
                                f"SparseTensor[{i}] is: {shape.shape[0]}")
        idx.append(xp.concatenate([xp.full((iv.shape[0], 1), i, dtype=xp.int64),
                                   iv.reshape(iv.shape[0], -1)], axis=1))
        vals.append(parse_tensor(data[i, 1], d)._v)
        shapes.append(shape)
    inner = xp.max(xp.stack(shapes), axis=0) if shapes else xp.zeros(
        0 if rank is None else int(rank) - 1, xp.int64)
    n_cols = inner.shape[0] + 1
    indices = xp.concatenate(idx) if idx else xp.zeros((0, n_cols), xp.int64)
    values = xp.concatenate(vals) if vals else xp.zeros(0, d._np if d is not _dt.string
                                                           else object)
    return SparseTensor(convert_to_tensor(indices, _dt.int64), convert_to_tensor(values, d),
                        convert_to_tensor(xp.concatenate([[data.shape[0]], inner]).astype(
                            xp.int64), _dt.int64))
