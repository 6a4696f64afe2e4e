"""Per-string work behind ``tfx.strings``: Unicode decoding/encoding as TensorFlow's ICU kernels
do it, RE2-style replacement, number parsing and TensorFlow's printf-style formatting.

String tensors hold NumPy object arrays of ``bytes``; these helpers work on single strings and
``map_strings`` applies one elementwise.
"""
import codecs
import re

from ..backend import xp

__all__ = ["map_strings", "decode", "encode", "ENCODINGS", "re2_replace", "parse_number",
           "format_value", "summarize"]

# The encodings TensorFlow's unicode ops accept for output; input also takes ICU's aliases.
ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")
_MARK = "\ud800"  # a lone surrogate never comes out of a successful decode: marks an error


def _mark_errors(err):
    return _MARK, err.end


codecs.register_error("tfx.strings.mark", _mark_errors)


def map_strings(fn, arr, dtype=object):
    """``fn`` on every element of ``arr``, as an array of ``dtype`` with ``arr``'s shape."""
    out = xp.empty(arr.shape, dtype=dtype)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.shape[0]):
        flat_out[i] = fn(flat_in[i])
    return out


def python_codec(name):
    """Python's codec for an encoding name TensorFlow accepts (None if unknown)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data, codec, errors, replacement_char, replace_control_characters):
    """Code points of ``data``; invalid sequences become ``replacement_char`` ('replace'),
    vanish ('ignore') or raise ValueError ('strict')."""
    if codec in ("utf-16", "utf-32") and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if codec == "utf-16"
            else (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        codec += "-be"  # ICU reads a UTF-16/32 text without byte-order mark as big-endian
    text = data.decode(codec, "tfx.strings.mark")
    out = []
    for ch in text:
        c = ord(ch)
        if ch == _MARK:
            if errors == "strict":
                raise ValueError("Invalid formatting on input string")
            if errors == "ignore":
                continue
            c = replacement_char
        elif replace_control_characters and c < 0x20:
            c = replacement_char
        out.append(c)
    return out


def encode(code_points, codec, errors, replacement_char):
    """Bytes of the code points; out-of-range values and surrogates handled by ``errors``."""
    chars = []
    for c in code_points:
        c = int(c)
        if not 0 <= c <= 0x10FFFF or 0xD800 <= c <= 0xDFFF:
            if errors == "strict":
                raise ValueError("Code point is out of range for Unicode, or is a surrogate.")
            if errors == "ignore":
                continue
            c = replacement_char
        chars.append(chr(c))
    return "".join(chars).encode(codec)


def re2_replace(pattern, rewrite, data, replace_global):
    """``pattern`` matches in ``data`` replaced by ``rewrite`` with RE2's rules: ``\\0``-``\\9``
    name groups, ``\\\\`` is a backslash, and an empty match right after a match is skipped.
    A rewrite naming a group the pattern lacks leaves ``data`` unchanged, as TensorFlow."""
    for ref in re.findall(rb"\\(\d)", rewrite):
        if int(ref) > pattern.groups:
            return data

    def expand(m):
        out, i = [], 0
        while i < len(rewrite):
            b = rewrite[i:i + 1]
            if b == b"\\" and i + 1 < len(rewrite):
                nxt = rewrite[i + 1:i + 2]
                if nxt.isdigit():
                    g = int(nxt)
                    out.append(m.group(g) or b"")
                    i += 2
                    continue
                if nxt == b"\\":
                    out.append(b"\\")
                    i += 2
                    continue
            out.append(b)
            i += 1
        return b"".join(out)

    pieces, last, prev_end = [], 0, -1
    for m in pattern.finditer(data):
        if m.start() == m.end() == prev_end:
            continue
        pieces.append(data[last:m.start()])
        pieces.append(expand(m))
        last = prev_end = m.end()
        if not replace_global:
            break
    pieces.append(data[last:])
    return b"".join(pieces)


_INT = re.compile(rb"\s*[+-]?\d+\s*\Z")
_FLOAT = re.compile(rb"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)"
                    rb"\s*\Z", re.IGNORECASE)


def parse_number(data, is_float, lo=None, hi=None):
    """The number in ``data`` (surrounding whitespace allowed), or ValueError."""
    if is_float:
        if not _FLOAT.match(data):
            raise ValueError(data)
        return float(data)
    if not _INT.match(data):
        raise ValueError(data)
    v = int(data)
    if not lo <= v <= hi:
        raise ValueError(data)
    return v


# ---- TensorFlow's summary formatting (tfx.strings.format, tfx.print) ----------------------------

def _shortest(v, digits, more):
    """TensorFlow's float text: %g with ``digits`` significant digits, ``more`` if that does
    not read back as the same value."""
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    s = "%.*g" % (digits, v)
    return s if float(s) == v else "%.*g" % (more, v)


def format_value(x):
    """One element (a 0-d array) as TensorFlow prints it."""
    kind = x.dtype.kind
    x = x[()]
    if kind == "O" or kind == "S":
        s = bytes(x)
        return '"' + s.decode("utf-8", "backslashreplace").replace("\\", "\\\\").replace(
            '"', '\\"') + '"'
    if kind == "b":
        return "1" if x else "0"
    if kind == "f":
        if x.dtype.itemsize >= 8:
            return _shortest(float(x), 15, 17)
        v = float(x)
        s = "%.6g" % v
        if v == v and abs(v) != float("inf") and xp.float32(float(s)) == xp.float32(v):
            return s
        return _shortest(v, 9, 9)
    if kind == "c":
        return "?"
    return str(int(x))


def summarize(a, limit, depth=0):
    """An array as TensorFlow prints it: nested brackets, elements separated by spaces, rows by
    newlines; dimensions longer than 2 * ``limit`` show their ends around '...'."""
    if a.ndim == 0:
        return format_value(a)
    n = a.shape[0]
    if limit >= 0 and n > 2 * limit:
        idx = list(range(limit)) + [None] + list(range(n - limit, n))
    else:
        idx = list(range(n))
    parts = ["..." if i is None else summarize(a[i, ...], limit, depth + 1) for i in idx]
    sep = " " if a.ndim == 1 else "\n" * (a.ndim - 1) + " " * (depth + 1)
    return "[" + sep.join(parts) + "]"
