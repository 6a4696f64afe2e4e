"""Values of a saved graph as JSON, and back, from a closed set of types only.

An attr (what an op recorded besides its inputs) is written as JSON numbers, strings, lists
(Python tuples) and one-key objects naming what they hold: ``{"list": [...]}``, ``{"dtype":
"float32"}``, ``{"slice": [0, 2, null]}``, ``{"array": ..., "dtype": ..., "shape": ...}`` (small
arrays inline), ``{"filled": v, ...}`` (one value repeated), ``{"tensor": key}`` (larger
arrays, in the constants file), ``{"variable": i}``, ``{"window": {...}}`` (a convolution's
window), ``{"subgraphs": ...}`` (the branches of a cond, the body of a loop). ``{"sym": [k, a,
c]}`` is an integer that follows the k-th free dimension of the inputs: ``a * size + c`` (a
reshape target that holds the batch size).

Reading builds nothing but numbers, strings, tuples, lists, dicts, slices, NumPy arrays, tfx
dtypes, the variables of the file and convolution windows checked for consistency; anything else
is refused with a ModelFormatError naming the op and the function.
"""
import base64
import hashlib
import math

import numpy as np  # arrays are decoded from JSON and safetensors here, at the file's edge

from .. import dtypes as _dt
from ..core.variable import Variable
from ..errors import ModelFormatError

__all__ = ["DTYPES", "MAX_ELEMENTS", "SaveError", "AttrEncoder", "AttrDecoder", "dtype_of", "host",
           "check_shape", "to_storage", "from_storage", "encode_strings", "decode_strings"]

DTYPES = {d.name: d for d in _dt._ALL}
_NP_DTYPES = {str(d._np): d._np for d in _dt._ALL if d.name not in ("string", "bfloat16")}
MAX_ELEMENTS = 2 ** 31      # per tensor: more is refused before anything is allocated
_INLINE = 64                # arrays up to this many elements stay in the JSON
_INT_LIMIT = 2 ** 63


class SaveError(ValueError):
    """A function cannot be saved as data (an attr of a type saved graphs cannot hold)."""


def bad(where, reason):
    return ModelFormatError(None, None, f"{where}: {reason}")


def dtype_of(name, where):
    d = DTYPES.get(name) if isinstance(name, str) else None
    if d is None:
        raise bad(where, f"unknown dtype {str(name)[:50]!r}; saved graphs use only "
                         f"{', '.join(sorted(DTYPES))}")
    return d


def check_shape(shape, where, allow_none=False):
    """A shape from a file: a list of non-negative ints (None where allowed), at most
    MAX_ELEMENTS elements in all."""
    if not isinstance(shape, list) or len(shape) > 32:
        raise bad(where, f"a shape must be a list of at most 32 dimensions, got "
                         f"{str(shape)[:80]}")
    n = 1
    for d in shape:
        if d is None and allow_none:
            continue
        if type(d) is not int or d < 0:
            raise bad(where, f"bad dimension {str(d)[:30]} in shape {str(shape)[:80]}")
        n *= d
    if n > MAX_ELEMENTS:
        raise bad(where, f"shape {shape} holds {n} elements, over the limit of {MAX_ELEMENTS}")
    return tuple(shape)


def host(a):
    """A NumPy array of a backend array (GPU arrays are copied to the host)."""
    return a.get() if type(a).__module__.startswith("cupy") else np.asarray(a)


# ---- arrays in safetensors (which has no bfloat16, complex128 or strings) --------------------

def to_storage(array, dtype):
    a = np.asarray(array, order="C")
    if dtype.name == "bfloat16":
        return a.view(np.uint16)
    if dtype.is_complex:
        return a.view(np.float32 if dtype.name == "complex64" else np.float64).reshape(
            a.shape + (2,))
    return a


def from_storage(stored, dtype, shape, where):
    """The array of ``dtype`` and ``shape`` that ``to_storage`` wrote, checked."""
    if dtype.name == "bfloat16":
        want, st_shape = np.dtype(np.uint16), shape
    elif dtype.is_complex:
        want = np.dtype(np.float32 if dtype.name == "complex64" else np.float64)
        st_shape = shape + (2,)
    else:
        want, st_shape = np.dtype(dtype._np), shape
    if stored.dtype != want or tuple(stored.shape) != tuple(st_shape):
        raise bad(where, f"stored as {stored.dtype}{list(stored.shape)}, but declared "
                         f"{dtype.name}{list(shape)}")
    a = np.asarray(stored, order="C")
    if dtype.name == "bfloat16":
        return a.view(dtype._np)
    if dtype.is_complex:
        return a.view(dtype._np).reshape(shape)
    return a


def encode_strings(array):
    return [base64.b64encode(bytes(s) if not isinstance(s, str) else s.encode()).decode()
            for s in np.asarray(array, dtype=object).reshape(-1)]


def decode_strings(items, shape, where):
    n = math.prod(shape)
    if not isinstance(items, list) or len(items) != n or not all(isinstance(s, str)
                                                                 for s in items):
        raise bad(where, f"a string tensor of shape {list(shape)} needs {n} base64 strings")
    try:
        vals = [base64.b64decode(s, validate=True) for s in items]
    except ValueError:
        raise bad(where, "a string tensor holds invalid base64") from None
    out = np.empty(n, dtype=object)
    out[:] = vals
    return out.reshape(shape)


def _digest(a):
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()[:32]


# ---- attrs -------------------------------------------------------------------------------------

class AttrEncoder:
    """Attrs to JSON for one function: ``variables`` maps id(var) -> index (added to as new
    variables appear), ``tensors`` collects the arrays too big to inline."""

    def __init__(self, variables, var_list, tensors, prefix, encode_graph):
        self.variables = variables
        self.var_list = var_list
        self.tensors = tensors
        self.prefix = prefix
        self.encode_graph = encode_graph
        self.where = ""

    def array(self, a, dtype):
        if dtype.name == "string":
            return {"strings": encode_strings(a), "shape": list(a.shape)}
        if a.size > 1 and bool((a == a.flat[0]).all()):
            # One value repeated (zeros for an RNN's first state): its shape may then follow
            # the batch size like any integer attr.
            return {"filled": self(a.flat[0].item()), "dtype": dtype.name,
                    "shape": list(a.shape)}
        if a.size <= _INLINE and not dtype.is_complex and dtype.name != "bfloat16":
            return {"array": a.tolist(), "dtype": dtype.name, "shape": list(a.shape)}
        stored = to_storage(a, dtype)
        # Named by content: equal constants share an entry, and traces compare by key.
        key = f"{self.prefix}{_digest(stored)}"
        self.tensors[key] = stored
        return {"tensor": key, "dtype": dtype.name, "shape": list(a.shape)}

    def __call__(self, x):
        c = x.__class__
        if x is None or c is bool or c is str:
            return x
        if c is int:
            if not -_INT_LIMIT <= x < _INT_LIMIT:
                raise SaveError(f"{self.where}: the integer {x} does not fit in 64 bits")
            return x
        if c is float:
            return x if math.isfinite(x) else {"float": repr(x)}
        if c is tuple:
            return [self(v) for v in x]
        if c is list:
            return {"list": [self(v) for v in x]}
        if c is dict:
            return {"dict": [[self(k), self(v)] for k, v in x.items()]}
        if c is complex:
            return {"complex": [self(x.real), self(x.imag)]}
        if c is bytes:
            return {"bytes": base64.b64encode(x).decode()}
        if c is slice:
            return {"slice": [self(x.start), self(x.stop), self(x.step)]}
        if x is Ellipsis:
            return {"ellipsis": 0}
        if c is _dt.DType:
            return {"dtype": x.name}
        if isinstance(x, np.dtype) and str(x) in _NP_DTYPES:
            return {"np_dtype": str(x)}
        if isinstance(x, np.ndarray) or c.__module__.startswith("cupy"):
            x = host(x)
            return self.array(x, _dt.from_numpy(x.dtype))
        if isinstance(x, np.generic) and not isinstance(x, (np.object_, np.void)):
            d = _dt.from_numpy(x.dtype)
            return {"scalar": self.array(np.asarray(x), d)}
        if isinstance(x, Variable):
            i = self.variables.get(id(x))
            if i is None:
                i = self.variables[id(x)] = len(self.var_list)
                self.var_list.append(x)
            return {"variable": i}
        name = c.__name__
        if name == "SubGraphs":
            return {"subgraphs": [self.encode_graph(g) for g in x.graphs], "info": self(x.info)}
        if name == "_Window":
            return {"window": {f: self(getattr(x, f)) for f in _WINDOW_FIELDS}}
        if name == "_TensorMark":
            return {"print_tensor": 0}
        from ..core.shape import TensorShape
        if c is TensorShape:
            return {"shape": None if x.rank is None else [self(d) for d in x.as_list()]}
        raise SaveError(f"{self.where}: an attr holds a {c.__module__}.{c.__qualname__} "
                        f"({str(x)[:80]!r}), which a saved graph cannot hold as data")


_WINDOW_FIELDS = ("x_shape", "ksize", "strides", "dilations", "pads", "out", "w_shape",
                  "depthwise")
_ONE_KEY = {"list", "dict", "complex", "bytes", "slice", "ellipsis", "dtype", "np_dtype",
            "variable", "window", "print_tensor", "shape", "float", "sym", "scalar"}
_ARRAY_KEYS = {"array": {"array", "dtype", "shape"}, "tensor": {"tensor", "dtype", "shape"},
               "filled": {"filled", "dtype", "shape"},
               "strings": {"strings", "shape"}, "subgraphs": {"subgraphs", "info"}}


class AttrDecoder:
    """JSON to attrs, refusing anything outside the closed set. ``dims``: the sizes of the
    free input dimensions (``sym`` ints resolve to them); ``decode_graph(json)`` rebuilds a
    sub-graph."""

    def __init__(self, variables, tensors, dims, decode_graph):
        self.variables = variables
        self.tensors = tensors
        self.dims = dims
        self.decode_graph = decode_graph
        self.where = ""

    def fail(self, reason):
        raise bad(self.where, reason)

    def int(self, x):
        if type(x) is not int or not -_INT_LIMIT <= x < _INT_LIMIT:
            self.fail(f"expected a 64-bit integer, got {str(x)[:40]}")
        return x

    def resolve(self, x):
        """Lists of numbers with symbolic dimensions resolved (shapes, inline values)."""
        if isinstance(x, list):
            return [self.resolve(v) for v in x]
        if isinstance(x, dict) and set(x) == {"sym"}:
            return self._sym(x["sym"])
        return x

    def array(self, j):
        shape = check_shape(self.resolve(j.get("shape")), self.where)
        if "filled" in j:
            d = dtype_of(j.get("dtype"), self.where)
            v = self(j["filled"])
            if d.name == "string" or v.__class__ not in (bool, int, float, complex) or (
                    isinstance(v, complex) and not d.is_complex):
                self.fail(f"a filled {d.name} constant needs a number")
            try:
                return np.full(shape, v, dtype=d._np)
            except (OverflowError, TypeError, ValueError):
                self.fail(f"{str(v)[:30]} is not a {d.name} value")
        if "strings" in j:
            return decode_strings(j["strings"], shape, self.where)
        d = dtype_of(j.get("dtype"), self.where)
        if "tensor" in j:
            key = j["tensor"]
            stored = self.tensors.get(key) if isinstance(key, str) else None
            if stored is None:
                self.fail(f"the constant {str(key)[:60]!r} is missing from the constants file")
            return from_storage(stored, d, shape, f"{self.where}: constant {key!r}")
        if d.name == "string" or d.is_complex or d.name == "bfloat16":
            self.fail(f"{d.name} arrays are not written inline")
        flat = self.resolve(j["array"])
        try:
            a = np.array(flat, dtype=d._np)
        except (TypeError, ValueError, OverflowError):
            self.fail(f"an inline {d.name} array holds values of another type")
        if a.dtype == object or a.shape != shape:
            self.fail(f"an inline array does not have its declared shape {list(shape)}")
        return a

    def __call__(self, j):
        c = j.__class__
        if j is None or c is bool or c is str:
            return j
        if c is int:
            return self.int(j)
        if c is float:
            return j
        if c is list:
            return tuple(self(v) for v in j)
        if c is not dict:
            self.fail(f"an attr of JSON type {c.__name__} is not allowed")
        keys = set(j)
        for tag, allowed in _ARRAY_KEYS.items():
            if tag in keys:
                if not keys <= allowed:
                    self.fail(f"unexpected keys {sorted(keys - allowed)} in an attr")
                if tag == "subgraphs":
                    return self.subgraphs(j)
                return self.array(j)
        if len(keys) != 1 or not keys <= _ONE_KEY:
            self.fail(f"unknown attr encoding with keys {sorted(keys)[:5]}")
        (tag, v), = j.items()
        return getattr(self, "_" + tag)(v)

    def _list(self, v):
        if not isinstance(v, list):
            self.fail("a list attr must hold a JSON list")
        return [self(x) for x in v]

    def _dict(self, v):
        if not isinstance(v, list) or not all(isinstance(p, list) and len(p) == 2 for p in v):
            self.fail("a dict attr must be a list of [key, value] pairs")
        out = {}
        for k, x in v:
            k = self(k)
            try:
                out[k] = self(x)
            except TypeError:
                self.fail("a dict attr has an unhashable key")
        return out

    def _complex(self, v):
        if not isinstance(v, list) or len(v) != 2:
            self.fail("a complex attr is [real, imag]")
        re, im = self(v[0]), self(v[1])
        if not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in (re, im)):
            self.fail("a complex attr needs numbers")
        return complex(re, im)

    def _bytes(self, v):
        try:
            return base64.b64decode(v, validate=True)
        except (TypeError, ValueError):
            self.fail("a bytes attr holds invalid base64")

    def _slice(self, v):
        if not isinstance(v, list) or len(v) != 3:
            self.fail("a slice attr is [start, stop, step]")
        parts = [self(p) for p in v]
        if not all(p is None or type(p) is int for p in parts):
            self.fail("a slice attr holds integers or nulls only")
        return slice(*parts)

    def _ellipsis(self, v):
        return Ellipsis

    def _dtype(self, v):
        return dtype_of(v, self.where)

    def _np_dtype(self, v):
        d = _NP_DTYPES.get(v) if isinstance(v, str) else None
        if d is None:
            self.fail(f"unknown NumPy dtype {str(v)[:40]!r}")
        return np.dtype(d)

    def _float(self, v):
        if v not in ("nan", "inf", "-inf"):
            self.fail(f"a float attr spelled {str(v)[:20]!r}")
        return float(v)

    def _scalar(self, v):
        if not isinstance(v, dict):
            self.fail("a scalar attr holds an array")
        a = self(v)
        if not isinstance(a, np.ndarray) or a.shape != ():
            self.fail("a scalar attr holds a 0-d array")
        return a[()]

    def _variable(self, v):
        if type(v) is not int or not 0 <= v < len(self.variables):
            self.fail(f"variable index {str(v)[:20]} is out of range "
                      f"(the file has {len(self.variables)} variables)")
        return self.variables[v]

    def _print_tensor(self, v):
        from ..ops.logging_ops import _TENSOR
        return _TENSOR

    def _shape(self, v):
        from ..core.shape import TensorShape
        if v is None:
            return TensorShape(None)
        return TensorShape(check_shape([self(d) for d in v] if isinstance(v, list) else v,
                                       self.where, allow_none=True))

    def _sym(self, v):
        if not isinstance(v, list) or len(v) != 3 or not all(type(p) is int for p in v) or \
                not 0 <= v[0] < len(self.dims):
            self.fail(f"a symbolic dimension [k, a, c] is malformed: {str(v)[:60]}")
        k, a, c = v
        return self.int(a * self.dims[k] + c)

    def _window(self, v):
        from ..ops.conv_ops import _Window
        if not isinstance(v, dict) or set(v) != set(_WINDOW_FIELDS):
            self.fail(f"a window attr needs exactly the fields {list(_WINDOW_FIELDS)}")
        f = {k: self(x) for k, x in v.items()}
        check_window(f, self.fail)
        win = object.__new__(_Window)
        for k, x in f.items():
            setattr(win, k, x)
        return win

    def subgraphs(self, j):
        from ..graph.tracing import SubGraphs
        gs = j["subgraphs"]
        if not isinstance(gs, list) or not 1 <= len(gs) <= 2:
            self.fail("a control-flow node holds one or two sub-graphs")
        where = self.where
        graphs = [self.decode_graph(g, f"{where} sub-graph {i}") for i, g in enumerate(gs)]
        self.where = where
        return SubGraphs(graphs, self(j.get("info")))


def _ints(x, n=None, low=0):
    return isinstance(x, tuple) and (n is None or len(x) == n) and all(
        type(v) is int and v >= low for v in x)


def check_window(f, fail):
    """A convolution/pooling window must be what _Window would compute for its input shape:
    its forwards index the input with these numbers (strided views, native kernels)."""
    xs, ks = f["x_shape"], f["ksize"]
    n = len(ks) if isinstance(ks, tuple) else -1
    ok = n in (1, 2, 3) and _ints(xs, n + 2) and _ints(ks, n, 1) and \
        _ints(f["strides"], n, 1) and _ints(f["dilations"], n, 1) and \
        isinstance(f["pads"], tuple) and len(f["pads"]) == n and \
        all(_ints(p, 2) for p in f["pads"]) and _ints(f["out"], n) and \
        type(f["depthwise"]) is bool and (f["w_shape"] is None or _ints(f["w_shape"]))
    if not ok:
        fail("a convolution window attr is malformed")
    if math.prod(xs) > MAX_ELEMENTS or math.prod(f["out"]) > MAX_ELEMENTS or (
            f["w_shape"] is not None and math.prod(f["w_shape"]) > MAX_ELEMENTS):
        fail("a convolution window describes more than 2**31 elements")
    for i in range(n):
        eff = (ks[i] - 1) * f["dilations"][i] + 1
        num = xs[1 + i] + sum(f["pads"][i]) - eff
        want = num // f["strides"][i] + 1 if num >= 0 else 0
        if f["out"][i] != want:
            fail(f"a convolution window's output size {f['out'][i]} does not follow from its "
                 f"input size {xs[1 + i]}, kernel, stride and padding (expected {want})")
