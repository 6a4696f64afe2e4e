"""Ordering helpers, static-value queries, assertions and Python functions as ops
(``tf.control_dependencies``, ``tf.group``, ``tf.Assert``, ``tf.py_function``, ...).

tfx runs every op in program order, eagerly and in a traced graph alike (a graph keeps its
effectful nodes in order), so ``control_dependencies`` and ``group`` have nothing to enforce:
they exist so TensorFlow code runs unchanged.
"""
import contextlib
import types

from .. import dtypes as _dt
from .. import nest
from ..backend import xp
from ..core.shape import TensorShape
from ..core.tensor import TensorBase, convert_to_tensor
from ..errors import InvalidArgumentError
from ._core import STATE, Tensor, register, t, trace, wrap
from .array_ops import _invalid, identity, shape

__all__ = ["get_current_name_scope", "control_dependencies", "group", "no_op",
           "identity_n", "shape_n", "ensure_shape", "get_static_value", "is_symbolic_tensor",
           "inside_function", "py_function", "numpy_function", "AggregationMethod", "version",
           "assert_op"]


# ---- name scopes (the stack lives in tfx.module with tfx.name_scope) ---------------------------

def get_current_name_scope():
    """The current ``tfx.name_scope`` without its trailing slash (``""`` at top level)."""
    from .. import module
    scope = getattr(module, "_SCOPE", None)
    return getattr(scope, "current", "").rstrip("/")


# ---- ordering ----------------------------------------------------------------------------------

@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Accepted for TensorFlow code: tfx already runs ops in program order."""
    if control_inputs is not None:
        for c in control_inputs:
            if c is not None and not (callable(c) or isinstance(c, (TensorBase, type(None)))
                                      or hasattr(c, "_as_tensor")):
                raise TypeError(f"Control input must be Operation or Tensor: {c!r}")
    yield


def no_op(name=None):
    return None


def group(*inputs, **kwargs):
    """Waits for ``inputs`` (already computed: tfx runs in program order); returns None."""
    unknown = set(kwargs) - {"name"}
    if unknown:
        raise TypeError(f"Unknown keyword arguments: {sorted(unknown)}")
    return None


class AggregationMethod:
    """How ``tfx.gradients`` would add up gradients; tfx always adds them in a fixed order."""
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def _version():
    from .._version import __version__
    return types.SimpleNamespace(VERSION=__version__, GIT_VERSION="v" + __version__,
                                 COMPILER_VERSION="", GRAPH_DEF_VERSION=0,
                                 GRAPH_DEF_VERSION_MIN_CONSUMER=0,
                                 GRAPH_DEF_VERSION_MIN_PRODUCER=0)


version = _version()


# ---- tensors in lists, shape checks ------------------------------------------------------------

def identity_n(input, name=None):  # noqa: A002
    """``[tfx.identity(x) for x in input]`` (gradients pass through)."""
    return [identity(x) for x in input]


def shape_n(input, out_type=_dt.int32, name=None):  # noqa: A002
    return [shape(x, out_type) for x in input]


def ensure_shape(x, shape, name=None):  # noqa: A002
    """``x`` unchanged if its shape is compatible with ``shape`` (None: any size), else
    InvalidArgumentError."""
    x = t(x)
    want = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    have = TensorShape(list(x._v.shape))
    if not want.is_compatible_with(have):
        raise _invalid("tfx.ensure_shape", f"Shape of tensor {have.as_list()} is not "
                                           f"compatible with expected shape {want}.")
    return identity(x)


def get_static_value(tensor, partial=False):
    """The NumPy value of an eager tensor; None for a traced (symbolic) tensor or a variable
    (its value may change); other Python values come back as they are."""
    if isinstance(tensor, TensorBase):
        if tensor.__class__ is not Tensor:
            return None  # a Variable
        if is_symbolic_tensor(tensor):
            return None
        return tensor.numpy()
    return tensor


def is_symbolic_tensor(tensor):
    """Whether ``tensor`` is a value of the graph being traced (not an eager value)."""
    return (STATE.tracing is not None and isinstance(tensor, TensorBase)
            and STATE.tracing.is_symbolic(tensor))


def inside_function():
    return STATE.tracing is not None


# ---- Python functions as ops -------------------------------------------------------------------

def _out_dtypes(Tout):
    """(flat dtypes, whether the result is a list, whether there is no result)."""
    if Tout is None:
        return [], False, True
    if isinstance(Tout, (list, tuple)):
        return [_dt.as_dtype(d) for d in Tout], True, False
    return [_dt.as_dtype(Tout)], False, False


def _results(api, out, dtypes):
    flat = [] if out is None else (list(out) if isinstance(out, (list, tuple)) else [out])
    if len(flat) != len(dtypes):
        raise InvalidArgumentError(None, api, f"{api}: the function returned {len(flat)} "
                                              f"values, but Tout has {len(dtypes)}")
    res = []
    for i, (v, d) in enumerate(zip(flat, dtypes)):
        if isinstance(v, TensorBase):
            v = t(v)
            if v._dtype is not d:
                raise InvalidArgumentError(None, api, f"{api}: {i}-th value returned has "
                                                      f"dtype {v._dtype.name}, but Tout "
                                                      f"expects {d.name}")
            res.append(v)
        else:  # NumPy or Python results are converted to Tout, as TensorFlow does
            res.append(wrap(xp.asarray(v).astype(d._np, copy=False), d)
                       if hasattr(v, "dtype") else convert_to_tensor(v, d))
    return res


def _call_eagerly(fn):
    """Run ``fn`` as eager code, out of any trace (a graph's Python-function node)."""
    saved = (STATE.tapes, STATE.tracing, STATE.recording)
    STATE.tapes, STATE.tracing, STATE.recording = [], None, False
    try:
        return fn()
    finally:
        STATE.tapes, STATE.tracing, STATE.recording = saved


def _pyfunc_fwd(ins, attrs):
    func, dtypes, as_numpy, api = attrs

    def run():
        args = [a if as_numpy else wrap(a, _dt.as_dtype(a.dtype)) for a in ins]
        return _results(api, func(*args), dtypes)
    return tuple(r._v for r in _call_eagerly(run))


def _pyfunc_replay(node, ins):
    """A graph called under a tape runs the function as eager code, so the tape sees its ops
    (a py_function is differentiable there, as in TensorFlow; a numpy_function is not)."""
    func, dtypes, as_numpy, api = node.attrs
    if as_numpy:
        return tuple(wrap(a, d) for a, d in zip(_pyfunc_fwd(tuple(x._v for x in ins),
                                                            node.attrs), dtypes))
    return tuple(_results(api, func(*ins), dtypes))


# A node whose forward calls back into Python every time the graph runs.
_PY_FUNCTION = register("py_function", api="tfx.py_function", forward=_pyfunc_fwd,
                        taped=False, stateful=True)
_PY_FUNCTION.replay = _pyfunc_replay


def _python_op(api, func, inp, Tout, as_numpy):
    dtypes, as_list, none = _out_dtypes(Tout)
    inputs = [t(x) for x in nest.flatten(inp)] if inp is not None else []
    attrs = (func, dtypes, as_numpy, api)
    if STATE.tracing is not None:
        # The trace needs example results (their shapes) to go on: the function runs once
        # here, as eager code; the graph calls it again on every run.
        outs = [wrap(v, d) for v, d in zip(_pyfunc_fwd(tuple(x._v for x in inputs), attrs),
                                           dtypes)]
        trace(_PY_FUNCTION, tuple(inputs), tuple(outs), attrs)
    elif as_numpy:
        outs = _results(api, func(*[x.numpy() for x in inputs]), dtypes)
        outs = [wrap(o._v, o._dtype) for o in outs]  # NumPy in, NumPy out: no gradient
    else:
        # Eagerly the function's own ops run on the caller's tapes, so it is differentiable.
        outs = _results(api, func(*inputs), dtypes)
    if none:
        return None
    return outs if as_list else outs[0]


def py_function(func=None, inp=None, Tout=None, name=None):
    """Call ``func`` on tensors as an op. Eagerly it simply runs (its ops are taped, so it
    has a gradient); inside a ``tfx.function`` it becomes a node that calls ``func`` each time
    the graph runs (and once while tracing, for the result shapes). ``Tout``: one dtype, a list
    of dtypes (results are a list) or None (no result)."""
    if func is None:
        return lambda f: py_function(f, inp, Tout, name)
    return _python_op("tfx.py_function", func, inp, Tout, False)


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):
    """Like ``py_function``, but ``func`` takes and returns NumPy arrays; not differentiable."""
    if func is None:
        return lambda f: numpy_function(f, inp, Tout, stateful, name)
    return _python_op("tfx.numpy_function", func, inp, Tout, True)


# ---- assertions --------------------------------------------------------------------------------

def _assert_text(items, arrays, summarize):
    from .logging_ops import _array_text
    values = iter(arrays)
    parts = []
    for item in items:
        if item is None:  # a tensor
            a = next(values)
            parts.append(_array_text(a, summarize) if a.ndim else str(a[()]))
        else:
            parts.append(item)
    return "\n".join(parts)


def _assert_fwd(ins, attrs):
    items, summarize, api, head = attrs
    if not bool(ins[0].all()):
        raise InvalidArgumentError(None, api, head + _assert_text(items, ins[1:], summarize))
    return ()


# No outputs and stateful: a graph keeps the check and runs it on every call.
ASSERT = register("assert", api="tfx.debugging.Assert", forward=_assert_fwd, taped=False,
                  stateful=True)


def assert_op(condition, data, summarize=3, api="tfx.debugging.Assert", head=None):
    """Raise InvalidArgumentError unless every entry of ``condition`` holds: now when eager,
    each time the graph runs when ``condition`` is a traced value. ``data``: strings and
    tensors shown in the message."""
    c = t(condition)
    items, tensors = [], []
    for d in data:
        if isinstance(d, (str, bytes)):
            items.append(d.decode() if isinstance(d, bytes) else d)
        else:
            items.append(None)
            tensors.append(t(d))
    if head is None:
        head = f"Expected '{c._v if c._v.ndim == 0 else 'condition'}' to be true. " \
               "Summarized data: "
    attrs = (tuple(items), summarize, api, head)
    if is_symbolic_tensor(c) or any(is_symbolic_tensor(x) for x in tensors):
        trace(ASSERT, (c, *tensors), (), attrs)
        return None
    _assert_fwd((c._v, *[x._v for x in tensors]), attrs)
    return None
