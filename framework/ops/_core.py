"""The op table and the dispatch helpers every op uses.

An op is one ``OpDef``: its name, its forward on backend arrays, its gradient (written with
tfx ops, so higher derivatives and traced backward passes come for free) and its shape rule.
The public function (argument checks, dtype rules, error messages) sits next to the ``OpDef``
in the same module and computes what ``forward`` computes; a traced graph replays ``forward``
alone, without the Python around it.

Hot path, eager with no tape: convert/check inputs, call the backend, ``wrap`` the result,
read ``STATE.recording`` once. Recording and error formatting live off that path. Ops whose
result no tape needs (shapes, random draws, printing) check ``STATE.tracing`` instead, so a
graph records them too and never bakes in a value that depends on its inputs.
"""
import sys

from threading import get_ident as _get_ident

from .. import dtypes as _dt
from ..core.state import STATE
from ..core.tensor import Tensor, convert_to_tensor, wrap
from ..errors import InvalidArgumentError

__all__ = ["OpDef", "OPS", "register", "record", "trace", "wrap", "Tensor", "STATE", "t",
           "pair", "dtype_error"]

OPS = {}


class OpDef:
    """One registered op, keyed by name in ``OPS``.

    ``forward(input_arrays, attrs)`` returns the output arrays (a tuple) from the input
    arrays and the attrs the op records; ``grad(node, *upstream)`` one gradient per input.
    ``taped``: False for ops no tape needs (their outputs depend on shapes only), which only
    a traced graph records. ``stateful``: each run may differ (random draws, printing), so
    graph passes must neither fold nor merge it. ``replay(node, input_tensors)``: for control
    flow, how a graph call under a tape runs the node eagerly (the ops of the branch taken).
    ``kernel(*input_arrays)``: the same computation as one backend call returning the single
    output, when a node has no attrs (elementwise ops): a compiled plan calls it directly.
    """

    __slots__ = ("name", "grad", "shape_fn", "differentiable", "api", "forward", "taped",
                 "stateful", "replay", "module", "kernel")

    def __init__(self, name, grad=None, shape_fn=None, api=None, forward=None, taped=True,
                 stateful=False):
        self.name = name
        self.grad = grad
        self.shape_fn = shape_fn
        # An op registered without a gradient cuts the chain (argmax, comparisons, ...).
        self.differentiable = grad is not None
        self.api = api or f"tfx.{name}"
        self.forward = forward
        self.taped = taped
        self.stateful = stateful
        self.replay = None
        self.module = None  # the module that registered it
        self.kernel = None

    def __repr__(self):
        return f"<OpDef {self.name}>"


def register(name, grad=None, shape_fn=None, api=None, forward=None, taped=True,
             stateful=False):
    if name in OPS:
        raise ValueError(f"op {name!r} is already registered")
    op = OpDef(name, grad, shape_fn, api, forward, taped, stateful)
    op.module = sys._getframe(1).f_globals.get("__name__")
    OPS[name] = op
    return op


def gradient(name):
    """Decorator: attach the gradient function ``grad(node, *upstream)`` to op ``name``."""
    def deco(fn):
        op = OPS[name]
        op.grad = fn
        op.differentiable = True
        return fn
    return deco


def record(op, inputs, outputs, attrs=None):
    """Offer an executed op to every recording tape of this thread (called only when
    STATE.recording). Tapes are per thread, as in TensorFlow: a worker thread's ops (a
    parallel dataset map) never land on the main thread's tape."""
    tid = _get_ident()
    for tape in STATE.tapes:
        if tape._recording and getattr(tape, "_thread", tid) == tid:
            tape._record(op, inputs, outputs, attrs)


def trace(op, inputs, outputs, attrs=None):
    """Offer an executed op to the graph being traced only (called when STATE.tracing)."""
    STATE.tracing._record(op, inputs, outputs, attrs)


def t(x, dtype=None):
    """Any tensor-like to a Tensor (a Variable is read, and the read is taped)."""
    if x.__class__ is Tensor and dtype is None:
        return x
    return convert_to_tensor(x, dtype)


def _as_tensor_or_none(x):
    """x as a Tensor if it is tensor-like (Tensor, Variable, ...), else None (Python/NumPy)."""
    if x.__class__ is Tensor:
        return x
    conv = getattr(x, "_as_tensor", None)
    return conv() if conv is not None else None


def pair(x, y, api):
    """Convert two operands for a binary op: a Python or NumPy operand takes the tensor's dtype."""
    tx = _as_tensor_or_none(x)
    ty = _as_tensor_or_none(y)
    if tx is not None:
        x = tx
        y = ty if ty is not None else _adapt(y, x._dtype, api, x)
    elif ty is not None:
        y = ty
        x = _adapt(x, y._dtype, api, y, second=False)
    else:
        x = t(x)
        y = _adapt(y, x._dtype, api, x)
    if x._dtype is not y._dtype:
        raise dtype_error(api, x, y)
    return x, y


def _adapt(value, dtype, api, other, second=True):
    try:
        r = convert_to_tensor(value, dtype)
        if r._v.__class__ is not other._v.__class__:  # Python/NumPy data joins a GPU tensor
            from ..backend.gpu import is_gpu_array
            if is_gpu_array(other._v) and not is_gpu_array(r._v):
                from ..core.device import place_like
                r = wrap(place_like(r._v), r._dtype)
        return r
    except (TypeError, ValueError):
        v = convert_to_tensor(value)
        e = dtype_error(api, other, v, swapped=True)
        # TensorFlow: `int_tensor + 2.5` fails inside AddV2 (InvalidArgumentError); `2.5 + t`
        # and every other op fail converting the Python value first (TypeError).
        if api in ("+", "tfx.add") and second:
            raise e from None
        raise TypeError(e.message) from None


def _article(name):
    return "an" if name[0] in "aeiou" else "a"


def dtype_error(api, x, y, swapped=False):
    """TensorFlow's InvalidArgumentError for mixed dtypes, naming the user's expression, both
    dtypes and the cast that fixes it (the integer side, or the second operand, is cast)."""
    from ..diagnostics import describe_call
    a, b = (y, x) if swapped else (x, y)
    where, expr, operands = describe_call(api, with_operands=True)
    da, db = a._dtype, b._dtype
    # Cast the side that loses nothing: an integer or bool to the float, else b to a.
    cast_b = not (da.is_integer or da.is_bool) or (db.is_integer or db.is_bool)
    target, src = (da, 1) if cast_b else (db, 0)
    what = operands[src] if operands else ("the second operand" if src else "the first operand")
    msg = (f"{expr}: cannot combine {_article(da.name)} {da.name} tensor with "
           f"{_article(db.name)} {db.name} tensor (tfx never converts dtypes implicitly). "
           f"Cast first: `tfx.cast({what}, tfx.{target.name})`.")
    if where:
        msg += f"\n  at {where}"
    return InvalidArgumentError(None, api, msg)


def op_error(api, exc, *tensors):
    """Turn a backend failure (NumPy's ValueError, ...) into InvalidArgumentError."""
    from ..diagnostics import describe_call
    where, expr = describe_call(api)
    from ..core.device import mixed_devices
    mixed = mixed_devices(tensors)
    shapes = " vs. ".join(str(list(x._v.shape)) for x in tensors)
    msg = f"{expr}: {mixed or exc}" + (f" (shapes {shapes})" if tensors and not mixed else "")
    if where:
        msg += f"\n  at {where}"
    return InvalidArgumentError(None, api, msg)


def shape_of(x):
    return x._v.shape


_new = object.__new__
float32 = _dt.float32
