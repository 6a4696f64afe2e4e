"""``tfx.saved_model.load``: a SavedModel folder back as an object whose functions run.

Nothing in the folder is executed as code: the JSON document is checked against the format
(version, keys, types), every graph is rebuilt through the checks of graphs.py and checks.py
(registered ops only, slots in range and earlier, dtypes from tfx's list, shapes and sizes
bounded), variables and constants come from safetensors with their declared dtypes and shapes
verified. The restored object has the saved attributes (functions, variables, child objects),
``signatures`` (a mapping of name -> function taking keyword tensors and returning a dict)
and, as a ``tfx.Module``, ``variables`` / ``trainable_variables``.
"""
import collections.abc
import json
import os

from ..core.tensor import wrap
from ..core.variable import Variable
from ..errors import ModelFormatError
from ..module import Module
from .codec import bad, check_shape, decode_strings, dtype_of, from_storage
from .restored import RestoredConcrete, RestoredFunction, SignatureFunction, keys
from .asset import ASSETS_DIRECTORY
from .saver import CONSTANTS_FILE, FILES, FORMAT, GRAPH_FILE, VARIABLES_FILE, VERSION

__all__ = ["load", "Loader", "RestoredObject", "RestoredFunction", "SignatureFunction",
           "LoadOptions"]

JSON_CAP = 1 << 30
MAX_DEPTH = 250


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
        keys(doc, ("format", "version", "variables", "functions", "concrete_functions",
                    "signatures", "root"), ("assets",), where=self.where(GRAPH_FILE))
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
            keys(v, ("name", "dtype", "shape", "trainable", "path"), ("strings",), at)
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

    def assets(self, doc, variables):
        """Point each Asset's path variable at its file in this folder's assets/."""
        items = doc.get("assets", [])
        if not isinstance(items, list):
            raise bad(self.path, "'assets' must be a list")
        for k, item in enumerate(items):
            at = self.where(f"asset {k}")
            if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int and
                    0 <= item[0] < len(variables) and isinstance(item[1], str)):
                raise bad(at, "an asset is [variable index, file name]")
            i, name = item
            if os.path.basename(name) != name or name in ("", ".", ".."):
                raise bad(at, f"the file name {name[:100]!r} is not a plain file name")
            rel = f"{ASSETS_DIRECTORY}/{name}"
            if rel not in self.entries and not os.path.isfile(os.path.join(self.path, rel)):
                raise bad(at, f"{rel} is missing")
            var = variables[i]
            if var.dtype.name != "string" or var.shape.rank != 0:
                raise bad(at, "its variable is not a scalar string")
            var.assign(os.path.join(os.path.abspath(self.path), ASSETS_DIRECTORY, name))

    def _restore(self):
        doc = self.document()
        variables = self.variables(doc)
        self.assets(doc, variables)
        consts = self.tensors(CONSTANTS_FILE)
        concrete = [RestoredConcrete(j, variables, consts, self.where(f"concrete function {i}"))
                    for i, j in enumerate(doc["concrete_functions"])]
        functions = []
        for i, f in enumerate(doc["functions"]):
            at = self.where(f"function {i}")
            keys(f, ("name", "input_signature", "concrete"), where=at)
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
            keys(s, ("concrete", "outputs"), where=at)
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
