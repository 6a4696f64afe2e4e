"""Elementwise math, reductions and casts, each op with its gradient beside it.

Binary and unary elementwise ops come from two factories so their dispatch path is identical
and short: a type check, a dtype identity check, one backend call, a wrap, one flag read.
"""
from .. import dtypes as _dt
from ..backend import gpu, xp
from ..core.device import host_scalar_joins
from ..errors import InvalidArgumentError
from ._core import STATE, Tensor, dtype_error, op_error, pair, record, register, t, wrap

_new = object.__new__

_FLOATS = frozenset(d for d in _dt._ALL if d.is_floating)
_COMPLEX = frozenset(d for d in _dt._ALL if d.is_complex)
_INTS = frozenset(d for d in _dt._ALL if d.is_integer)
_SIGNED = _FLOATS | frozenset(d for d in _INTS if not d.is_unsigned)
_NUMERIC = _FLOATS | _COMPLEX | _INTS
_REAL = _FLOATS | _INTS
_BOOL = frozenset([_dt.bool])
_INTBOOL = _INTS | _BOOL
_ANY = frozenset(_dt._ALL)


def _unsupported(api, d, allowed):
    from ..diagnostics import describe_call
    where, expr = describe_call(api)
    kinds = sorted(x.name for x in allowed)
    msg = (f"{expr}: dtype {d.name} is not supported (supported: {', '.join(kinds)}).")
    if where:
        msg += f"\n  at {where}"
    return InvalidArgumentError(None, api, msg)


def _user_api(api, opname):
    """For an error: the op as the user wrote it, operator (``a + b``) or call (``tfx.add``)."""
    if api.startswith("tfx."):
        return api
    from ..diagnostics import describe_call
    loc, expr = describe_call(api)
    return f"tfx.{opname}" if loc and expr.startswith("operator") else api


_t = t  # for ops whose TensorFlow argument is called ``t``


# ---- factories ---------------------------------------------------------------------------------

def _binary(name, fwd, api, allowed=_NUMERIC, out=None, grad=None, other=None, forward=None):
    """A broadcasting binary op. ``out``: result dtype (None: the inputs' dtype).

    ``other(x, y)`` handles dtypes outside ``allowed`` (strings for ``+``) off the hot path.
    """
    op = register(name, grad, api=api,
                  forward=forward or (lambda ins, attrs: (fwd(ins[0], ins[1]),)))
    op.kernel = fwd
    opname = name  # ``name`` below is TensorFlow's unused op-name argument

    def fn(x, y, name=None):
        if x.__class__ is Tensor and y.__class__ is Tensor:
            d = x._dtype
            if d is not y._dtype:
                raise dtype_error(_user_api(api, opname), x, y)
        else:
            try:
                x, y = pair(x, y, api)
            except InvalidArgumentError:  # again, naming the op as the user wrote it
                x, y = pair(x, y, _user_api(api, opname))
            d = x._dtype
        if d not in allowed:
            if other is not None:
                return other(x, y)
            raise _unsupported(_user_api(api, opname), d, allowed)
        try:
            v = fwd(x._v, y._v)
        except (ValueError, TypeError) as e:
            joined = host_scalar_joins(x._v, y._v)  # a host 0-d operand of a GPU op
            if joined is None:
                raise op_error(_user_api(api, opname), e, x, y) from None
            v = fwd(*joined)
        r = _new(Tensor)
        r._v = v
        r._dtype = d if out is None else out
        if STATE.recording:
            record(op, (x, y), (r,))
        return r

    fn.__name__ = name
    fn.op = op
    return fn


def _unary(name, fwd, api, allowed=_NUMERIC, out=None, grad=None, other=None):
    op = register(name, grad, api=api, forward=lambda ins, attrs: (fwd(ins[0]),))
    op.kernel = fwd
    opname = name

    def fn(x, name=None):
        if x.__class__ is not Tensor:
            x = t(x)
        d = x._dtype
        if d not in allowed:
            if other is not None:
                return other(x)
            raise _unsupported(_user_api(api, opname), d, allowed)
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


def _holomorphic(grad):
    """A gradient rule written as g * f'(z), given TensorFlow's complex convention
    g * conj(f'(z)) for complex inputs (real inputs pay one dtype check)."""
    complex_ = _COMPLEX

    def wrapped(node, g):  # elementwise ops have one output
        if node.inputs[-1]._dtype not in complex_:
            return grad(node, g)
        out = grad(node, conj(g))
        return tuple(None if r is None else conj(r) for r in out)
    return wrapped


@_holomorphic
def _mul_grad(node, g):
    x, y = node.inputs
    return _unb(multiply(g, y), x._v.shape), _unb(multiply(g, x), y._v.shape)


@_holomorphic
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


def _int_div_checked(f):
    """An integer ``//`` or ``%`` that fails on a zero divisor, as TensorFlow's kernels do."""
    def fwd(a, b):
        if a.dtype.kind in "iu" and not xp.all(b):
            raise ValueError("Integer division by zero")
        return f(a, b)
    return fwd


def _truncdiv_fwd(a, b):
    if a.dtype.kind in "iu":
        if not xp.all(b):
            raise ValueError("Integer division by zero")
        q = xp.abs(a) // xp.abs(b)
        return xp.where((a < 0) != (b < 0), -q, q).astype(a.dtype, copy=False)
    return xp.trunc(a / b)


def _add_forward(ins, attrs):
    v = xp.add(ins[0], ins[1])
    # NumPy adds 0-d object arrays to a bare ``bytes``; keep an array (attrs: "string").
    return (v,) if attrs is None else (xp.asarray(v, dtype=object),)


def _string_add(x, y):
    if x._dtype is not _dt.string:
        raise _unsupported("+", x._dtype, _NUMERIC | {_dt.string})
    r = wrap(_add_forward((x._v, y._v), "string")[0], _dt.string)
    if STATE.recording:
        record(add.op, (x, y), (r,), "string")
    return r


def _floormod_grad(node, g):
    x, y = node.inputs
    return _unb(g, x._v.shape), _unb(negative(multiply(g, floordiv(x, y))), y._v.shape)


add = _binary("add", xp.add, "+", grad=_add_grad, other=_string_add, forward=_add_forward)
subtract = _binary("subtract", xp.subtract, "-", grad=_sub_grad)
# TensorFlow's Mul has a bool kernel (logical and); its other arithmetic rejects bool.
multiply = _binary("multiply", xp.multiply, "*", _NUMERIC | _BOOL, grad=_mul_grad)
_realdiv = _binary("realdiv", xp.true_divide, "/", _FLOATS | _COMPLEX, grad=_div_grad)
# FloorDiv, TruncateDiv and TruncateMod have no gradient in TensorFlow: they cut the chain.
floordiv = _binary("floordiv", _int_div_checked(xp.floor_divide), "//", _REAL)
floormod = _binary("floormod", _int_div_checked(xp.mod), "%", _REAL, grad=_floormod_grad)
truncatediv = _binary("truncatediv", _truncdiv_fwd, "tfx.truncatediv", _REAL)
truncatemod = _binary("truncatemod", _int_div_checked(xp.fmod), "tfx.truncatemod", _REAL)
pow = _binary("pow", xp.power, "**", grad=_pow_grad)  # noqa: A001 - tf.pow
maximum = _binary("maximum", xp.maximum, "tfx.maximum", _REAL, grad=_max_grad)
minimum = _binary("minimum", xp.minimum, "tfx.minimum", _REAL, grad=_min_grad)
mod = floormod

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


def squared_difference(x, y, name=None):
    d = subtract(x, y)
    if d._dtype.is_complex:  # |x - y|² as TensorFlow, in the complex dtype
        return multiply(d, conj(d))
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
logical_xor.__defaults__ = ("LogicalXor",)  # TensorFlow's default op name (unused here)
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
    """Gradient from a rule on (x, y=output, g), written g * f'(x) (see ``_holomorphic``)."""
    def grad(node, g):
        return (fn(node.inputs[0], node.outputs[0], g),)
    return _holomorphic(grad)


# ---- complex parts -----------------------------------------------------------------------------

_C2R = {_dt.complex64: _dt.float32, _dt.complex128: _dt.float64}
_R2C = {_dt.float32: _dt.complex64, _dt.float64: _dt.complex128}


def _complex_fwd(ins, attrs):
    re, im = ins
    return (xp.asarray(re + 1j * im, dtype=xp.result_type(re.dtype, xp.complex64)),)


_conj_op = register("conj", lambda node, g: (conj(g),), api="tfx.math.conj",
                    forward=lambda ins, attrs: (xp.conj(ins[0]),))
_real_op = register("real", lambda node, g: (cast(g, node.inputs[0]._dtype),),
                    api="tfx.math.real", forward=lambda ins, attrs: (xp.array(xp.real(ins[0])),))
_imag_op = register("imag", lambda node, g: (multiply(cast(g, node.inputs[0]._dtype),
                                                      _c(1j, node.inputs[0])),),
                    api="tfx.math.imag", forward=lambda ins, attrs: (xp.array(xp.imag(ins[0])),))
_complex_op = register("complex", lambda node, g: (_unb(real(g), node.inputs[0]._v.shape),
                                                   _unb(imag(g), node.inputs[1]._v.shape)),
                       api="tfx.complex", forward=_complex_fwd)


def _part(op, f, x):
    r = wrap(op.forward((x._v,), None)[0], _C2R[x._dtype])
    if STATE.recording:
        record(op, (x,), (r,))
    return r


def conj(x, name=None):
    """Complex conjugate; a real tensor is returned unchanged."""
    x = t(x)
    if x._dtype not in _COMPLEX:
        if x._dtype not in _NUMERIC:
            raise _unsupported("tfx.math.conj", x._dtype, _NUMERIC)
        return x
    r = wrap(xp.conj(x._v), x._dtype)
    if STATE.recording:
        record(_conj_op, (x,), (r,))
    return r


def real(input, name=None):  # noqa: A002
    """The real part (float32 for complex64); a real tensor is returned unchanged."""
    x = t(input)
    return _part(_real_op, xp.real, x) if x._dtype in _COMPLEX else x


def imag(input, name=None):  # noqa: A002
    """The imaginary part; zeros for a real tensor."""
    x = t(input)
    return _part(_imag_op, xp.imag, x) if x._dtype in _COMPLEX else zeros_like(x)


def complex(real, imag, name=None):  # noqa: A001 - tf.complex
    """real + 1j * imag: float32 pairs give complex64, float64 pairs complex128."""
    re, im = pair(real, imag, "tfx.complex")
    d = _R2C.get(re._dtype)
    if d is None:
        raise _unsupported("tfx.complex", re._dtype, frozenset(_R2C))
    r = wrap(_complex_fwd((re._v, im._v), None)[0], d)
    if STATE.recording:
        record(_complex_op, (re, im), (r,))
    return r


negative = _unary("negative", xp.negative, "-", grad=_g(lambda x, y, g: negative(g)))
_complex_abs_op = register("complex_abs", api="tfx.abs",
                           forward=lambda ins, attrs: (xp.abs(ins[0]),))


def _complex_abs_grad(node, g):
    # TensorFlow's ComplexAbs gradient: g * x / |x|, as a complex number (0 where x == 0).
    x, y = node.inputs[0], node.outputs[0]
    return (divide_no_nan(multiply(cast(g, x._dtype), x), cast(y, x._dtype)),)


_complex_abs_op.grad = _complex_abs_grad
_complex_abs_op.differentiable = True


def _complex_abs(x):
    if x._dtype not in _COMPLEX:
        raise _unsupported("tfx.abs", x._dtype, _SIGNED | _COMPLEX)
    r = wrap(xp.abs(x._v), x._dtype.real_dtype)
    if STATE.recording:
        record(_complex_abs_op, (x,), (r,))
    return r


abs = _unary("abs", xp.abs, "tfx.abs", _SIGNED,  # noqa: A001 - |complex| is real: off the fast path
             grad=_g(lambda x, y, g: multiply(g, sign(x))), other=_complex_abs)
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
rint = _unary("rint", xp.rint, "tfx.math.rint", _FLOATS, grad=_g(lambda x, y, g: zeros_like(g)))

# Inverse trigonometric and hyperbolic functions; gradients as TensorFlow's math_grad.
_FC = _FLOATS | _COMPLEX
asin = _unary("asin", xp.arcsin, "tfx.math.asin", _FC,
              grad=_g(lambda x, y, g: multiply(g, rsqrt(subtract(_c(1, x), square(x))))))
acos = _unary("acos", xp.arccos, "tfx.math.acos", _FC,
              grad=_g(lambda x, y, g: negative(multiply(g, rsqrt(subtract(_c(1, x),
                                                                          square(x)))))))
atan = _unary("atan", xp.arctan, "tfx.math.atan", _FC,
              grad=_g(lambda x, y, g: divide(g, add(_c(1, x), square(x)))))
sinh = _unary("sinh", xp.sinh, "tfx.math.sinh", _FC,
              grad=_g(lambda x, y, g: multiply(g, cosh(x))))
cosh = _unary("cosh", xp.cosh, "tfx.math.cosh", _FC,
              grad=_g(lambda x, y, g: multiply(g, sinh(x))))
asinh = _unary("asinh", xp.arcsinh, "tfx.math.asinh", _FC,
               grad=_g(lambda x, y, g: divide(g, cosh(y))))
acosh = _unary("acosh", xp.arccosh, "tfx.math.acosh", _FC,
               grad=_g(lambda x, y, g: divide(g, sinh(y))))
atanh = _unary("atanh", xp.arctanh, "tfx.math.atanh", _FC,
               grad=_g(lambda x, y, g: divide(g, subtract(_c(1, x), square(x)))))


def _atan2_grad(node, g):
    y, x = node.inputs
    k = divide(g, add(square(x), square(y)))
    return _unb(multiply(x, k), y._v.shape), _unb(negative(multiply(y, k)), x._v.shape)


_atan2 = _binary("atan2", xp.arctan2, "tfx.math.atan2", _FLOATS, grad=_atan2_grad)


def atan2(y, x, name=None):
    """The angle of the point (x, y): arctan(y / x) in the right quadrant."""
    return _atan2(y, x)


atan2.op = _atan2.op


def _sigmoid_fwd(a):
    if a.dtype.kind == "c":
        return 1 / (1 + xp.exp(-a))
    # exp(-|a|) never overflows, so large |a| gives exactly 0 or 1 without warnings.
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


sigmoid = _unary("sigmoid", _sigmoid_fwd, "tfx.sigmoid", _FLOATS | _COMPLEX,
                 grad=_g(lambda x, y, g: multiply(g, multiply(y, subtract(_c(1, y), y)))))


def _softplus_fwd(a):
    return (xp.logaddexp(0, a)).astype(a.dtype, copy=False)


_softplus = _unary("softplus", _softplus_fwd, "tfx.math.softplus", _FLOATS,
                   grad=_g(lambda x, y, g: multiply(g, sigmoid(x))))


def softplus(features, name=None):
    """log(exp(features) + 1), without overflow."""
    return _softplus(features)


softplus.op = _softplus.op


def _erf_fwd(a):
    from ..backend import kernels
    return kernels.erf(a)


erf = _unary("erf", _erf_fwd, "tfx.math.erf", _FLOATS,
             grad=_g(lambda x, y, g: multiply(
                 g, multiply(_c(1.1283791670955126, x), exp(negative(square(x)))))))


def _c(value, like):
    """A scalar constant in ``like``'s dtype (never recorded: constants carry no gradient)."""
    v = xp.asarray(value, dtype=like._dtype._np)
    if like._v.__class__ is not v.__class__:  # a GPU operand: a NumPy scalar joins any device
        v = v[()]
    return wrap(v, like._dtype)


# ---- selection, clipping, casting --------------------------------------------------------------

_where_op = register("where", api="tfx.where",
                     forward=lambda ins, attrs: (xp.where(ins[0], ins[1], ins[2]),))
# The coordinates of true elements: no gradient (integer output).
_where_indices_op = register("where_indices", api="tfx.where", forward=lambda ins, attrs: (
    xp.argwhere(ins[0]).astype(xp.int64),))


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
        r = wrap(_where_indices_op.forward((c._v,), None)[0], _dt.int64)
        if STATE.recording:
            record(_where_indices_op, (c,), (r,))
        return r
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    if c._dtype is not _dt.bool:
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


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    x = _t(t)
    lo = _t(clip_value_min, x._dtype) if not hasattr(clip_value_min, "_dtype") else clip_value_min
    hi = _t(clip_value_max, x._dtype) if not hasattr(clip_value_max, "_dtype") else clip_value_max
    # min first, then max: TensorFlow's order, so lo > hi gives lo everywhere.
    return maximum(minimum(x, hi), lo)


def _cast_fwd(ins, d):
    v = ins[0]
    if v.dtype.kind == "c" and not d.is_complex:
        v = v.real
    return (v.astype(d._np),)


_cast_op = register("cast", api="tfx.cast", forward=_cast_fwd)


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
    r = wrap(_cast_fwd((x._v,), d)[0], d)
    if STATE.recording:  # a cast to an integer is recorded too: it cuts the chain visibly
        record(_cast_op, (x,), (r,), d)
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
    if not isinstance(axis, (list, tuple)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise _axis_error(f"Invalid reduction dimension {a} for input with {ndim} "
                              "dimension(s)")
        a %= ndim
        if a in out:
            raise _axis_error(f"Invalid reduction arguments: Axes contains duplicate "
                              f"dimension: {a}")
        out.append(a)
    return tuple(sorted(out))


def _axis_error(msg):
    return InvalidArgumentError(None, None, msg)


def _keep_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _reduce(name, fwd, api, allowed, grad):
    op = register(name, grad, api=api,
                  forward=lambda ins, attrs: (fwd(ins[0], attrs[0], attrs[1]),))

    def fn(input_tensor, axis=None, keepdims=False, name=None):
        x = t(input_tensor)
        if x._dtype not in allowed:
            raise _unsupported(api, x._dtype, allowed)
        axes = _axes(axis, x._v.ndim)
        v = fwd(x._v, axes, bool(keepdims))
        r = wrap(v, x._dtype)
        if STATE.recording:
            record(op, (x,), (r,), (axes, bool(keepdims)))
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
    # Ties share the gradient equally, as TensorFlow's Max/Min gradient does.
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


def _sum_fwd(v, axes, keepdims):
    # dtype=: NumPy would widen small ints to int64; TensorFlow keeps the dtype (and wraps).
    if v.dtype == xp.float16:  # accumulate half precision in float32, as TensorFlow does
        return xp.asarray(xp.sum(v, axis=axes, keepdims=keepdims, dtype=xp.float32)
                          ).astype(v.dtype)
    return xp.asarray(xp.sum(v, axis=axes, keepdims=keepdims, dtype=v.dtype))


def _prod_fwd(v, axes, keepdims):
    return xp.asarray(xp.prod(v, axis=axes, keepdims=keepdims, dtype=v.dtype))


def _mean_fwd(v, axes, keepdims):
    if v.dtype.kind in "iu":
        n = 1
        for a in axes:
            n *= v.shape[a]
        s = xp.sum(v, axis=axes, keepdims=keepdims)  # a wide accumulator: no overflow
        q = xp.abs(s) // max(n, 1)
        return xp.asarray(xp.where(s < 0, -q, q)).astype(v.dtype)  # truncates toward 0, as TF
    if v.size == 0:  # NaN, as TensorFlow, without NumPy's "mean of empty slice" warning
        shape = _keep_shape(v.shape, axes) if keepdims else tuple(
            s for i, s in enumerate(v.shape) if i not in axes)
        return xp.full(shape, xp.nan, dtype=v.dtype)
    return xp.asarray(xp.mean(v, axis=axes, keepdims=keepdims)).astype(v.dtype, copy=False)


def _extreme_fwd(f, lowest):
    def fwd(v, axes, keepdims):
        if v.size == 0:  # the reduction's identity, as TensorFlow gives (NumPy raises)
            shape = _keep_shape(v.shape, axes) if keepdims else tuple(
                s for i, s in enumerate(v.shape) if i not in axes)
            if v.dtype.kind == "f":
                fill = -xp.inf if lowest else xp.inf
            else:
                info = xp.iinfo(v.dtype)
                fill = info.min if lowest else info.max
            return xp.full(shape, fill, dtype=v.dtype)
        return xp.asarray(f(v, axis=axes, keepdims=keepdims))
    return fwd


def _bool_fwd(f):
    return lambda v, axes, keepdims: xp.asarray(f(v, axis=axes, keepdims=keepdims))


reduce_sum = _reduce("reduce_sum", _sum_fwd, "tfx.reduce_sum", _NUMERIC, _sum_grad)
reduce_mean = _reduce("reduce_mean", _mean_fwd, "tfx.reduce_mean", _NUMERIC, _mean_grad)
reduce_max = _reduce("reduce_max", _extreme_fwd(xp.max, True), "tfx.reduce_max", _REAL,
                     _extreme_grad)
reduce_min = _reduce("reduce_min", _extreme_fwd(xp.min, False), "tfx.reduce_min", _REAL,
                     _extreme_grad)
reduce_prod = _reduce("reduce_prod", _prod_fwd, "tfx.reduce_prod", _NUMERIC, _prod_grad)
_reduce_all = _reduce("reduce_all", _bool_fwd(xp.all), "tfx.reduce_all", _BOOL, None)
_reduce_any = _reduce("reduce_any", _bool_fwd(xp.any), "tfx.reduce_any", _BOOL, None)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce_all(input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce_any(input_tensor, axis, keepdims)


def _real_or_complex(x, api):
    if not (x._dtype.is_floating or x._dtype.is_complex):
        raise TypeError(f"{api}: Input must be either real or complex. Received "
                        f"{'integer' if x._dtype.is_integer else x._dtype.name} type "
                        f"{x._dtype}.")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance (divides by n) over ``axis``; float inputs only, as TensorFlow."""
    x = t(input_tensor)
    _real_or_complex(x, "tfx.math.reduce_variance")
    m = reduce_mean(x, axis, keepdims=True)
    d = subtract(x, m)
    if x._dtype.is_complex:  # TensorFlow: the mean of |x - mean|², a real tensor
        return reduce_mean(real(multiply(d, conj(d))), axis, keepdims)
    return reduce_mean(square(d), axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    x = t(input_tensor)
    _real_or_complex(x, "tfx.math.reduce_std")
    return sqrt(reduce_variance(x, axis, keepdims))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    from .array_ops import stop_gradient
    x = t(input_tensor)
    axes = _axes(axis, x._v.ndim)
    m = stop_gradient(reduce_max(x, axes, keepdims=True))
    m = where(is_finite(m), m, zeros_like(m))
    r = add(log(reduce_sum(exp(subtract(x, m)), axes, keepdims=True)), m)
    if not keepdims:
        r = reshape(r, tuple(s for i, s in enumerate(r._v.shape) if i not in axes))
    return r


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    x = t(input_tensor)
    if x._dtype.is_integer:  # TensorFlow's kernel takes ints: the root truncates
        return cast(sqrt(reduce_sum(square(cast(x, _dt.float64)), axis, keepdims)), x._dtype)
    return sqrt(reduce_sum(square(x), axis, keepdims))


def _count_nonzero_fwd(ins, attrs):
    v = ins[0]
    axes, keepdims, d = attrs
    if v.dtype == object:  # strings: the non-empty ones
        v = xp.asarray(xp.vectorize(len, otypes=[xp.int64])(v)) if v.size else v
    return (xp.asarray(xp.count_nonzero(v, axis=axes, keepdims=keepdims)).astype(d._np),)


_count_nonzero_op = register("count_nonzero", api="tfx.math.count_nonzero",
                             forward=_count_nonzero_fwd)


def count_nonzero(input, axis=None, keepdims=None, dtype=_dt.int64, name=None):  # noqa: A002
    x = t(input)
    attrs = (_axes(axis, x._v.ndim), bool(keepdims), _dt.as_dtype(dtype))
    r = wrap(_count_nonzero_fwd((x._v,), attrs)[0], attrs[2])
    if STATE.recording:
        record(_count_nonzero_op, (x,), (r,), attrs)
    return r


def zero_fraction(value, name=None):
    """The fraction of zeros in ``value``, as float32."""
    x = t(value)
    return reduce_mean(cast(equal(x, zeros_like(x)), _dt.float32))


def _arg(fn, api):
    # No gradient: the result is an index.
    op = register(api.rsplit(".", 1)[-1], api=api, forward=lambda ins, attrs: (
        xp.asarray(fn(ins[0], axis=attrs[0])).astype(attrs[1]._np),))

    def f(input, axis=None, output_type=_dt.int64, name=None):  # noqa: A002
        x = t(input)
        if x._dtype not in _REAL | _BOOL:
            raise _unsupported(api, x._dtype, _REAL)
        a = 0 if axis is None else _axes(axis, x._v.ndim)[0]
        if x._v.shape[a] == 0:
            raise _axis_error(f"{api}: Reduction axis {a} is empty in shape "
                              f"{list(x._v.shape)}")
        attrs = (a, _dt.as_dtype(output_type))
        r = wrap(op.forward((x._v,), attrs)[0], attrs[1])
        if STATE.recording:
            record(op, (x,), (r,), attrs)
        return r
    f.__name__ = api.rsplit(".", 1)[-1]
    f.op = op
    return f


argmax = _arg(xp.argmax, "tfx.argmax")
argmin = _arg(xp.argmin, "tfx.argmin")


# ---- scans -------------------------------------------------------------------------------------

def _exclusive_shift(c, a, fill):
    """Shift a scan one step along ``a``, ``fill`` first: the exclusive variant."""
    first = xp.full_like(xp.take(c, [0], axis=a), fill)
    return xp.concatenate([first, xp.take(c, range(c.shape[a] - 1), axis=a)], axis=a)


def _scan_fwd(f, fill):
    """A cumulative scan forward: attrs (axis, exclusive, reverse)."""
    def fwd(ins, attrs):
        v = ins[0]
        a, exclusive, reverse = attrs
        if reverse:
            v = xp.flip(v, a)
        c = f(v, axis=a, dtype=v.dtype)
        if exclusive and c.shape[a]:
            c = _exclusive_shift(c, a, fill)
        if reverse:
            c = xp.flip(c, a)
        return (xp.ascontiguousarray(c),)
    return fwd


_cumsum_op = register("cumsum", api="tfx.cumsum", forward=_scan_fwd(xp.cumsum, 0))
# Integer products only (no gradient); float cumprod is built from multiplies.
_cumprod_op = register("cumprod", api="tfx.math.cumprod", forward=_scan_fwd(xp.cumprod, 1))


def _cumsum_grad(node, g):
    axis, exclusive, reverse = node.attrs
    return (cumsum(g, axis, exclusive=exclusive, reverse=not reverse),)


_cumsum_op.grad = _cumsum_grad
_cumsum_op.differentiable = True


def _scan_axis(x, axis, api):
    if x._dtype not in _NUMERIC:
        raise _unsupported(api, x._dtype, _NUMERIC)
    if x._v.ndim == 0:
        raise _axis_error(f"{api}: input must be at least rank 1, got a scalar")
    return _axes(axis, x._v.ndim)[0]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along ``axis``; ``exclusive`` starts at 0, ``reverse`` scans backwards."""
    x = t(x)
    attrs = (_scan_axis(x, axis, "tfx.cumsum"), bool(exclusive), bool(reverse))
    r = wrap(_cumsum_op.forward((x._v,), attrs)[0], x._dtype)
    if STATE.recording:
        record(_cumsum_op, (x,), (r,), attrs)
    return r


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product; for floats built from slices and ``multiply`` (differentiable,
    zeros included)."""
    x = t(x)
    a = _scan_axis(x, axis, "tfx.math.cumprod")
    if not x._dtype.is_differentiable:
        attrs = (a, bool(exclusive), bool(reverse))
        r = wrap(_cumprod_op.forward((x._v,), attrs)[0], x._dtype)
        if STATE.recording:
            record(_cumprod_op, (x,), (r,), attrs)
        return r
    from .array_ops import concat, reverse as _rev, slice_axis
    y = _rev(x, [a]) if reverse else x
    parts = []
    acc = None
    n = y._v.shape[a]
    for i in range(n):
        s = slice_axis(y, a, i, i + 1)
        if exclusive:
            # s * 0 + 1, not ones_like(s): the first entry stays connected (a zero gradient,
            # as TensorFlow gives, instead of None for a length-1 axis).
            parts.append(add(multiply(s, zeros_like(s)), ones_like(s)) if acc is None else acc)
            acc = s if acc is None else multiply(acc, s)
        else:
            acc = s if acc is None else multiply(acc, s)
            parts.append(acc)
    r = concat(parts, a) if parts else y
    return _rev(r, [a]) if reverse else r


def _cumlse_fwd(ins, a):
    v = ins[0]
    if gpu.is_gpu_array(v):  # CuPy has no logaddexp.accumulate
        return (gpu.logaddexp_accumulate(v, a),)
    with xp.errstate(invalid="ignore"):
        return (xp.logaddexp.accumulate(v, axis=a).astype(v.dtype, copy=False),)


_cumlse_op = register("cumulative_logsumexp", api="tfx.math.cumulative_logsumexp",
                      forward=_cumlse_fwd)


def _log_pos(v):
    """log(max(v, 0)) with -inf (and no warning) where v <= 0."""
    pos = greater(v, zeros_like(v))
    return where(pos, log(where(pos, v, ones_like(v))), _c(-xp.inf, v) + zeros_like(v))


def _cumlse_grad(node, g):
    # d y_i / d x_j = exp(x_j - y_i) for j <= i. Summed over i >= j in log space, split by the
    # sign of g, so nothing overflows: exp(x + rev_cumlse(log g+ - y)) - (the same for g-).
    x, y = node.inputs[0], node.outputs[0]
    a = node.attrs
    pos = cumulative_logsumexp(subtract(_log_pos(g), y), a, reverse=True)
    neg = cumulative_logsumexp(subtract(_log_pos(negative(g)), y), a, reverse=True)
    return (subtract(exp(add(pos, x)), exp(add(neg, x))),)


_cumlse_op.grad = _cumlse_grad
_cumlse_op.differentiable = True


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along ``axis``, computed without overflow or underflow."""
    from .array_ops import concat, reverse as _rev, slice_axis
    x = t(x)
    if not x._dtype.is_floating:
        raise _unsupported("tfx.math.cumulative_logsumexp", x._dtype, _FLOATS)
    a = _scan_axis(x, axis, "tfx.math.cumulative_logsumexp")
    y = _rev(x, [a]) if reverse else x
    r = wrap(_cumlse_fwd((y._v,), a)[0], x._dtype)
    if STATE.recording:
        record(_cumlse_op, (y,), (r,), a)
    if exclusive and r._v.shape[a]:  # shift one step; log(0) = -inf comes first
        first = slice_axis(r, a, 0, 1)
        r = concat([_c(-xp.inf, first) + zeros_like(first),
                    slice_axis(r, a, 0, r._v.shape[a] - 1)], a)
    return _rev(r, [a]) if reverse else r


# Late imports: array_ops builds on math_ops, and these helpers close the loop.
from .array_ops import broadcast_to, ones_like, reshape, zeros_like  # noqa: E402
