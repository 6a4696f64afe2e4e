"""``tfx.debugging.assert_*``: value checks raise InvalidArgumentError (now when eager, when
the graph runs inside a ``tfx.function``); static checks (rank, dtype, shape) raise ValueError
or TypeError at once, as TensorFlow's do. Messages follow TensorFlow's layout."""
from .. import dtypes as _dt
from ..backend import xp
from ..core.tensor import TensorBase
from ..errors import InvalidArgumentError
from ._core import STATE, pair, record, register, t, wrap
from . import array_ops as A
from . import math_ops as M
from .control_ops import assert_op, is_symbolic_tensor

__all__ = ["check_numerics", "Assert", "assert_equal", "assert_none_equal", "assert_greater",
           "assert_greater_equal", "assert_less", "assert_less_equal", "assert_near",
           "assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive",
           "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_scalar",
           "assert_type", "assert_integer", "assert_same_float_dtype", "assert_shapes",
           "assert_proper_iterable", "is_numeric_tensor", "enable_traceback_filtering",
           "disable_traceback_filtering", "is_traceback_filtering_enabled",
           "enable_check_numerics", "disable_check_numerics"]


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - tf.debugging.Assert
    """Raise InvalidArgumentError with ``data`` (strings and tensors) unless ``condition``."""
    return assert_op(condition, data, 3 if summarize is None else summarize)


def _check_numerics_fwd(ins, message):
    v = ins[0]
    nan, inf = bool(xp.isnan(v).any()), bool(xp.isinf(v).any())
    if nan or inf:
        kind = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
        raise InvalidArgumentError(None, "tfx.debugging.check_numerics",
                                   f"{message} : Tensor had {kind} values")
    return (v,)


def _check_numerics_grad(node, g):
    # As TensorFlow: the gradient is checked too, on its way back.
    return (check_numerics(g, "Not a number (NaN) or infinity (Inf) values detected in "
                              f"gradient. {node.attrs}"),)


_CHECK_NUMERICS_OP = register("check_numerics", _check_numerics_grad,
                              api="tfx.debugging.check_numerics",
                              forward=_check_numerics_fwd)


def check_numerics(tensor, message, name=None):
    """``tensor`` unchanged, or InvalidArgumentError ("<message> : Tensor had NaN values")
    if it holds a NaN or an infinity; in a graph, checked on every run."""
    x = t(tensor)
    if not x._dtype.is_floating:
        raise InvalidArgumentError(None, "tfx.debugging.check_numerics",
                                   f"Value for attr 'T' of {x._dtype.name} is not in the list "
                                   "of allowed values: bfloat16, half, float, double")
    r = wrap(_check_numerics_fwd((x._v,), message)[0], x._dtype)
    if STATE.recording:
        record(_CHECK_NUMERICS_OP, (x,), (r,), message)
    return r


def _head(message):
    return f"{message}\n" if message else ""


def _binary(api, op, text, x, y, message, summarize):
    x, y = pair(x, y, api)
    if is_symbolic_tensor(x) or is_symbolic_tensor(y):
        return assert_op(op(x, y), [f"Condition x {text} y did not hold element-wise:",
                                    "x = ", x, "y = ", y], summarize or 3, api,
                         _head(message))
    held = op(x, y)._v
    if bool(xp.all(held)):
        return None
    n = 3 if summarize is None else summarize
    xb, yb = xp.broadcast_arrays(x._v, y._v)
    bad = xp.argwhere(~held)[:n]
    k = len(bad)
    lines = [f"Condition x {text} y did not hold.", f"Indices of first {k} different values:",
             str(bad), "Corresponding x values:", str(xb[tuple(bad.T)]),
             "Corresponding y values:", str(yb[tuple(bad.T)]),
             f"First {min(n, x._v.size)} elements of x:", str(x._v.reshape(-1)[:n]),
             f"First {min(n, y._v.size)} elements of y:", str(y._v.reshape(-1)[:n])]
    raise InvalidArgumentError(None, api, _head(message) + "\n".join(lines))


def assert_equal(x, y, message=None, summarize=None, name=None):
    return _binary("tfx.debugging.assert_equal", M.equal, "==", x, y, message, summarize)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    return _binary("tfx.debugging.assert_none_equal", M.not_equal, "!=", x, y, message,
                   summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    return _binary("tfx.debugging.assert_greater", M.greater, ">", x, y, message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    return _binary("tfx.debugging.assert_greater_equal", M.greater_equal, ">=", x, y, message,
                   summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    return _binary("tfx.debugging.assert_less", M.less, "<", x, y, message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    return _binary("tfx.debugging.assert_less_equal", M.less_equal, "<=", x, y, message,
                   summarize)


def _unary(api, op, text, x, message, summarize):
    x = t(x)
    zero = A.zeros_like(x)
    held = op(x, zero)
    desc = f"x (shape={tuple(x._v.shape)} dtype={x._dtype.name}) = "
    head = _head(message) + f"\nCondition x {text} 0 did not hold element-wise:\n"
    if is_symbolic_tensor(x):
        return assert_op(held, [desc, x], summarize or 3, api, head)
    if bool(xp.all(held._v)):
        return None
    n = x._v.size if summarize is None else summarize
    vals = [str(v) for v in x._v.reshape(-1)[:n].tolist()]
    raise InvalidArgumentError(None, api, head + desc + "\n" + str(vals))


def assert_positive(x, message=None, summarize=None, name=None):
    return _unary("tfx.debugging.assert_positive", M.greater, ">", x, message, summarize)


def assert_negative(x, message=None, summarize=None, name=None):
    return _unary("tfx.debugging.assert_negative", M.less, "<", x, message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None):
    return _unary("tfx.debugging.assert_non_negative", M.greater_equal, ">=", x, message,
                  summarize)


def assert_non_positive(x, message=None, summarize=None, name=None):
    return _unary("tfx.debugging.assert_non_positive", M.less_equal, "<=", x, message,
                  summarize)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """|x - y| <= atol + rtol * |y| everywhere; default tolerances 10 * eps of the dtype."""
    x, y = t(x), t(y)
    eps = float(xp.finfo(x._dtype._np).eps) if x._dtype.is_floating else 0.0
    rt = 10 * eps if rtol is None else float(rtol)
    at = 10 * eps if atol is None else float(atol)
    diff = M.abs(M.subtract(x, y))
    bound = M.add(M.multiply(M.abs(y), M.cast(rt, y._dtype)), M.cast(at, y._dtype))
    held = M.less_equal(diff, bound)
    xd = f"x (shape={tuple(x._v.shape)} dtype={x._dtype.name}) = "
    yd = f"y (shape={tuple(y._v.shape)} dtype={y._dtype.name}) = "
    return assert_op(held, [f"x and y not equal to tolerance rtol = {rt:g}, atol = {at:g}",
                            xd, x, yd, y], summarize or 3, "tfx.debugging.assert_near",
                     _head(message) + "Expected 'x ~= y' to hold. Summarized data: ")


# ---- static checks -----------------------------------------------------------------------------

def _rank(x):
    return t(x)._v.ndim


def _shape_text(x):
    return str(tuple(t(x)._v.shape))


def assert_rank(x, rank, message=None, name=None):
    r = int(rank)
    if _rank(x) != r:
        raise ValueError(f"{_head(message)}Tensor  must have rank {r}.  Received rank "
                         f"{_rank(x)}, shape {_shape_text(x)}")


def assert_rank_at_least(x, rank, message=None, name=None):
    r = int(rank)
    if _rank(x) < r:
        raise ValueError(f"{_head(message)}Tensor  must have rank at least {r}.  Received "
                         f"rank {_rank(x)}, shape {_shape_text(x)}")


def assert_rank_in(x, ranks, message=None, name=None):
    rs = tuple(int(r) for r in ranks)
    if _rank(x) not in rs:
        raise ValueError(f"{_head(message)}Tensor  must have rank in {rs}.  Received rank "
                         f"{_rank(x)}, shape {_shape_text(x)}")


def assert_scalar(tensor, message=None, name=None):
    if _rank(tensor) != 0:
        raise ValueError(f"{_head(message)}Expected scalar shape, saw shape: "
                         f"{_shape_text(tensor)}.")
    return tensor


def assert_type(tensor, tf_type, message=None, name=None):
    d = _dt.as_dtype(tf_type)
    if t(tensor)._dtype is not d:
        raise TypeError(f"{_head(message)}tensor must be of type tfx.{d.name}; got "
                        f"tfx.{t(tensor)._dtype.name}")


def assert_integer(x, message=None, name=None):
    x = t(x)
    if not x._dtype.is_integer:
        raise TypeError(f'{_head(message)}Expected "x" to be integer type.  Found: tensor of '
                        f"dtype {x._dtype!r}")


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating dtype of ``tensors`` (and ``dtype``); float32 when there is none."""
    want = None if dtype is None else _dt.as_dtype(dtype)
    if want is not None and not want.is_floating:
        raise ValueError(f"Expected floating point type, got {want!r}.")
    first = None
    for x in tensors or ():
        d = t(x)._dtype
        if want is None:
            want, first = d, x
            if not d.is_floating:
                raise ValueError(f"Expected floating point type, got {d!r}.")
        elif d is not want:
            raise ValueError(f"{x!r}, type={d!r}, must be of the same type ({want!r})"
                             + (f" as {first!r}." if first is not None else "."))
    return want or _dt.float32


def assert_proper_iterable(values):
    if isinstance(values, (TensorBase, str, bytes)) or hasattr(values, "__array__"):
        raise TypeError(f"Expected argument \"values\" to be a \"proper\" iterable.  Found: "
                        f"{type(values)}")
    if not hasattr(values, "__iter__"):
        raise TypeError(f"Expected argument \"values\" to be iterable.  Found: "
                        f"{type(values)}")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Check tensors against symbolic shapes: ``[(x, ('N', 'Q')), (y, ('N',))]``; a name must
    mean one size everywhere, an int its size, ``'.'`` or None any size, ``'*'`` (first only)
    any number of leading dimensions."""
    items = shapes.items() if isinstance(shapes, dict) else shapes
    sizes = {}
    for x, spec in items:
        x = t(x)
        shape = tuple(x._v.shape)
        spec = [spec] if isinstance(spec, (str, int)) and spec != "*" else list(spec)
        if spec and spec[0] == "*":
            spec = spec[1:]
            if len(shape) < len(spec):
                raise ValueError(f"{_head(message)}Tensor  must have rank at least "
                                 f"{len(spec)}.  Received rank {len(shape)}, shape {shape}")
            dims = shape[len(shape) - len(spec):]
        else:
            if len(shape) != len(spec):
                raise ValueError(f"{_head(message)}Tensor  must have rank {len(spec)}.  "
                                 f"Received rank {len(shape)}, shape {shape}")
            dims = shape
        for i, (want, have) in enumerate(zip(spec, dims)):
            if want is None or want == ".":
                continue
            if isinstance(want, int):
                size = want
                origin = None
            elif want in sizes:
                size, origin = sizes[want]
            else:
                sizes[want] = (have, (shape, x._dtype.name, i))
                continue
            if have != size:
                where = (f"Specified by tensor shape={origin[0]} dtype={origin[1]} dimension "
                         f"{origin[2]}.  " if origin else "Specified explicitly.  ")
                raise ValueError(f"{_head(message)}{where}Tensor shape={shape} dtype="
                                 f"{x._dtype.name} dimension {i} must have size {size}.  "
                                 f"Received size {have}, shape {shape}")


def is_numeric_tensor(tensor):
    return isinstance(tensor, TensorBase) and (tensor.dtype.is_floating or
                                               tensor.dtype.is_integer or
                                               tensor.dtype.is_complex)


# ---- switches ----------------------------------------------------------------------------------

def enable_traceback_filtering():
    """Show only the user's frames in tracebacks from tfx entry points (the default)."""
    import os
    os.environ.pop("TFX_FULL_TRACEBACK", None)


def disable_traceback_filtering():
    import os
    os.environ["TFX_FULL_TRACEBACK"] = "1"


def is_traceback_filtering_enabled():
    from ..diagnostics import full_traceback
    return not full_traceback()


_CHECK_NUMERICS = [False]


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Accepted so TensorFlow code runs, but tfx does not check every op's output yet: it
    warns once; call ``tfx.debugging.check_numerics`` on the tensors to check."""
    import warnings
    if not _CHECK_NUMERICS[0]:
        warnings.warn("tfx.debugging.enable_check_numerics: tfx does not check each op's "
                      "output yet; use tfx.debugging.check_numerics(tensor, message).",
                      stacklevel=2)
    _CHECK_NUMERICS[0] = True


def disable_check_numerics():
    _CHECK_NUMERICS[0] = False
