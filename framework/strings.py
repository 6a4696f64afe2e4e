"""``tfx.strings``: ops on string tensors (UTF-8 bytes, dtype ``tfx.string``), as ``tf.strings``.

Each op is a registered kernel (so a traced graph replays it); none has a gradient. Ops that
give one list per string (``split``, ``unicode_decode``) return RaggedTensors, and the
elementwise ops take RaggedTensors too (applied to their flat values), as TensorFlow's do.
"""
import builtins
import functools
import inspect
import re

from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import Tensor, t
from .structures import string_kernels as _sk
from .structures._kernels import fail, invalid, kernel
from .structures.ragged_tensor import RaggedTensor

__all__ = ["as_string", "format", "join", "length", "lower", "reduce_join", "regex_full_match",
           "regex_replace", "split", "strip", "substr", "to_number", "unicode_decode",
           "unicode_encode", "unicode_transcode", "upper"]

_string, _int32, _int64 = _dt.string, _dt.int32, _dt.int64
_UNITS = ("BYTE", "UTF8_CHAR")


def _strings(x, api):
    v = t(x) if x.__class__ is Tensor or hasattr(x, "_as_tensor") else \
        convert_to_tensor(x, _string)
    if v._dtype is not _string:
        raise invalid(api, f"expected a string tensor, got {v._dtype.name} (convert numbers "
                           "with tfx.strings.as_string)")
    return v


def _bytes_arg(x):
    if isinstance(x, Tensor):
        return bytes(x._v[()]) if x._v.ndim == 0 else bytes(x._v.reshape(-1)[0])
    return x.encode("utf-8") if isinstance(x, str) else bytes(x)


def _unit(api, unit):
    if unit not in _UNITS:
        raise invalid(api, f'Value for attr \'unit\' of "{unit}" is not in the list of allowed '
                           'values: "BYTE", "UTF8_CHAR"')


def _char_starts(s):
    """Byte offsets where UTF-8 characters start (a continuation byte starts none)."""
    return [i for i, b in enumerate(s) if b & 0xC0 != 0x80]


def _ragged_aware(fn):
    """``fn`` on a RaggedTensor's flat values, the result keeping its rows."""
    first = next(iter(inspect.signature(fn).parameters))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        x = args[0] if args else kwargs.get(first)
        if not isinstance(x, RaggedTensor):
            return fn(*args, **kwargs)
        if args:
            args = (x.flat_values,) + args[1:]
        else:
            kwargs[first] = x.flat_values
        return x.with_flat_values(fn(*args, **kwargs))
    return wrapper


def _elementwise(name, fn, api, dtype=object):
    """A registered kernel mapping ``fn(bytes, attrs)`` over one string tensor."""
    def forward(ins, attrs):
        try:
            return (_sk.map_strings(lambda s: fn(s, attrs), ins[0], dtype),)
        except ValueError as e:
            raise fail(api, str(e)) from None
    return kernel(name, forward, api)


# ---- length, case, whitespace -------------------------------------------------------------------

_length = _elementwise("string_length", lambda s, unit: len(s) if unit == "BYTE" else
                       len(_char_starts(s)), "tfx.strings.length", xp.int32)


@_ragged_aware
def length(input, unit="BYTE", name=None):  # noqa: A002
    """Length of each string in bytes (``unit='BYTE'``) or UTF-8 characters (``'UTF8_CHAR'``)."""
    api = "tfx.strings.length"
    _unit(api, unit)
    return _length((_strings(input, api),), unit)[0]


def _case(upper):
    def fn(s, encoding):
        if not encoding:
            return s.upper() if upper else s.lower()  # bytes: ASCII letters only
        text = s.decode("utf-8", "surrogateescape")
        return (text.upper() if upper else text.lower()).encode("utf-8", "surrogateescape")
    return fn


_lower = _elementwise("string_lower", _case(False), "tfx.strings.lower")
_upper = _elementwise("string_upper", _case(True), "tfx.strings.upper")


def _case_op(op, api, input, encoding):  # noqa: A002
    enc = (encoding or "").lower().replace("_", "-")
    if enc not in ("", "utf-8", "utf8"):
        raise invalid(api, f"only utf-8 or '' (no encoding) is supported, received {encoding}")
    return op((_strings(input, api),), bool(enc))[0]


@_ragged_aware
def lower(input, encoding="", name=None):  # noqa: A002
    """Lowercase: ASCII letters only, or all of Unicode with ``encoding='utf-8'``."""
    return _case_op(_lower, "tfx.strings.lower", input, encoding)


@_ragged_aware
def upper(input, encoding="", name=None):  # noqa: A002
    """Uppercase: ASCII letters only, or all of Unicode with ``encoding='utf-8'``."""
    return _case_op(_upper, "tfx.strings.upper", input, encoding)


_strip = _elementwise("string_strip", lambda s, a: s.strip(), "tfx.strings.strip")


@_ragged_aware
def strip(input, name=None):  # noqa: A002
    """Leading and trailing ASCII whitespace removed."""
    return _strip((_strings(input, "tfx.strings.strip"),))[0]


# ---- regular expressions ------------------------------------------------------------------------

def _compile(api, pattern):
    try:
        return re.compile(_bytes_arg(pattern))
    except re.error as e:
        raise invalid(api, f"Invalid pattern: {_bytes_arg(pattern).decode()}, error: {e}") \
            from None


_full_match = _elementwise("regex_full_match", lambda s, p: p.fullmatch(s) is not None,
                           "tfx.strings.regex_full_match", bool)


@_ragged_aware
def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Whether each whole string matches ``pattern`` (RE2 syntax)."""
    api = "tfx.strings.regex_full_match"
    return _full_match((_strings(input, api),), _compile(api, pattern))[0]


_replace = _elementwise("regex_replace", lambda s, a: _sk.re2_replace(a[0], a[1], s, a[2]),
                        "tfx.strings.regex_replace")


@_ragged_aware
def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Matches of ``pattern`` replaced by ``rewrite`` (``\\1`` names a group, ``\\0`` the
    match), every match or only the first."""
    api = "tfx.strings.regex_replace"
    return _replace((_strings(input, api),),
                    (_compile(api, pattern), _bytes_arg(rewrite), bool(replace_global)))[0]


# ---- splitting and joining ----------------------------------------------------------------------

def _split_fwd(ins, attrs):
    sep, maxsplit = attrs
    parts, lengths = [], []
    for s in ins[0].reshape(-1):
        if sep:
            p = s.split(sep, maxsplit)
        else:
            p = s.split(None, maxsplit)
        parts.extend(p)
        lengths.append(len(p))
    values = xp.empty(len(parts), dtype=object)
    values[:] = parts
    return values, xp.asarray(lengths, dtype=xp.int64)


_split = kernel("string_split", _split_fwd, "tfx.strings.split")


def _rows_to_ragged(values, lengths, outer_shape):
    """Flat pieces with per-string counts as a RaggedTensor shaped like the input + 1 dim."""
    rt = RaggedTensor.from_row_lengths(values, lengths, validate=False)
    for j in builtins.range(len(outer_shape) - 1, 0, -1):
        n = 1
        for s in outer_shape[:j]:
            n *= s
        rt = RaggedTensor._make(rt, convert_to_tensor(
            xp.arange(0, n * outer_shape[j] + 1, outer_shape[j]), _int64))
    return rt


@_ragged_aware
def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Split each string at ``sep`` (runs of whitespace if None or empty), at most
    ``maxsplit`` times. A scalar gives a vector; a rank-N tensor a rank-N+1 RaggedTensor."""
    api = "tfx.strings.split"
    x = _strings(input, api)
    s = b"" if sep is None else _bytes_arg(sep)
    values, lengths = _split((x,), (s, int(maxsplit)))
    if x._v.ndim == 0:
        return values
    return _rows_to_ragged(values, lengths, x._v.shape)


def _join_fwd(ins, sep):
    arrs = xp.broadcast_arrays(*ins)
    out = xp.empty(arrs[0].shape, dtype=object)
    flat = [a.reshape(-1) for a in arrs]
    o = out.reshape(-1)
    for i in builtins.range(o.shape[0]):
        o[i] = sep.join(f[i] for f in flat)
    return (out,)


_join = kernel("string_join", _join_fwd, "tfx.strings.join")


def join(inputs, separator="", name=None):
    """Elementwise concatenation of string tensors (scalars broadcast), ``separator``
    between."""
    api = "tfx.strings.join"
    xs = [_strings(x, api) for x in inputs]
    if not xs:
        return convert_to_tensor(b"")
    shapes = {x._v.shape for x in xs if x._v.ndim}
    if len(shapes) > 1:
        a, b = sorted(shapes, key=len)[:2]
        raise invalid(api, f"Input shapes do not match: {list(a)} vs. {list(b)}")
    return _join(xs, _bytes_arg(separator))[0]


def _reduce_join_fwd(ins, attrs):
    axes, keepdims, sep = attrs
    x = ins[0]
    # TensorFlow joins with the first listed axis varying fastest.
    order = [a for a in builtins.range(x.ndim) if a not in axes] + list(reversed(axes))
    y = xp.transpose(x, order)
    kept = y.shape[:x.ndim - len(axes)]
    m = 1
    for a in axes:
        m *= x.shape[a]
    flat = y.reshape(kept + (m,))
    out = xp.empty(kept, dtype=object)
    o, f = out.reshape(-1), flat.reshape(out.size, m)
    for i in builtins.range(o.shape[0]):
        o[i] = sep.join(f[i])
    if keepdims:
        out = out.reshape([1 if a in axes else n for a, n in enumerate(x.shape)])
    return (out,)


_reduce_join = kernel("string_reduce_join", _reduce_join_fwd, "tfx.strings.reduce_join")


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Join the strings along ``axis`` (all axes if None), RaggedTensors too."""
    api = "tfx.strings.reduce_join"
    if isinstance(inputs, RaggedTensor):
        from .structures.ragged_ops import reduce
        return reduce(inputs, axis, keepdims, ("join", _bytes_arg(separator)))
    x = _strings(inputs, api)
    nd = x._v.ndim
    raw = builtins.range(nd)[::-1] if axis is None else (
        [axis] if isinstance(axis, int) or hasattr(axis, "_v") and axis._v.ndim == 0
        else list(axis))
    axes = []
    for a in raw:
        a = int(a)
        if not -nd <= a < max(nd, 1):
            raise invalid(api, f"Invalid reduction dimension {a} for input with {nd} "
                               "dimensions.")
        if nd:
            axes.append(a % nd)
    return _reduce_join((x,), (tuple(axes), bool(keepdims), _bytes_arg(separator)))[0]


# ---- substrings ---------------------------------------------------------------------------------

def _substr_fwd(ins, unit):
    x, pos, ln = ins
    pos, ln = xp.broadcast_to(pos, x.shape), xp.broadcast_to(ln, x.shape)
    out = xp.empty(x.shape, dtype=object)
    for i, (s, p, n) in enumerate(zip(x.reshape(-1), pos.reshape(-1), ln.reshape(-1))):
        starts = _char_starts(s) if unit == "UTF8_CHAR" else None
        size = len(starts) if starts is not None else len(s)
        p, n = int(p), int(n)
        if p > size or p < -size:
            raise fail("tfx.strings.substr", f"pos {p} out of range for string {s!r} at "
                                             f"index {i}")
        if p < 0:
            p += size
        end = size if n < 0 else min(size, p + n)
        if starts is None:
            out.reshape(-1)[i] = s[p:end]
        else:
            bounds = starts + [len(s)]
            out.reshape(-1)[i] = s[bounds[p]:bounds[end]]
    return (out,)


_substr = kernel("string_substr", _substr_fwd, "tfx.strings.substr")


@_ragged_aware
def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """``len`` bytes (or UTF-8 characters) from ``pos`` (negative: from the end) of each
    string; ``pos``/``len`` are scalars or shaped like ``input``."""
    api = "tfx.strings.substr"
    _unit(api, unit)
    x = _strings(input, api)
    p = t(pos) if hasattr(pos, "_v") else convert_to_tensor(pos, _int32)
    n = t(len) if hasattr(len, "_v") else convert_to_tensor(len, _int32)
    if p._v.shape != n._v.shape:
        raise invalid(api, f"pos and len should have the same shape, got: {list(p._v.shape)} "
                           f"vs. {list(n._v.shape)}")
    if p._v.ndim and p._v.shape != x._v.shape:
        raise invalid(api, f"pos and input should have the same shape (or pos a scalar), got: "
                           f"{list(p._v.shape)} vs. {list(x._v.shape)}")
    return _substr((x, p, n), unit)[0]


# ---- numbers <-> strings ------------------------------------------------------------------------

_NUMBER_TYPES = {"float32": (True, None), "float64": (True, None), "int32": (False, 32),
                 "int64": (False, 64), "uint32": (False, "u32"), "uint64": (False, "u64")}


def _to_number_fwd(ins, d):
    is_float, bits = _NUMBER_TYPES[d.name]
    lo, hi = (None, None) if is_float else (d.min, d.max)

    def parse(s):
        try:
            return _sk.parse_number(s, is_float, lo, hi)
        except (ValueError, OverflowError):
            raise fail("tfx.strings.to_number", "StringToNumberOp could not correctly convert "
                                                f"string: {s.decode('utf-8', 'replace')}") \
                from None
    with xp.errstate(over="ignore"):
        return (_sk.map_strings(parse, ins[0], object).astype(d._np),)


_to_number = kernel("string_to_number", _to_number_fwd, "tfx.strings.to_number")


@_ragged_aware
def to_number(input, out_type=_dt.float32, name=None):  # noqa: A002
    """Parse each string as a number of ``out_type`` (float32, float64, int32, int64, uint32,
    uint64); anything else in a string raises InvalidArgumentError."""
    api = "tfx.strings.to_number"
    d = _dt.as_dtype(out_type)
    if d.name not in _NUMBER_TYPES:
        raise invalid(api, f"Value for attr 'out_type' of {d.name} is not in the list of "
                           "allowed values: float, double, int32, int64, uint32, uint64")
    return _to_number((_strings(input, api),), d)[0]


def _as_string_fwd(ins, spec):
    kind, fmt = spec
    x = ins[0]
    if kind == "bool":
        return (_sk.map_strings(lambda v: b"true" if v else b"false", x),)
    if kind == "complex":
        return (_sk.map_strings(lambda v: (fmt % (v.real, v.imag)).encode(), x),)
    if kind == "string":
        return (x,)
    return (_sk.map_strings(lambda v: (fmt % v).encode(), x),)


_as_string = kernel("as_string", _as_string_fwd, "tfx.strings.as_string")


@_ragged_aware
def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Each number as text, printf-style: floats ``%.{precision}f`` (``%e`` with
    ``scientific``, ``%g`` with ``shortest``), ints ``%d``, bools true/false; ``width`` pads
    with ``fill`` (' ' or '0')."""
    api = "tfx.strings.as_string"
    x = t(input)
    d = x._dtype
    if scientific and shortest:
        raise invalid(api, "Cannot select both scientific and shortest notation")
    if builtins.len(fill) > 1:
        raise invalid(api, "Fill string must be one or fewer characters")
    if fill not in ("", " ", "0"):
        raise invalid(api, f'Fill argument not supported: "{fill}"')
    if d is _string:
        return x
    if d.is_bool:
        return _as_string((x,), ("bool", None))[0]
    if precision > -1 and not (d.is_floating or d.is_complex):
        raise invalid(api, f"precision not supported for datatype {d.name}")
    # printf flags: '0' pads with zeros; ' ' is printf's space flag (room for a sign).
    spec = "%" + fill + (str(width) if width > -1 else "")
    if d.is_integer:
        return _as_string((x,), ("int", spec + "d"))[0]
    if precision > -1:
        spec += f".{precision}"
    spec += "e" if scientific else "g" if shortest else "f"
    if d.is_complex:
        return _as_string((x,), ("complex", f"({spec},{spec})"))[0]
    return _as_string((x,), ("float", spec))[0]


def _format_fwd(ins, attrs):
    template, placeholder, limit = attrs
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for arr, piece in zip(ins, pieces[1:]):
        out.append(_sk.summarize(arr, limit))
        out.append(piece)
    return (xp.asarray("".join(out).encode("utf-8"), dtype=object),)


_format = kernel("string_format", _format_fwd, "tfx.strings.format")


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """``template`` with each ``placeholder`` replaced by the next input printed as
    TensorFlow prints tensors (long dimensions cut to ``summarize`` items at each end)."""
    xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    xs = [t(x) if x.__class__ is Tensor or hasattr(x, "_as_tensor") else convert_to_tensor(x)
          for x in xs]
    n = template.count(placeholder)
    if n != builtins.len(xs):
        raise ValueError(f"The template expects {n} tensors, but the inputs only has "
                         f"{builtins.len(xs)}. Please ensure the number of placeholders in "
                         "template matches inputs length.")
    return _format(xs, (template, placeholder, int(summarize)))[0]


# ---- Unicode ------------------------------------------------------------------------------------

def _codec(api, name, what, output=False):
    if output and name not in _sk.ENCODINGS:
        raise invalid(api, f'Value for attr \'{what}\' of "{name}" is not in the list of '
                           'allowed values: "UTF-8", "UTF-16-BE", "UTF-32-BE"')
    codec = _sk.python_codec(name)
    if codec is None:
        raise invalid(api, f"Could not create converter for input encoding: {name}")
    return codec


def _errors(api, errors):
    if errors not in ("strict", "replace", "ignore"):
        raise invalid(api, f'Value for attr \'errors\' of "{errors}" is not in the list of '
                           'allowed values: "strict", "replace", "ignore"')


def _decode_fwd(ins, attrs):
    codec, errors, repl, ctrl = attrs
    codes, lengths = [], []
    for s in ins[0].reshape(-1):
        try:
            c = _sk.decode(s, codec, errors, repl, ctrl)
        except ValueError as e:
            raise fail("tfx.strings.unicode_decode", str(e)) from None
        codes.extend(c)
        lengths.append(builtins.len(c))
    return xp.asarray(codes, dtype=xp.int32), xp.asarray(lengths, dtype=xp.int64)


_decode = kernel("unicode_decode", _decode_fwd, "tfx.strings.unicode_decode")


@_ragged_aware
def unicode_decode(input, input_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, replace_control_characters=False, name=None):
    """The code points (int32) of each string: a vector for a scalar input, else a RaggedTensor
    with one more dimension."""
    api = "tfx.strings.unicode_decode"
    _errors(api, errors)
    x = _strings(input, api)
    codec = _codec(api, input_encoding, "input_encoding")
    codes, lengths = _decode((x,), (codec, errors, int(replacement_char),
                                    bool(replace_control_characters)))
    if x._v.ndim == 0:
        return codes
    return _rows_to_ragged(codes, lengths, x._v.shape)


def _encode_fwd(ins, attrs):
    codec, errors, repl = attrs
    codes, splits = ins
    out = xp.empty(splits.shape[0] - 1, dtype=object)
    for i in builtins.range(out.shape[0]):
        try:
            out[i] = _sk.encode(codes[splits[i]:splits[i + 1]].tolist(), codec, errors, repl)
        except ValueError as e:
            raise fail("tfx.strings.unicode_encode", str(e)) from None
    return (out,)


_encode = kernel("unicode_encode", _encode_fwd, "tfx.strings.unicode_encode")


def unicode_encode(input, output_encoding, errors="replace",  # noqa: A002
                   replacement_char=65533, name=None):
    """Strings from code points along the last (possibly ragged) dimension."""
    api = "tfx.strings.unicode_encode"
    _errors(api, errors)
    codec = _codec(api, output_encoding, "output_encoding", output=True)
    attrs = (codec, errors, int(replacement_char))
    if isinstance(input, RaggedTensor):
        if isinstance(input.values, RaggedTensor):
            return RaggedTensor._make(unicode_encode(input.values, output_encoding, errors,
                                                     replacement_char), input.row_splits)
        return _encode((input.values, input.row_splits), attrs)[0]
    x = t(input)
    if x._v.ndim == 0:
        raise invalid(api, "input must have rank >= 1 (code points along the last axis)")
    shape = x._v.shape
    n = shape[-1]
    rows = 1
    for s in shape[:-1]:
        rows *= s
    from .ops.array_ops import reshape
    splits = convert_to_tensor(xp.arange(0, rows * n + 1, n) if n else xp.zeros(rows + 1),
                               _int64)
    flat = _encode((reshape(x, (-1,)), splits), attrs)[0]
    return reshape(flat, shape[:-1])


def _transcode_fwd(ins, attrs):
    src, dst, errors, repl, ctrl = attrs

    def one(s):
        return _sk.encode(_sk.decode(s, src, errors, repl, ctrl), dst, errors, repl)
    try:
        return (_sk.map_strings(one, ins[0]),)
    except ValueError as e:
        raise fail("tfx.strings.unicode_transcode", str(e)) from None


_transcode = kernel("unicode_transcode", _transcode_fwd, "tfx.strings.unicode_transcode")


@_ragged_aware
def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Each string decoded from ``input_encoding`` and encoded in ``output_encoding``."""
    api = "tfx.strings.unicode_transcode"
    _errors(api, errors)
    src = _codec(api, input_encoding, "input_encoding")
    dst = _codec(api, output_encoding, "output_encoding", output=True)
    return _transcode((_strings(input, api),), (src, dst, errors, int(replacement_char),
                                                 bool(replace_control_characters)))[0]


# Splitting into bytes/characters, n-grams, segment joins and hash buckets live in their own
# module (they import the helpers above).
from .strings_tokens import (bytes_split, ngrams, to_hash_bucket, to_hash_bucket_fast,  # noqa: E402
                             to_hash_bucket_strong, unicode_decode_with_offsets, unicode_split,
                             unicode_split_with_offsets, unsorted_segment_join)

__all__ += ["bytes_split", "ngrams", "to_hash_bucket", "to_hash_bucket_fast",
            "to_hash_bucket_strong", "unicode_decode_with_offsets", "unicode_split",
            "unicode_split_with_offsets", "unsorted_segment_join"]
