"""Elementwise math, reductions and casts, each op with its gradient beside it.

Binary and unary elementwise ops come from two factories so their dispatch path is identical
and short: a type check, a dtype identity check, one backend call, a wrap, one flag read.
"""
from .. import dtypes as _dt
from ..backend import xp
from ._core import (OPS, STATE, Tensor, dtype_error, op_error, pair, record, register, t,
                    wrap)

_new = object.__new__

_FLOATS = frozenset(d for d in _dt._ALL if d.is_floating)
_COMPLEX = frozenset(d for d in _dt._ALL if d.is_complex)
_INTS = frozenset(d for d in _dt._ALL if d.is_integer)
_NUMERIC = _FLOATS | _COMPLEX | _INTS
_REAL = _FLOATS | _INTS
_BOOL = frozenset([_dt.bool])
_INTBOOL = _INTS | _BOOL
_ANY = frozenset(_dt._ALL)


def _unsupported(api, d, allowed):
    from ..errors import InvalidArgumentError
    from ..diagnostics import describe_call
    where, expr = describe_call(api)
    kinds = sorted(x.name for x in allowed)
    msg = (f"{expr}: dtype {d.name} is not supported (supported: {', '.join(kinds)}).")
    if where:
        msg += f"\n  at {where}"
    return InvalidArgumentError(None, api, msg)


# ---- factories ---------------------------------------------------------------------------------

def _binary(name, fwd, api, allowed=_NUMERIC, out=None, grad=None):
    """A broadcasting binary op. ``out``: result dtype (None: the inputs' dtype)."""
    op = register(name, grad, api=api)

    def fn(x, y, name=None):
        if x.__class__ is Tensor and y.__class__ is Tensor:
            d = x._dtype
            if d is not y._dtype:
                raise dtype_error(api, x, y)
        else:
            x, y = pair(x, y, api)
            d = x._dtype
        if d not in allowed:
            raise _unsupported(api, d, allowed)
        try:
            v = fwd(x._v, y._v)
        except (ValueError, TypeError) as e:
            raise op_error(api, e, x, y) from None
        r = _new(Tensor)
        r._v = v
        r._dtype = d if out is None else out
        if STATE.recording:
            record(op, (x, y), (r,))
        return r

    fn.__name__ = name
    fn.op = op
    return fn


def _unary(name, fwd, api, allowed=_NUMERIC, out=None, grad=None):
    op = register(name, grad, api=api)

    def fn(x, name=None):
        if x.__class__ is not Tensor:
            x = t(x)
        d = x._dtype
        if d not in allowed:
            raise _unsupported(api, d, allowed)
        r = _new(Tensor)
        r._v = fwd(x._v)
        r._dtype = d if out is None else out
        if STATE.recording:
            record(op, (x,), (r,))
        return r

    fn.__name__ = name
    fn.op = op
    return fn


def _unb(g, shape):
    """Sum a broadcast gradient back to ``shape`` (the input's shape)."""
    gs = g._v.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gs[i + lead] != 1:
            axes.append(i + lead)
    r = reduce_sum(g, axes) if axes else g
    return reshape(r, shape) if r._v.shape != shape else r


# ---- binary arithmetic -------------------------------------------------------------------------

def _add_grad(node, g):
    x, y = node.inputs
    return _unb(g, x._v.shape), _unb(g, y._v.shape)


def _sub_grad(node, g):
    x, y = node.inputs
    return _unb(g, x._v.shape), _unb(negative(g), y._v.shape)


def _mul_grad(node, g):
    x, y = node.inputs
    return _unb(multiply(g, y), x._v.shape), _unb(multiply(g, x), y._v.shape)


def _div_grad(node, g):
    x, y = node.inputs
    gx = divide(g, y)
    return _unb(gx, x._v.shape), _unb(negative(multiply(gx, node.outputs[0])), y._v.shape)


def _pow_grad(node, g):
    x, y = node.inputs
    z = node.outputs[0]
    gx = multiply(g, multiply(y, pow(x, subtract(y, ones_like(y)))))
    safe = where(greater(x, zeros_like(x)), x, ones_like(x))
    gy = multiply(g, multiply(z, where(greater(x, zeros_like(x)), log(safe), zeros_like(x))))
    return _unb(gx, x._v.shape), _unb(gy, y._v.shape)


def _max_grad(node, g):
    x, y = node.inputs
    mask = greater_equal(x, y)
    z = zeros_like(g)
    return (_unb(where(mask, g, z), x._v.shape),
            _unb(where(mask, z, g), y._v.shape))


def _min_grad(node, g):
    x, y = node.inputs
    mask = less_equal(x, y)
    z = zeros_like(g)
    return (_unb(where(mask, g, z), x._v.shape),
            _unb(where(mask, z, g), y._v.shape))


def _no_grad2(node, g):
    return None, None


def _string_add(a, b):
    return a + b


add = _binary("add", xp.add, "+", _NUMERIC | {_dt.string}, grad=_add_grad)
subtract = _binary("subtract", xp.subtract, "-", grad=_sub_grad)
multiply = _binary("multiply", xp.multiply, "*", grad=_mul_grad)
_realdiv = _binary("realdiv", xp.true_divide, "/", _FLOATS | _COMPLEX, grad=_div_grad)
floordiv = _binary("floordiv", xp.floor_divide, "//", _REAL, grad=_no_grad2)
floormod = _binary("floormod", xp.mod, "%", _REAL, grad=None)
truncatemod = _binary("truncatemod", xp.fmod, "tfx.truncatemod", _REAL)
pow = _binary("pow", xp.power, "**", grad=_pow_grad)  # noqa: A001 - tf.pow
maximum = _binary("maximum", xp.maximum, "tfx.maximum", _REAL, grad=_max_grad)
minimum = _binary("minimum", xp.minimum, "tfx.minimum", _REAL, grad=_min_grad)
squared_difference = None  # defined below as a composite
mod = floormod


def _floormod_grad(node, g):
    x, y = node.inputs
    return _unb(g, x._v.shape), _unb(negative(multiply(g, floordiv(x, y))), y._v.shape)


OPS["floormod"].grad = _floormod_grad
OPS["floormod"].differentiable = True

_INT_TRUEDIV = {_dt.int8: _dt.float32, _dt.uint8: _dt.float32, _dt.int16: _dt.float32,
                _dt.uint16: _dt.float32, _dt.int32: _dt.float64, _dt.int64: _dt.float64,
                _dt.uint32: _dt.float64, _dt.uint64: _dt.float64}


def truediv(x, y, name=None):
    """x / y; integers are first cast to float (int32 -> float64) as TensorFlow does."""
    if x.__class__ is Tensor and y.__class__ is Tensor and x._dtype is y._dtype:
        d = x._dtype
    else:
        x, y = pair(x, y, "/")
        d = x._dtype
    fd = _INT_TRUEDIV.get(d)
    if fd is not None:
        x, y = cast(x, fd), cast(y, fd)
    return _realdiv(x, y)


divide = truediv
realdiv = _realdiv


def divide_no_nan(x, y, name=None):
    x, y = pair(x, y, "tfx.math.divide_no_nan")
    zero = zeros_like(y)
    safe = where(equal(y, zero), ones_like(y), y)
    return where(equal(y, zero), zeros_like(truediv(x, safe)), truediv(x, safe))


def squared_difference(x, y, name=None):  # noqa: F811
    d = subtract(x, y)
    return multiply(d, d)


# ---- comparisons and logic (no gradient: bool outputs cut the chain) ---------------------------

equal = _binary("equal", xp.equal, "==", _ANY, out=_dt.bool)
not_equal = _binary("not_equal", xp.not_equal, "!=", _ANY, out=_dt.bool)
less = _binary("less", xp.less, "<", _REAL, out=_dt.bool)
less_equal = _binary("less_equal", xp.less_equal, "<=", _REAL, out=_dt.bool)
greater = _binary("greater", xp.greater, ">", _REAL, out=_dt.bool)
greater_equal = _binary("greater_equal", xp.greater_equal, ">=", _REAL, out=_dt.bool)
logical_and = _binary("logical_and", xp.logical_and, "&", _BOOL)
logical_or = _binary("logical_or", xp.logical_or, "|", _BOOL)
logical_xor = _binary("logical_xor", xp.logical_xor, "^", _BOOL)
bitwise_and = _binary("bitwise_and", xp.bitwise_and, "tfx.bitwise.bitwise_and", _INTS)
bitwise_or = _binary("bitwise_or", xp.bitwise_or, "tfx.bitwise.bitwise_or", _INTS)
bitwise_xor = _binary("bitwise_xor", xp.bitwise_xor, "tfx.bitwise.bitwise_xor", _INTS)
logical_not = _unary("logical_not", xp.logical_not, "~", _BOOL)
invert = _unary("invert", xp.invert, "tfx.bitwise.invert", _INTS)
is_nan = _unary("is_nan", xp.isnan, "tfx.math.is_nan", _FLOATS, out=_dt.bool)
is_inf = _unary("is_inf", xp.isinf, "tfx.math.is_inf", _FLOATS, out=_dt.bool)
is_finite = _unary("is_finite", xp.isfinite, "tfx.math.is_finite", _FLOATS, out=_dt.bool)


def _and_op(x, y):
    return (logical_and if _dt_of(x, y) is _dt.bool else bitwise_and)(x, y)


def _or_op(x, y):
    return (logical_or if _dt_of(x, y) is _dt.bool else bitwise_or)(x, y)


def _xor_op(x, y):
    return (logical_xor if _dt_of(x, y) is _dt.bool else bitwise_xor)(x, y)


def _invert_op(x):
    return (logical_not if t(x)._dtype is _dt.bool else invert)(x)


def _dt_of(x, y):
    a = x if hasattr(x, "_dtype") else y
    return a._dtype if hasattr(a, "_dtype") else None


# ---- unary -------------------------------------------------------------------------------------

def _g(fn):
    """Gradient from a rule on (x, y=output, g)."""
    def grad(node, g):
        return (fn(node.inputs[0], node.outputs[0], g),)
    return grad


negative = _unary("negative", xp.negative, "-", grad=_g(lambda x, y, g: negative(g)))
abs = _unary("abs", xp.abs, "tfx.abs",  # noqa: A001
             grad=_g(lambda x, y, g: multiply(g, sign(x))))
sign = _unary("sign", xp.sign, "tfx.sign", grad=_g(lambda x, y, g: zeros_like(g)))
square = _unary("square", xp.square, "tfx.square",
                grad=_g(lambda x, y, g: multiply(g, multiply(x, _c(2, x)))))
sqrt = _unary("sqrt", xp.sqrt, "tfx.sqrt", _FLOATS | _COMPLEX,
              grad=_g(lambda x, y, g: divide(g, multiply(y, _c(2, y)))))
rsqrt = _unary("rsqrt", lambda a: 1 / xp.sqrt(a), "tfx.math.rsqrt", _FLOATS,
               grad=_g(lambda x, y, g: multiply(g, multiply(_c(-0.5, y), multiply(y, square(y))))))
exp = _unary("exp", xp.exp, "tfx.exp", _FLOATS | _COMPLEX,
             grad=_g(lambda x, y, g: multiply(g, y)))
expm1 = _unary("expm1", xp.expm1, "tfx.math.expm1", _FLOATS | _COMPLEX,
               grad=_g(lambda x, y, g: multiply(g, add(y, _c(1, y)))))
log = _unary("log", xp.log, "tfx.math.log", _FLOATS | _COMPLEX,
             grad=_g(lambda x, y, g: divide(g, x)))
log1p = _unary("log1p", xp.log1p, "tfx.math.log1p", _FLOATS | _COMPLEX,
               grad=_g(lambda x, y, g: divide(g, add(x, _c(1, x)))))
sin = _unary("sin", xp.sin, "tfx.sin", _FLOATS | _COMPLEX,
             grad=_g(lambda x, y, g: multiply(g, cos(x))))
cos = _unary("cos", xp.cos, "tfx.cos", _FLOATS | _COMPLEX,
             grad=_g(lambda x, y, g: negative(multiply(g, sin(x)))))
tan = _unary("tan", xp.tan, "tfx.tan", _FLOATS | _COMPLEX,
             grad=_g(lambda x, y, g: multiply(g, add(_c(1, y), square(y)))))
tanh = _unary("tanh", xp.tanh, "tfx.tanh", _FLOATS | _COMPLEX,
              grad=_g(lambda x, y, g: multiply(g, subtract(_c(1, y), square(y)))))
reciprocal = _unary("reciprocal", xp.reciprocal, "tfx.math.reciprocal", _FLOATS | _COMPLEX,
                    grad=_g(lambda x, y, g: negative(multiply(g, square(y)))))
floor = _unary("floor", xp.floor, "tfx.floor", _FLOATS, grad=_g(lambda x, y, g: zeros_like(g)))
ceil = _unary("ceil", xp.ceil, "tfx.math.ceil", _FLOATS, grad=_g(lambda x, y, g: zeros_like(g)))
round = _unary("round", xp.round, "tfx.round", _REAL,  # noqa: A001 - banker's, as TF
               grad=_g(lambda x, y, g: zeros_like(g)))


def _sigmoid_fwd(a):
    # exp(-|a|) never overflows, so large |a| gives exactly 0 or 1 without warnings.
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


sigmoid = _unary("sigmoid", _sigmoid_fwd, "tfx.sigmoid", _FLOATS | _COMPLEX,
                 grad=_g(lambda x, y, g: multiply(g, multiply(y, subtract(_c(1, y), y)))))


def _softplus_fwd(a):
    return (xp.logaddexp(0, a)).astype(a.dtype, copy=False)


softplus = _unary("softplus", _softplus_fwd, "tfx.math.softplus", _FLOATS,
                  grad=_g(lambda x, y, g: multiply(g, sigmoid(x))))


def _erf_fwd(a):
    from ..backend import kernels
    return kernels.erf(a)


erf = _unary("erf", _erf_fwd, "tfx.math.erf", _FLOATS,
             grad=_g(lambda x, y, g: multiply(
                 g, multiply(_c(1.1283791670955126, x), exp(negative(square(x)))))))


def _c(value, like):
    """A scalar constant in ``like``'s dtype (never recorded: constants carry no gradient)."""
    return wrap(xp.asarray(value, dtype=like._dtype._np), like._dtype)


# ---- selection, clipping, casting --------------------------------------------------------------

_where_op = register("where", api="tfx.where")


def _where_grad(node, g):
    c, x, y = node.inputs
    z = zeros_like(g)
    return None, _unb(where(c, g, z), x._v.shape), _unb(where(c, z, g), y._v.shape)


_where_op.grad = _where_grad
_where_op.differentiable = True


def where(condition, x=None, y=None, name=None):
    """Elementwise ``condition ? x : y`` with broadcasting; with only ``condition``, the
    coordinates of its true elements (int64, shape [n, rank])."""
    c = t(condition)
    if x is None and y is None:
        return wrap(xp.argwhere(c._v).astype(xp.int64), _dt.int64)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    if c._dtype is not _dt.bool:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tfx.where",
                                   f"tfx.where: condition must be bool, got {c._dtype.name}")
    x, y = pair(x, y, "tfx.where")
    try:
        v = xp.where(c._v, x._v, y._v)
    except ValueError as e:
        raise op_error("tfx.where", e, c, x, y) from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_where_op, (c, x, y), (r,))
    return r


def clip_by_value(t_, clip_value_min, clip_value_max, name=None):
    x = t(t_)
    lo = t(clip_value_min, x._dtype) if not hasattr(clip_value_min, "_dtype") else clip_value_min
    hi = t(clip_value_max, x._dtype) if not hasattr(clip_value_max, "_dtype") else clip_value_max
    return minimum(maximum(x, lo), hi)


_cast_op = register("cast", api="tfx.cast")


def _cast_grad(node, g):
    x = node.inputs[0]
    if not x._dtype.is_differentiable:
        return (None,)
    return (cast(g, x._dtype),)


_cast_op.grad = _cast_grad
_cast_op.differentiable = True


def cast(x, dtype, name=None):
    """Cast to ``dtype``. Floats to ints truncate toward zero, as TensorFlow does."""
    d = _dt.as_dtype(dtype)
    x = t(x)
    if x._dtype is d:
        return x
    if d is _dt.string or x._dtype is _dt.string:
        raise TypeError(f"Cannot cast a {x._dtype.name} tensor to {d.name}; use "
                        "tfx.strings.as_string / tfx.strings.to_number.")
    v = x._v
    if x._dtype.is_complex and not d.is_complex:
        v = v.real
    r = wrap(v.astype(d._np), d)
    if STATE.recording and d.is_differentiable:
        record(_cast_op, (x,), (r,))
    return r


def saturate_cast(value, dtype, name=None):
    d = _dt.as_dtype(dtype)
    x = t(value)
    if d.is_integer or d.is_floating:
        lo, hi = d.min, d.max
        if x._dtype.is_floating or x._dtype.is_integer:
            lo = max(lo, x._dtype.min)
            hi = min(hi, x._dtype.max)
        x = clip_by_value(x, lo, hi)
    return cast(x, d)


def add_n(inputs, name=None):
    inputs = [t(i) for i in inputs]
    if not inputs:
        raise ValueError("inputs must be a non-empty list")
    r = inputs[0]
    for i in inputs[1:]:
        r = add(r, i)
    return r


def scalar_mul(scalar, x, name=None):
    return multiply(x, scalar)


# ---- reductions --------------------------------------------------------------------------------

def _axes(axis, ndim):
    """Normalize ``axis`` (None, int, list, tensor) to a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if hasattr(axis, "_v"):
        axis = axis._v.tolist()
    if isinstance(axis, (list, tuple)):
        out = []
        for a in axis:
            a = int(a)
            if not -ndim <= a < max(ndim, 1):
                raise _axis_error(a, ndim)
            out.append(a % ndim if ndim else 0)
        return tuple(sorted(set(out)))
    a = int(axis)
    if not -ndim <= a < max(ndim, 1):
        raise _axis_error(a, ndim)
    return (a % ndim if ndim else 0,)


def _axis_error(a, ndim):
    from ..errors import InvalidArgumentError
    return InvalidArgumentError(None, None, f"Invalid reduction dimension {a} for input with "
                                            f"{ndim} dimensions.")


def _keep_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _reduce(name, fwd, api, allowed, grad):
    op = register(name, grad, api=api)

    def fn(input_tensor, axis=None, keepdims=False, name=None):
        x = t(input_tensor)
        if x._dtype not in allowed:
            raise _unsupported(api, x._dtype, allowed)
        axes = _axes(axis, x._v.ndim)
        v = fwd(x._v, axes, keepdims)
        r = wrap(xp.asarray(v) if not hasattr(v, "dtype") else v, x._dtype)
        if STATE.recording:
            record(op, (x,), (r,), (axes, keepdims))
        return r

    fn.__name__ = name
    fn.op = op
    return fn


def _bcast_back(g, node):
    """Broadcast a reduction's upstream gradient back to the input's shape."""
    x = node.inputs[0]
    axes, keepdims = node.attrs
    if not keepdims:
        g = reshape(g, _keep_shape(x._v.shape, axes))
    return broadcast_to(g, x._v.shape)


def _sum_grad(node, g):
    return (_bcast_back(g, node),)


def _mean_grad(node, g):
    x = node.inputs[0]
    axes = node.attrs[0]
    n = 1
    for a in axes:
        n *= x._v.shape[a]
    return (divide(_bcast_back(g, node), _c(max(n, 1), g)),)


def _extreme_grad(node, g):
    x = node.inputs[0]
    axes, keepdims = node.attrs
    y = node.outputs[0]
    if not keepdims:
        y = reshape(y, _keep_shape(x._v.shape, axes))
    mask = cast(equal(x, y), x._dtype)
    count = reduce_sum(mask, list(axes), keepdims=True)
    return (multiply(_bcast_back(g, node), divide(mask, count)),)


def _prod_grad(node, g):
    x = node.inputs[0]
    axes, keepdims = node.attrs
    y = node.outputs[0]
    if not keepdims:
        y = reshape(y, _keep_shape(x._v.shape, axes))
    # prod/x, with the product of the others where x == 0 (exact for a single zero).
    nz = not_equal(x, zeros_like(x))
    safe = where(nz, x, ones_like(x))
    others = reduce_prod(safe, list(axes), keepdims=True)
    zeros = reduce_sum(cast(logical_not(nz), x._dtype), list(axes), keepdims=True)
    full = where(nz, divide(broadcast_to(y, x._v.shape), safe),
                 where(equal(broadcast_to(zeros, x._v.shape), ones_like(x)),
                       broadcast_to(others, x._v.shape), zeros_like(x)))
    return (multiply(_bcast_back(g, node), full),)


def _np_reduce(f):
    return lambda v, axes, keepdims: f(v, axis=axes, keepdims=keepdims)


reduce_sum = _reduce("reduce_sum", _np_reduce(xp.sum), "tfx.reduce_sum", _NUMERIC, _sum_grad)
reduce_mean = _reduce("reduce_mean", lambda v, a, k: _mean_fwd(v, a, k), "tfx.reduce_mean",
                      _NUMERIC, _mean_grad)
reduce_max = _reduce("reduce_max", _np_reduce(xp.max), "tfx.reduce_max", _REAL, _extreme_grad)
reduce_min = _reduce("reduce_min", _np_reduce(xp.min), "tfx.reduce_min", _REAL, _extreme_grad)
reduce_prod = _reduce("reduce_prod", _np_reduce(xp.prod), "tfx.reduce_prod", _NUMERIC,
                      _prod_grad)
_reduce_all = _reduce("reduce_all", _np_reduce(xp.all), "tfx.reduce_all", _BOOL, None)
_reduce_any = _reduce("reduce_any", _np_reduce(xp.any), "tfx.reduce_any", _BOOL, None)


def _mean_fwd(v, axes, keepdims):
    if v.dtype.kind in "iu":  # integer mean truncates, as TF's
        n = 1
        for a in axes:
            n *= v.shape[a]
        return (xp.sum(v, axis=axes, keepdims=keepdims) // max(n, 1)).astype(v.dtype)
    return xp.mean(v, axis=axes, keepdims=keepdims).astype(v.dtype, copy=False)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce_all(input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce_any(input_tensor, axis, keepdims)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    x = t(input_tensor)
    m = reduce_mean(x, axis, keepdims=True)
    return reduce_mean(square(subtract(x, m)), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    from .array_ops import stop_gradient
    x = t(input_tensor)
    m = stop_gradient(reduce_max(x, axis, keepdims=True))
    m = where(is_finite(m), m, zeros_like(m))
    r = add(log(reduce_sum(exp(subtract(x, m)), axis, keepdims=True)), m)
    if not keepdims:
        r = reshape(r, tuple(s for i, s in enumerate(r._v.shape)
                             if i not in _axes(axis, x._v.ndim)))
    return r


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    return sqrt(reduce_sum(square(input_tensor), axis, keepdims))


def count_nonzero(input, axis=None, keepdims=False, dtype=_dt.int64, name=None):  # noqa: A002
    x = t(input)
    nz = xp.count_nonzero(x._v, axis=_axes(axis, x._v.ndim), keepdims=keepdims)
    return wrap(xp.asarray(nz).astype(_dt.as_dtype(dtype)._np), _dt.as_dtype(dtype))


def _arg(fn, api):
    def f(input, axis=None, output_type=_dt.int64, name=None):  # noqa: A002
        x = t(input)
        if x._dtype not in _REAL | _BOOL:
            raise _unsupported(api, x._dtype, _REAL)
        a = 0 if axis is None else _axes(axis, x._v.ndim)[0]
        d = _dt.as_dtype(output_type)
        return wrap(xp.asarray(fn(x._v, axis=a)).astype(d._np), d)
    f.__name__ = api.rsplit(".", 1)[-1]
    return f


argmax = _arg(xp.argmax, "tfx.argmax")
argmin = _arg(xp.argmin, "tfx.argmin")

_cumsum_op = register("cumsum", api="tfx.cumsum")


def _cumsum_grad(node, g):
    axis, exclusive, reverse = node.attrs
    return (cumsum(g, axis, exclusive=exclusive, reverse=not reverse),)


_cumsum_op.grad = _cumsum_grad
_cumsum_op.differentiable = True


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    x = t(x)
    a = _axes(axis, x._v.ndim)[0]
    v = x._v
    if reverse:
        v = xp.flip(v, a)
    c = xp.cumsum(v, axis=a, dtype=v.dtype)
    if exclusive:
        c = xp.concatenate([xp.zeros_like(xp.take(c, [0], axis=a)),
                            xp.take(c, range(c.shape[a] - 1), axis=a)], axis=a)
    if reverse:
        c = xp.flip(c, a)
    r = wrap(xp.ascontiguousarray(c), x._dtype)
    if STATE.recording:
        record(_cumsum_op, (x,), (r,), (a, exclusive, reverse))
    return r


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product, as exp(cumsum(log)) on magnitudes with signs kept (differentiable)."""
    x = t(x)
    a = _axes(axis, x._v.ndim)[0]
    if not x._dtype.is_floating:
        v = x._v
        if reverse:
            v = xp.flip(v, a)
        c = xp.cumprod(v, axis=a, dtype=v.dtype)
        if reverse:
            c = xp.flip(c, a)
        return wrap(xp.ascontiguousarray(c), x._dtype)
    from .array_ops import concat, reverse as _rev, slice_axis
    y = _rev(x, [a]) if reverse else x
    parts = []
    acc = None
    n = y._v.shape[a]
    for i in range(n):
        s = slice_axis(y, a, i, i + 1)
        if exclusive:
            parts.append(ones_like(s) if acc is None else acc)
            acc = s if acc is None else multiply(acc, s)
        else:
            acc = s if acc is None else multiply(acc, s)
            parts.append(acc)
    r = concat(parts, a) if parts else y
    return _rev(r, [a]) if reverse else r


# Late imports: array_ops builds on math_ops, and these helpers close the loop.
from .array_ops import broadcast_to, ones_like, reshape, zeros_like  # noqa: E402
