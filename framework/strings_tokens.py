"""More of ``tfx.strings``: splitting into bytes and characters (with offsets), n-grams,
segment joins and hash buckets, as ``tf.strings`` (re-exported by ``tfx.strings``).

Each op is a registered kernel with no gradient. An op giving one list per string returns a
vector for a scalar, else a RaggedTensor one dimension deeper; RaggedTensor inputs are
handled on their flat values, as TensorFlow does. Hash buckets match TensorFlow's bit for
bit (see structures/string_hash.py).
"""
import builtins
import codecs
import threading

from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import Tensor, t
from .structures import string_hash as _hash
from .structures import string_kernels as _sk
from .structures._kernels import fail, invalid, kernel
from .structures.ragged_tensor import RaggedTensor
from .strings import _codec, _errors, _ragged_aware, _rows_to_ragged, _strings

__all__ = ["bytes_split", "ngrams", "to_hash_bucket", "to_hash_bucket_fast",
           "to_hash_bucket_strong", "unicode_decode_with_offsets", "unicode_split",
           "unicode_split_with_offsets", "unsorted_segment_join"]

_int32, _int64 = _dt.int32, _dt.int64


def _object_array(items):
    out = xp.empty(len(items), dtype=object)
    out[:] = items
    return out


def _per_string(x, kernel_call, attrs, n_out):
    """Run a kernel giving ``n_out`` flat outputs plus per-string counts; shape them as the
    input: vectors for a scalar, else RaggedTensors one dimension deeper."""
    *flat, lengths = kernel_call((x,), attrs)
    if x._v.ndim == 0:
        return tuple(flat) if n_out > 1 else flat[0]
    out = tuple(_rows_to_ragged(f, lengths, x._v.shape) for f in flat)
    return out if n_out > 1 else out[0]


def _on_ragged(fn, x, n_out):
    """``fn`` of a RaggedTensor's flat values, each output keeping ``x``'s rows."""
    r = fn(x.flat_values)
    return tuple(x.with_flat_values(o) for o in r) if n_out > 1 else x.with_flat_values(r)


# ---- bytes --------------------------------------------------------------------------------------

def _bytes_split_fwd(ins, attrs):
    pieces, lengths = [], []
    for s in ins[0].reshape(-1):
        pieces.extend(s[i:i + 1] for i in builtins.range(len(s)))
        lengths.append(len(s))
    return _object_array(pieces), xp.asarray(lengths, dtype=xp.int64)


_bytes_split = kernel("string_bytes_split", _bytes_split_fwd, "tfx.strings.bytes_split")


def bytes_split(input, name=None):  # noqa: A002
    """Each string split into its bytes (one-byte strings)."""
    if isinstance(input, RaggedTensor):
        return _on_ragged(bytes_split, input, 1)
    return _per_string(_strings(input, "tfx.strings.bytes_split"), _bytes_split, None, 1)


# ---- characters with byte offsets ---------------------------------------------------------------

_spans = threading.local()


def _record_error(err):
    _spans.list.append((err.start, err.end))
    return "\ud800", err.end


codecs.register_error("tfx.strings.spans", _record_error)

_BOMS = {"utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
         "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)}


def _decode_offsets(data, codec, errors, repl, ctrl, api):
    """Code points of ``data`` and the byte offset where each starts, decoded as ICU does:
    a UTF-16/32 text without byte-order mark is big-endian, and a mark belongs to the first
    character's bytes."""
    bom = 0
    if codec in _BOMS:
        marks = _BOMS[codec]
        bom = len(marks[0]) if data.startswith(marks) else 0
        width_codec = codec + ("-le" if data.startswith(marks[0]) else "-be")
        codec = codec if bom else codec + "-be"
    else:
        width_codec = codec
    _spans.list = []
    text = data.decode(codec, "tfx.strings.spans")
    spans, k = _spans.list, 0
    codes, offsets, pos = [], [], bom
    for ch in text:
        if ch == "\ud800":
            start, pos = spans[k]
            k += 1
            if errors == "strict":
                raise fail(api, "Invalid formatting on input string")
            if errors == "ignore":
                continue
            c = repl
        else:
            start = pos
            pos += len(ch.encode(width_codec))
            c = ord(ch)
            if ctrl and c < 0x20:
                c = repl
        codes.append(c)
        offsets.append(0 if start == bom else start)
    return codes, offsets


def _decode_offsets_fwd(ins, attrs):
    codec, errors, repl, ctrl, api = attrs
    codes, offsets, lengths = [], [], []
    for s in ins[0].reshape(-1):
        c, o = _decode_offsets(s, codec, errors, repl, ctrl, api)
        codes.extend(c)
        offsets.extend(o)
        lengths.append(len(c))
    return (xp.asarray(codes, dtype=xp.int32), xp.asarray(offsets, dtype=xp.int64),
            xp.asarray(lengths, dtype=xp.int64))


_decode_offsets_op = kernel("unicode_decode_with_offsets", _decode_offsets_fwd,
                            "tfx.strings.unicode_decode_with_offsets")


def _decode_args(api, input, input_encoding, errors, replacement_char, ctrl):  # noqa: A002
    _errors(api, errors)
    x = _strings(input, api)
    return x, (_codec(api, input_encoding, "input_encoding"), errors, int(replacement_char),
               bool(ctrl), api)


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """``(codepoints, offsets)``: the int32 code points of each string and the int64 byte
    offset where each character starts."""
    if isinstance(input, RaggedTensor):
        return _on_ragged(lambda v: unicode_decode_with_offsets(
            v, input_encoding, errors, replacement_char, replace_control_characters), input, 2)
    api = "tfx.strings.unicode_decode_with_offsets"
    x, attrs = _decode_args(api, input, input_encoding, errors, replacement_char,
                            replace_control_characters)
    return _per_string(x, _decode_offsets_op, attrs, 2)


def _split_fwd(ins, attrs):
    codec, errors, repl, ctrl, api = attrs
    out_codec = codec + "-be" if codec in _BOMS else codec
    chars, offsets, lengths = [], [], []
    for s in ins[0].reshape(-1):
        c, o = _decode_offsets(s, codec, errors, repl, ctrl, api)
        chars.extend(_sk.encode([p], out_codec, errors, repl) for p in c)
        offsets.extend(o)
        lengths.append(len(c))
    return _object_array(chars), xp.asarray(offsets, dtype=xp.int64), \
        xp.asarray(lengths, dtype=xp.int64)


_unicode_split = kernel("unicode_split", _split_fwd, "tfx.strings.unicode_split")


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """``(chars, offsets)``: each string split into characters (each encoded in
    ``input_encoding``; an invalid sequence becomes ``replacement_char``) and the byte offset
    where each starts."""
    if isinstance(input, RaggedTensor):
        return _on_ragged(lambda v: unicode_split_with_offsets(
            v, input_encoding, errors, replacement_char), input, 2)
    api = "tfx.strings.unicode_split"
    x, attrs = _decode_args(api, input, input_encoding, errors, replacement_char, False)
    return _per_string(x, _unicode_split, attrs, 2)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """Each string split into its characters (see ``unicode_split_with_offsets``)."""
    return unicode_split_with_offsets(input, input_encoding, errors, replacement_char)[0]


# ---- n-grams ------------------------------------------------------------------------------------

def _ngrams_fwd(ins, attrs):
    widths, sep, left, right, pad, preserve = attrs
    values, splits = ins
    out, counts = [], []
    for r in builtins.range(splits.shape[0] - 1):
        row = list(values[splits[r]:splits[r + 1]])
        n, start = len(row), len(out)
        for w in widths:
            p = min(pad, w - 1)
            padded = [left] * p + row + [right] * p
            out.extend(sep.join(padded[i:i + w])
                       for i in builtins.range(max(0, len(padded) - w + 1)))
        if preserve and n and len(out) == start:
            p = min(pad, widths[0] - 1)
            out.append(sep.join([left] * p + row + [right] * p))
        counts.append(len(out) - start)
    return _object_array(out), xp.asarray(counts, dtype=xp.int64)


_ngrams = kernel("string_ngrams", _ngrams_fwd, "tfx.strings.ngrams")


def _as_bytes(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The n-grams of the innermost dimension of ``data``, each joined with ``separator``.

    ``ngram_width``: an int or a tuple (all widths, in order). ``pad_values``: a string, or
    ``(left, right)``, padding each sequence by ``padding_width`` (default ``width - 1``,
    never more) on each side. ``preserve_short_sequences``: a non-empty sequence too short for
    any n-gram gives one n-gram of all of it. Dense rank-1/N input gives a dense result,
    ragged input a ragged one.
    """
    widths = tuple(ngram_width) if isinstance(ngram_width, (list, tuple)) else (ngram_width,)
    widths = tuple(int(w) for w in widths)
    for w in widths:
        if w <= 0:
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
    if pad_values is None:
        left = right = b""
        pad = 0
    else:
        if isinstance(pad_values, (str, bytes)):
            left = right = _as_bytes(pad_values)
        elif isinstance(pad_values, (list, tuple)) and builtins.all(
                isinstance(v, (str, bytes)) for v in pad_values[:2]) and len(pad_values) >= 2:
            left, right = _as_bytes(pad_values[0]), _as_bytes(pad_values[1])
        else:
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        if padding_width is not None and padding_width < 1:
            raise ValueError("padding_width must be greater than 0.")
        pad = max(widths) if padding_width is None else int(padding_width)
    attrs = (widths, _as_bytes(separator), left, right, pad, bool(preserve_short_sequences))
    if isinstance(data, RaggedTensor):
        if isinstance(data.values, RaggedTensor):
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values,
                                           padding_width, preserve_short_sequences))
        values, counts = _ngrams((_strings(data.values, "tfx.strings.ngrams"),
                                  data.row_splits), attrs)
        return RaggedTensor.from_row_lengths(values, counts, validate=False)
    x = _strings(data, "tfx.strings.ngrams")
    shape = x._v.shape
    if not shape:
        raise ValueError("Data must have rank>0")
    from .ops.array_ops import reshape
    rows = 1
    for s in shape[:-1]:
        rows *= s
    splits = convert_to_tensor(xp.arange(rows + 1) * shape[-1], _int64)
    values, counts = _ngrams((reshape(x, (-1,)), splits), attrs)
    per_row = int(counts._v[0]) if rows else 0
    return reshape(values, tuple(shape[:-1]) + (per_row,))


# ---- joining by segment -------------------------------------------------------------------------

def _segment_join_fwd(ins, attrs):
    x, ids, n = ins
    sep, n = attrs, int(n)
    inner = tuple(x.shape[ids.ndim:])
    ids = ids.reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise fail("tfx.strings.unsorted_segment_join", "segment_ids are not allowed to "
                   "exceed num_segments or to have negative values.")
    width = 1
    for d in inner:
        width *= d
    rows = x.reshape((ids.size, width))
    parts = [[[] for _ in builtins.range(width)] for _ in builtins.range(n)]
    for i, seg in enumerate(ids.tolist()):
        for j in builtins.range(width):
            parts[seg][j].append(rows[i, j])
    out = xp.empty((n, width), dtype=object)
    for s in builtins.range(n):
        for j in builtins.range(width):
            out[s, j] = sep.join(parts[s][j])
    return (out.reshape((n,) + tuple(inner)),)


_segment_join = kernel("unsorted_segment_join", _segment_join_fwd,
                       "tfx.strings.unsorted_segment_join")


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Join the strings of each segment (in input order) with ``separator``; ``segment_ids``
    indexes the leading dimensions of ``inputs``; missing segments give ''."""
    api = "tfx.strings.unsorted_segment_join"
    x = _strings(inputs, api)
    ids = t(segment_ids) if isinstance(segment_ids, Tensor) else \
        convert_to_tensor(segment_ids, _int32)
    if not (ids._dtype.is_integer):
        raise invalid(api, f"segment_ids must be int32 or int64, got {ids._dtype.name}")
    k = ids._v.ndim
    if x._v.shape[:k] != ids._v.shape:
        raise invalid(api, f"segment_ids.shape = {list(ids._v.shape)} is not a prefix of "
                           f"input.shape = {list(x._v.shape)}")
    n = t(num_segments) if isinstance(num_segments, Tensor) else \
        convert_to_tensor(num_segments, _int32)
    return _segment_join((x, ids, n), _as_bytes(separator))[0]


# ---- hash buckets -------------------------------------------------------------------------------

def _bucket_fwd(ins, attrs):
    kind, n, key = attrs
    if kind == "strong":
        return (_sk.map_strings(lambda s: _hash.siphash24(key, s) % n, ins[0], xp.int64),)
    fn = _hash.fingerprint64 if kind == "fast" else _hash.legacy_hash64
    return (_sk.map_strings(lambda s: fn(s) % n, ins[0], xp.int64),)


_bucket = kernel("string_to_hash_bucket", _bucket_fwd, "tfx.strings.to_hash_bucket")


def _buckets(api, input, num_buckets, kind, key=None):  # noqa: A002
    n = int(num_buckets)
    if n < 1:
        raise invalid(api, f"Value for attr 'num_buckets' of {n} must be at least minimum 1")
    return _bucket((_strings(input, api),), (kind, n, key))[0]


@_ragged_aware
def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """Each string's bucket in ``[0, num_buckets)`` by FarmHash Fingerprint64 (int64)."""
    return _buckets("tfx.strings.to_hash_bucket_fast", input, num_buckets, "fast")


@_ragged_aware
def to_hash_bucket(input, num_buckets, name=None):  # noqa: A002
    """Each string's bucket by TensorFlow's older Hash64 (prefer ``to_hash_bucket_fast``)."""
    return _buckets("tfx.strings.to_hash_bucket", input, num_buckets, "legacy")


@_ragged_aware
def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Each string's bucket by SipHash-2-4 keyed with ``key`` (two ints): buckets an
    adversary cannot predict without the key."""
    api = "tfx.strings.to_hash_bucket_strong"
    k = [int(v) for v in (key._v.tolist() if hasattr(key, "_v") else key)]
    if len(k) != 2:
        raise invalid(api, "Key must have 2 elements")
    mask = (1 << 64) - 1
    k = (k[0] & mask, k[1] & mask)
    return _buckets(api, input, num_buckets, "strong", k)
