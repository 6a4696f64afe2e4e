"""``tfx.print``: print tensors when the program runs (every call of a graph, not its trace).

Formatting follows ``tf.print``: arrays without commas, ``summarize`` elements at each end of
an axis, floats with 9 significant digits (float32) or the shortest exact form (float64),
strings quoted inside tensors, Python values as they are.
"""
import sys

from .. import nest
from ..core.tensor import TensorBase, convert_to_tensor
from ._core import STATE, register, trace

__all__ = ["print_v2"]


def _scalar_text(v):
    kind = getattr(v, "dtype", None)
    kind = kind.kind if kind is not None else None
    if kind == "b":
        return "1" if v else "0"
    if kind == "f":
        # Few digits when they give the value back, else enough for any value (as TF).
        short, full = (6, 9) if v.dtype.itemsize <= 4 else (15, 17)
        text = "%.*g" % (short, v)
        return text if v.dtype.type(text) == v or v != v else "%.*g" % (full, v)
    if kind == "c":
        return "(%s,%s)" % (_scalar_text(v.real), _scalar_text(v.imag))
    if isinstance(v, bytes):
        return '"%s"' % v.decode("utf-8", "backslashreplace")
    return str(v)


def _array_text(a, summarize, indent=1):
    if a.ndim == 0:
        return _scalar_text(a[()])
    n = a.shape[0]
    cut = summarize is not None and 0 <= summarize and n > 2 * summarize
    idx = list(range(summarize)) + [None] + list(range(n - summarize, n)) if cut else range(n)
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else _scalar_text(a[i]) for i in idx) + "]"
    sep = "\n" * (a.ndim - 1) + " " * indent
    parts = ["..." if i is None else _array_text(a[i], summarize, indent + 1) for i in idx]
    return "[" + sep.join(parts) + "]"


def _text(template, arrays, summarize):
    """One printed argument: a nested Python value whose tensor leaves are in ``arrays``."""
    values = iter(arrays)

    def fmt(x):
        if x is _TENSOR:
            return _array_text(next(values), summarize)
        if isinstance(x, dict):
            return "{" + ", ".join(f"{k!r}: {fmt(v)}" for k, v in x.items()) + "}"
        if isinstance(x, (list, tuple)):
            inner = ", ".join(fmt(v) for v in x)
            return f"[{inner}]" if isinstance(x, list) else f"({inner})"
        return str(x)
    return fmt(template)


class _TensorMark:
    def __repr__(self):
        return "<tensor>"


_TENSOR = _TensorMark()


def _print_fwd(ins, attrs):
    if STATE.tracing is not None:  # a plan run while tracing (a loop's trip) prints nothing
        return ()
    templates, counts, stream, sep, end, summarize = attrs
    texts, pos = [], 0
    for template, n in zip(templates, counts):
        texts.append(_text(template, ins[pos:pos + n], summarize))
        pos += n
    line = sep.join(texts) + end
    if stream is None or stream == "stderr":
        sys.stderr.write(line)
    elif stream == "stdout":
        sys.stdout.write(line)
    elif isinstance(stream, str) and stream.startswith("file://"):
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(line)
    elif callable(stream):  # logging.info and the like
        stream(line.rstrip("\n"))
    else:
        stream.write(line)
    return ()


# No outputs: graph passes always keep it; it prints on every run of the graph.
PRINT = register("print", api="tfx.print", forward=_print_fwd, taped=False, stateful=True)


def _stream_name(stream):
    # sys.stderr / sys.stdout are looked up when printing, so a redirected stream is honoured.
    if stream is None or stream is sys.stderr or stream is sys.__stderr__:
        return "stderr"
    if stream is sys.stdout or stream is sys.__stdout__:
        return "stdout"
    return stream


def print_v2(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Print ``inputs`` (tensors, Python values, nested lists and dicts of them), as
    ``tf.print``: to stderr by default, ``summarize`` elements at each end of every axis
    (None or -1: all). Inside a ``tfx.function`` it prints on every call; Python's ``print``
    runs only while the function is traced."""
    templates, counts, tensors = [], [], []
    for x in inputs:
        leaves = []

        def mark(v):
            if isinstance(v, TensorBase):
                leaves.append(convert_to_tensor(v))
                return _TENSOR
            return v
        templates.append(nest.map_structure(mark, x) if nest.is_nested(x) else mark(x))
        counts.append(len(leaves))
        tensors.extend(leaves)
    s = None if summarize is None or summarize < 0 else int(summarize)
    attrs = (tuple(templates), tuple(counts), _stream_name(output_stream), sep, end, s)
    if STATE.tracing is not None:  # a node of the graph: it prints when the graph runs
        trace(PRINT, tuple(tensors), (), attrs)
        return None
    _print_fwd(tuple(x._v for x in tensors), attrs)
    return None
