"""Index bookkeeping for the composite structures (sparse, ragged, strings, sets).

Each kernel is a registered op with no gradient: it turns index arrays (and strings) into
other index arrays on backend arrays. Values never pass through a kernel when a gradient could
flow: they move through tfx's differentiable gather/scatter ops with the indices a kernel
computed, so tapes see the value path and graph functions can replay both (each kernel has the
``forward`` a traced graph replays). Sizes that depend on the data (how many entries, how many
rows) travel as tensors between kernels, never as Python ints, so a replayed graph sizes its
results from the values it runs on.
"""
from .. import dtypes as _dt
from ..backend import xp
from ..errors import InvalidArgumentError
from ..ops._core import STATE, record, register, wrap
from ..ops.array_ops import _invalid

__all__ = ["kernel", "invalid", "fail", "segment_sum"]

invalid = _invalid


def _dtype_of(array):
    return _dt.from_numpy(array.dtype)


def kernel(name, forward, api):
    """Register ``forward(input_arrays, attrs) -> output arrays`` as op ``name``; return a
    function ``call(inputs, attrs=None)`` that runs it eagerly on tensors and records it.

    ``forward`` signals bad input with InvalidArgumentError(None, api, message); ``call``
    re-raises it naming the user's line.
    """
    op = register(name, api=api, forward=forward)

    def call(inputs, attrs=None):
        inputs = tuple(inputs)
        try:
            outs = forward(tuple(x._v for x in inputs), attrs)
        except InvalidArgumentError as e:
            raise _invalid(api, e.message) from None
        results = tuple(wrap(o, _dtype_of(o)) for o in outs)
        if STATE.recording:
            record(op, inputs, results, attrs)
        return results

    call.op = op
    call.__name__ = name
    return call


def fail(api, message):
    """The error a kernel's forward raises (``call`` adds where the user called it)."""
    return InvalidArgumentError(None, api, message)


# ---- the one value-moving op of its own: a segment sum whose count is a tensor ---------------

def _segment_sum_fwd(ins, attrs):
    v, seg, n = ins
    out = xp.zeros((int(n),) + v.shape[1:], dtype=v.dtype)
    xp.add.at(out, seg, v)
    return (out,)


def _segment_sum_grad(node, g):
    from ..ops.array_ops import _gather
    return _gather(g, node.inputs[1], 0, 0, False), None, None


_segment_sum_op = register("structures_segment_sum", _segment_sum_grad,
                           api="tfx.math.unsorted_segment_sum", forward=_segment_sum_fwd)


def segment_sum(values, segment_ids, num_segments):
    """Rows of ``values`` summed by ``segment_ids`` into ``num_segments`` rows (a scalar int
    tensor, so a traced graph sizes the result from the data it runs on)."""
    r = wrap(_segment_sum_fwd((values._v, segment_ids._v, num_segments._v), None)[0],
             values._dtype)
    if STATE.recording:
        record(_segment_sum_op, (values, segment_ids, num_segments), (r,))
    return r
