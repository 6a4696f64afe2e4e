"""``tfx.saved_model.load``: a SavedModel folder back as an object whose functions run.

Nothing in the folder is executed as code: the JSON document is checked against the format
(version, keys, types), every graph is rebuilt through the checks of graphs.py (registered ops
only, slots in range and earlier, dtypes from tfx's list, shapes bounded), variables and
constants come from safetensors with their declared dtypes and shapes verified. The restored
object has the saved attributes (functions, variables, child objects), ``signatures`` (a
mapping of name -> function taking keyword tensors and returning a dict) and, as a
``tfx.Module``, ``variables`` / ``trainable_variables``.
"""
import collections.abc
import json
import math
import os

from ..core.state import STATE
from ..core.tensor import wrap
from ..core.variable import Variable
from ..data.specs import TensorSpec
from ..errors import InvalidArgumentError, ModelFormatError
from ..graph.graph import replay_taped
from ..module import Module
from .codec import AttrDecoder, bad, check_shape, decode_strings, dtype_of, from_storage
from .graphs import decode_graph
from .saver import CONSTANTS_FILE, FILES, FORMAT, GRAPH_FILE, VARIABLES_FILE, VERSION
from .structures import Mismatch, decode_struct, match, pack

__all__ = ["load", "Loader", "RestoredObject", "RestoredFunction", "SignatureFunction",
           "LoadOptions"]

JSON_CAP = 1 << 30
MAX_TOTAL = 2 ** 33      # elements over all values of a graph at its traced sizes
MAX_DEPTH = 250
_CACHED_SHAPES = 16


class LoadOptions:
    """Options for ``load`` (``tf.saved_model.LoadOptions``): accepted; none applies."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.experimental_io_device = experimental_io_device


class RestoredObject(Module):
    """A loaded object: the saved attributes, nothing of the class that defined them."""

    def __call__(self, *args, **kwargs):
        fn = vars(self).get("_restored_call")
        if fn is None:
            raise TypeError("This restored object is not callable (the saved object had no "
                            "traced __call__).")
        return fn(*args, **kwargs)

    def __repr__(self):
        return f"<tfx.saved_model RestoredObject {sorted(k for k in vars(self) if k[0] != '_')}>"


def _depth_ok(obj):
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > MAX_DEPTH:
            return False
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            stack.extend((v, d + 1) for v in o)
    return True


def _keys(j, required, optional=(), where=""):
    if not isinstance(j, dict):
        raise bad(where, "expected a JSON object")
    missing = [k for k in required if k not in j]
    extra = [k for k in j if k not in required and k not in optional]
    if missing or extra:
        raise bad(where, f"keys {sorted(missing)} missing, {sorted(extra)[:5]} unexpected")
    return j


class Loader:
    """Checks and rebuilds a SavedModel from ``{file name: bytes}``."""

    def __init__(self, path, entries):
        self.path = path
        self.entries = entries

    def where(self, what):
        return f"{self.path}: {what}"

    def document(self):
        try:
            doc = json.loads(self.entries[GRAPH_FILE].decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise bad(self.path, f"{GRAPH_FILE} is not valid JSON ({type(e).__name__}: "
                                 f"{e})"[:400]) from None
        if not _depth_ok(doc):
            raise bad(self.path, f"{GRAPH_FILE} nests deeper than {MAX_DEPTH} levels")
        _keys(doc, ("format", "version", "variables", "functions", "concrete_functions",
                    "signatures", "root"), where=self.where(GRAPH_FILE))
        if doc["format"] != FORMAT:
            raise bad(self.path, f"{GRAPH_FILE} is not a tfx SavedModel (format "
                                 f"{str(doc['format'])[:40]!r})")
        if doc["version"] != VERSION:
            raise bad(self.path, f"SavedModel version {str(doc['version'])[:20]} is not "
                                 f"supported (this tfx reads version {VERSION})")
        for k in ("variables", "functions", "concrete_functions"):
            if not isinstance(doc[k], list):
                raise bad(self.path, f"'{k}' must be a list")
        return doc

    def tensors(self, name):
        from ..keras.saving.archive import decode_tensors
        arrays, _ = decode_tensors(self.where(name), self.entries[name])
        return arrays

    def variables(self, doc):
        stored = self.tensors(VARIABLES_FILE)
        out, used = [], set()
        for i, v in enumerate(doc["variables"]):
            at = self.where(f"variable {i}")
            _keys(v, ("name", "dtype", "shape", "trainable", "path"), ("strings",), at)
            if not isinstance(v["name"], str) or not isinstance(v["path"], str) or \
                    type(v["trainable"]) is not bool:
                raise bad(at, "name and path must be strings, trainable a bool")
            d = dtype_of(v["dtype"], at)
            shape = check_shape(v["shape"], at)
            if v["path"] in used:
                raise bad(at, f"path {v['path'][:100]!r} is not unique")
            used.add(v["path"])
            if d.name == "string":
                value = decode_strings(v.get("strings"), shape, at)
            else:
                if v["path"] not in stored:
                    raise bad(at, f"its value is missing from {VARIABLES_FILE}")
                value = from_storage(stored[v["path"]], d, shape, at)
            name = v["name"][:200]
            name = name[:-2] if name.endswith(":0") else name
            out.append(Variable(wrap(value, d), trainable=v["trainable"], name=name))
        extra = set(stored) - used
        if extra:
            raise bad(self.where(VARIABLES_FILE), f"unexpected entries {sorted(extra)[:5]}")
        return out

    def restore(self):
        try:
            return self._restore()
        except ModelFormatError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                RecursionError) as e:
            # every check above names what is wrong; this is the net under them
            raise bad(self.path, f"malformed SavedModel ({type(e).__name__}: {e})"[:500]) \
                from None

    def _restore(self):
        doc = self.document()
        variables = self.variables(doc)
        consts = self.tensors(CONSTANTS_FILE)
        concrete = [RestoredConcrete(j, variables, consts, self.where(f"concrete function {i}"))
                    for i, j in enumerate(doc["concrete_functions"])]
        functions = []
        for i, f in enumerate(doc["functions"]):
            at = self.where(f"function {i}")
            _keys(f, ("name", "input_signature", "concrete"), where=at)
            idx = f["concrete"]
            if not isinstance(idx, list) or not idx or not all(
                    type(c) is int and 0 <= c < len(concrete) for c in idx):
                raise bad(at, "its concrete functions are out of range")
            functions.append(RestoredFunction(str(f["name"])[:200], [concrete[c] for c in idx],
                                              f["input_signature"] is True))
        sigs = doc["signatures"]
        if not isinstance(sigs, dict):
            raise bad(self.path, "'signatures' must be an object")
        signatures = {}
        for key, s in sigs.items():
            at = self.where(f"signature {key[:60]!r}")
            _keys(s, ("concrete", "outputs"), where=at)
            c = s["concrete"]
            if type(c) is not int or not 0 <= c < len(concrete):
                raise bad(at, "its concrete function is out of range")
            signatures[key] = SignatureFunction(key, concrete[c], s["outputs"], at)
        if not isinstance(doc["root"], dict) or set(doc["root"]) != {"object"}:
            raise bad(self.path, "the root must be an object node")
        root = RestoredObject()
        self.build(doc["root"], variables, functions, root, "root", 0)
        root.signatures = _SignatureMap(signatures)
        reached = {id(v) for v in root.variables}
        root._captured_variables = [v for v in variables if id(v) not in reached]
        return root

    def build(self, j, variables, functions, into, where, depth):
        """The value of one node of the object tree (``into``: the root, filled in place)."""
        at = self.where(f"object tree at {where[:200]}")
        if depth > 64 or not isinstance(j, dict) or len(j) != 1:
            raise bad(at, "malformed object tree node")
        (tag, v), = j.items()
        if tag == "variable" or tag == "function":
            pool = variables if tag == "variable" else functions
            if type(v) is not int or not 0 <= v < len(pool):
                raise bad(at, f"{tag} index out of range")
            return pool[v]
        if tag == "list":
            if not isinstance(v, list):
                raise bad(at, "a list node holds a list")
            return [None if x is None else self.build(x, variables, functions, None,
                                                      f"{where}/{i}", depth + 1)
                    for i, x in enumerate(v)]
        if tag == "dict":
            if not isinstance(v, list) or not all(isinstance(p, list) and len(p) == 2 and
                                                  isinstance(p[0], str) for p in v):
                raise bad(at, "a dict node is a list of [name, node] pairs")
            return {k: self.build(x, variables, functions, None, f"{where}/{k}", depth + 1)
                    for k, x in v}
        if tag != "object" or not isinstance(v, dict):
            raise bad(at, f"unknown node kind {tag[:30]!r}")
        obj = into if into is not None else RestoredObject()
        for name, x in v.items():
            value = self.build(x, variables, functions, None, f"{where}/{name}", depth + 1)
            if name == "__call__" and isinstance(value, RestoredFunction):
                obj._restored_call = value
                continue
            if not name.isidentifier() or hasattr(RestoredObject, name) or \
                    name.startswith("__"):
                raise bad(at, f"attribute name {name[:60]!r} is not allowed")
            setattr(obj, name, value)
        return obj


class RestoredConcrete:
    """One saved concrete function: its structures, specs and graph (rebuilt per size of its
    free dimensions, from the checked JSON)."""

    def __init__(self, j, variables, consts, where):
        _keys(j, ("name", "params", "defaults", "args", "kwargs", "specs", "outputs",
                  "output_specs", "graph", "free", "generic", "base"), where=where)
        self.where = where
        self.name = str(j["name"])[:200]
        if not isinstance(j["params"], list) or not all(isinstance(p, str) for p in j["params"]):
            raise bad(where, "params must be a list of names")
        self.params = j["params"]
        self.defaults = j["defaults"] if isinstance(j["defaults"], dict) else {}
        self.specs = []
        for s in j["specs"] if isinstance(j["specs"], list) else [None]:
            _keys(s, ("name", "dtype", "shape"), where=where)
            self.specs.append(TensorSpec(check_shape(s["shape"], where, allow_none=True),
                                         dtype_of(s["dtype"], where), str(s["name"])[:200]))
        n = len(self.specs)
        self.args = decode_struct(j["args"], n, where)
        self.kwargs = decode_struct(j["kwargs"], n, where)
        if not (self.args and "tuple" in self.args and self.kwargs and "dict" in self.kwargs):
            raise bad(where, "args must be a tuple structure and kwargs a dict structure")
        if len(self.params) != len(self.args["tuple"]):
            raise bad(where, "there must be one parameter name per positional argument")
        if sorted(_leaves(self.args) + _leaves(self.kwargs)) != list(range(n)):
            raise bad(where, "the arguments must hold each input tensor exactly once")
        self.free = j["free"]
        seen = set()
        if not isinstance(self.free, list) or not all(
                isinstance(g, list) and g for g in self.free):
            raise bad(where, "free dimensions must be non-empty groups")
        for f in (f for g in self.free for f in g):
            if not (isinstance(f, list) and len(f) == 2 and type(f[0]) is int and
                    0 <= f[0] < n and type(f[1]) is int and
                    0 <= f[1] < len(self.specs[f[0]].shape.as_list()) and
                    self.specs[f[0]].shape.as_list()[f[1]] is None and tuple(f) not in seen):
                raise bad(where, "free dimensions must name the None dimensions of the specs")
            seen.add(tuple(f))
        self.base = j["base"]
        if not isinstance(self.base, list) or len(self.base) != len(self.free) or not all(
                type(b) is int and 0 < b < 1 << 20 for b in self.base):
            raise bad(where, "base sizes are malformed")
        self.generic = j["generic"] is True
        self.graph_json = j["graph"]
        self.variables, self.consts = variables, consts
        self._graphs = {}
        g = self.graph(tuple(self.base))   # the whole graph checked now, not at the first call
        if len(g.inputs) != n:
            raise bad(where, f"the graph takes {len(g.inputs)} inputs for {n} specs")
        if [g.dtypes[s] for s in g.inputs] != [s.dtype for s in self.specs]:
            raise bad(where, "the graph's input dtypes differ from the specs")
        total = sum(math.prod(shape) for shape in g.shapes)
        if total > MAX_TOTAL:
            raise bad(where, f"the graph's values hold {total} elements in all, over the limit "
                             f"of {MAX_TOTAL}")
        self.outputs = decode_struct(j["outputs"], len(g.outputs), where)
        outs = j["output_specs"]
        if not isinstance(outs, list) or len(outs) != len(g.outputs):
            raise bad(where, "output_specs must describe each output")
        self.output_specs = [TensorSpec(check_shape(o[1], where, allow_none=True),
                                        dtype_of(o[0], where)) for o in outs]

    def graph(self, dims):
        g = self._graphs.get(dims)
        if g is None:
            consts, variables, where = self.consts, self.variables, self.where

            def sub(j, at):
                return decode_graph(j, AttrDecoder(variables, consts, dims, sub), at)
            g = sub(self.graph_json, f"{where} ({self.name})")
            if len(self._graphs) >= _CACHED_SHAPES:
                self._graphs.pop(next(iter(self._graphs)))
            self._graphs[dims] = g
        return g

    def bind(self, args, kwargs):
        """The flat input tensors for a call, or Mismatch saying why it does not fit."""
        args_j, kwargs_j = self.args["tuple"], dict(self.kwargs["dict"])
        if len(args) > len(args_j):
            raise Mismatch(f"takes {len(args_j)} positional arguments, got {len(args)}")
        values = dict(zip(self.params, args))
        for k, v in kwargs.items():
            if k in values:
                raise Mismatch(f"got multiple values for argument {k!r}")
            if k not in self.params and k not in kwargs_j:
                raise Mismatch(f"got an unexpected keyword argument {k!r}")
            values[k] = v
        out = [None] * len(self.specs)
        for name, s in list(zip(self.params, args_j)) + list(kwargs_j.items()):
            if name in values:
                match(s, values[name], self.specs, out)
            elif "python" in s and name in self.defaults and self.defaults[name] == s["python"]:
                continue
            else:
                raise Mismatch(f"missing argument {name!r}")
        return out

    def run(self, tensors):
        dims = []
        for group in self.free:
            sizes = {int(tensors[i]._v.shape[ax]) for i, ax in group}
            if len(sizes) != 1:
                raise InvalidArgumentError(None, self.name, (
                    f"saved function {self.name}: dimension {group[0][1]} must have one size "
                    f"across its inputs (it was traced that way), got {sorted(sizes)}."))
            dims.append(sizes.pop())
        dims = tuple(dims)
        if not self.generic and dims != tuple(self.base):
            raise InvalidArgumentError(None, self.name, (
                f"saved function {self.name}: its graph bakes in the sizes of its inputs' "
                f"None dimensions (it was traced with {self.base} there), so it runs only on "
                f"those sizes; got {list(dims)}."))
        g = self.graph(dims)
        if STATE.recording:   # under a tape: op by op, so gradients flow
            outs = replay_taped(g, list(tensors))
        else:
            plan = g.plan()
            arrays = plan([x._v for x in tensors])
            outs = [wrap(a, d) for a, d in zip(arrays, plan.out_dtypes)]
        return pack(self.outputs, outs)

    @property
    def structured_input_signature(self):
        args = tuple(pack(s, self.specs) for s in self.args["tuple"])
        return args, {k: pack(s, self.specs) for k, s in self.kwargs["dict"]}

    @property
    def structured_outputs(self):
        return pack(self.outputs, self.output_specs)


def _leaves(j):
    if j is None:
        return []
    (tag, v), = j.items()
    if tag == "tensor":
        return [v]
    if tag == "python":
        return []
    return [i for x in (v if tag != "dict" else [x for _, x in v]) for i in _leaves(x)]


class RestoredFunction:
    """A saved tfx.function: calls run the first concrete function the arguments fit."""

    def __init__(self, name, concrete, has_input_signature):
        self.__name__ = name
        self.concrete_functions = tuple(concrete)
        self._input_signature = has_input_signature

    def __call__(self, *args, **kwargs):
        reasons = []
        for cf in self.concrete_functions:
            try:
                tensors = cf.bind(args, kwargs)
            except Mismatch as e:
                reasons.append(str(e))
                continue
            return cf.run(tensors)
        options = "\n".join(f"  Option {i + 1}: {cf.structured_input_signature} ({r})"
                            for i, (cf, r) in enumerate(zip(self.concrete_functions, reasons)))
        msg = (f"Could not find matching concrete function to call loaded from the SavedModel "
               f"({self.__name__}). Expected one of:\n{options}")
        raise (TypeError if self._input_signature else ValueError)(msg)

    def __repr__(self):
        return f"<tfx.saved_model RestoredFunction {self.__name__}>"


class SignatureFunction:
    """A signature: keyword tensors by input name in, a dict of output tensors out."""

    def __init__(self, key, concrete, outputs, where):
        if not isinstance(outputs, list) or not all(
                isinstance(o, list) and len(o) == 2 and isinstance(o[0], str) and
                type(o[1]) is int and 0 <= o[1] < len(concrete.output_specs) for o in outputs):
            raise bad(where, "outputs must be [name, output index] pairs")
        self.name = key
        self._cf = concrete
        self._outputs = outputs
        self._names = [s.name for s in concrete.specs]

    def __call__(self, *args, **kwargs):
        if len(args) > len(self._names):
            raise TypeError(f"signature {self.name!r} takes {len(self._names)} inputs "
                            f"({self._names}), got {len(args)} positional arguments")
        values = dict(zip(self._names, args))
        for k, v in kwargs.items():
            if k not in self._names or k in values:
                raise TypeError(f"signature {self.name!r} got an unexpected keyword argument "
                                f"{k!r}; its inputs are {self._names}")
            values[k] = v
        missing = [n for n in self._names if n not in values]
        if missing:
            raise TypeError(f"signature {self.name!r} is missing required argument(s) "
                            f"{missing}; its inputs are {self._names}")
        tensors = []
        for name, spec in zip(self._names, self._cf.specs):
            out = [None]
            try:
                match({"tensor": 0}, values[name], [spec], out)
            except Mismatch as e:
                raise InvalidArgumentError(None, self.name, f"signature {self.name!r}, input "
                                           f"{name!r}: {e}") from None
            tensors.append(out[0])
        flat = self._cf.run(tensors)
        leaves = []
        _flatten(flat, leaves)
        return {k: leaves[i] for k, i in self._outputs}

    @property
    def structured_input_signature(self):
        return (), {n: s for n, s in zip(self._names, self._cf.specs)}

    @property
    def structured_outputs(self):
        return {k: TensorSpec(self._cf.output_specs[i].shape, self._cf.output_specs[i].dtype,
                              k) for k, i in self._outputs}

    def __repr__(self):
        return f"<tfx.saved_model signature {self.name!r} inputs={self._names}>"


def _flatten(x, out):
    if isinstance(x, dict):
        for v in x.values():
            _flatten(v, out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _flatten(v, out)
    elif x is not None:
        out.append(x)


class _SignatureMap(collections.abc.Mapping):
    """``loaded.signatures``: signature name -> function (read only)."""

    def __init__(self, sigs):
        self._sigs = dict(sigs)

    def __getitem__(self, key):
        return self._sigs[key]

    def __iter__(self):
        return iter(self._sigs)

    def __len__(self):
        return len(self._sigs)

    def __repr__(self):
        return f"_SignatureMap({list(self._sigs)})"


def load(export_dir, tags=None, options=None):
    """Load a SavedModel folder written by ``tfx.saved_model.save`` (``tf.saved_model.load``).

    Returns a restored object: the saved functions and variables as attributes, ``signatures``
    and ``variables``. OSError if the folder or a file is missing; ModelFormatError (a
    DataLossError) for a corrupted or hostile file, naming what is wrong."""
    from ..keras.saving.archive import read_file
    path = os.fspath(export_dir)
    if not os.path.isdir(path) or not os.path.isfile(os.path.join(path, GRAPH_FILE)):
        raise OSError(f"SavedModel file does not exist at: {path}/{GRAPH_FILE}")
    entries = {}
    for name in FILES:
        p = os.path.join(path, name)
        if not os.path.isfile(p):
            raise OSError(f"SavedModel at {path} is incomplete: {name} is missing")
        entries[name] = read_file(p, JSON_CAP if name == GRAPH_FILE else 1 << 40)
    return Loader(path, entries).restore()
