"""``tfx.saved_model.save``: an object's traced functions and variables written as data.

The object is walked through its attributes (modules, lists, dicts, objects holding functions
or variables): each ``tfx.function`` with an ``input_signature`` or with traces is saved as its
concrete functions, each variable by the attribute path where it is first found. A concrete
function is its graph (JSON naming registered ops; see graphs.py), its argument and result
structures and TensorSpecs. The None dimensions at one axis (the batch of every input) are
traced together at three sizes: when the graphs differ only in integers linear in that size
(attrs, shapes, repeated-value constants), the saved graph runs on every size; otherwise it is
saved as one fixed-size program that refuses other sizes when called.

The export folder holds ``saved_model.json``, ``variables.safetensors`` and
``constants.safetensors``, written to a temporary folder and renamed: a failed save leaves
nothing half-written. Before writing, the document is read back by the loader's checks, so a
file that ``save`` writes is one that ``load`` accepts.
"""
import inspect
import json
import os
import warnings

from ..graph import structure as S
from ..graph.function import ConcreteFunction, Function
from ..graph.graph import zeros_for
from ..core.variable import Variable
from ..module import Module
from .codec import AttrEncoder, SaveError, encode_strings, host, to_storage
from .graphs import NotGeneric, encode_graph, merge_variants
from .structures import encode_struct
from .asset import ASSETS_DIRECTORY, Asset

__all__ = ["save", "SaveOptions", "FORMAT", "VERSION", "GRAPH_FILE", "VARIABLES_FILE",
           "CONSTANTS_FILE", "FILES"]

FORMAT = "tfx.saved_model"
VERSION = 1
GRAPH_FILE = "saved_model.json"
VARIABLES_FILE = "variables.safetensors"
CONSTANTS_FILE = "constants.safetensors"
FILES = (GRAPH_FILE, VARIABLES_FILE, CONSTANTS_FILE)
SIZES = (2, 3, 5)            # a free dimension is traced at these sizes
RESERVED = {"signatures", "variables", "trainable_variables", "non_trainable_variables",
            "submodules", "name", "name_scope", "with_name_scope"}


class SaveOptions:
    """Options for ``save`` (``tf.saved_model.SaveOptions``): accepted for compatibility;
    none changes what tfx writes."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None,
                 experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None,
                 extra_tags=None):
        self.namespace_whitelist = namespace_whitelist
        self.save_debug_info = save_debug_info
        self.function_aliases = function_aliases
        self.experimental_io_device = experimental_io_device
        self.extra_tags = extra_tags


class _Saver:
    def __init__(self):
        self.var_index, self.var_list, self.var_paths = {}, [], {}
        self.tensors = {}
        self.concrete, self.cf_index = [], {}
        self.functions, self.fn_index = [], {}
        self.visited = set()
        self.assets = []        # [variable index, file name in assets/, source path]

    # -- variables and the object tree ----------------------------------------------------------
    def variable(self, var, path):
        i = self.var_index.get(id(var))
        if i is None:
            i = self.var_index[id(var)] = len(self.var_list)
            self.var_list.append(var)
        self.var_paths.setdefault(i, path)
        return {"variable": i}

    def object_node(self, obj, path, root=False):
        self.visited.add(id(obj))
        skip = getattr(obj, "_TRACK_SKIP", frozenset())
        items = [(k, v) for k, v in vars(obj).items() if k not in skip] if hasattr(
            obj, "__dict__") else []
        items += [(k, getattr(obj, k)) for k in _class_functions(type(obj))]
        attrs = {}
        for name, value in items:
            node = self.value(value, path + [name], len(path))
            if node is not None:
                if name in RESERVED or name.startswith("__") and name != "__call__":
                    raise SaveError(f"attribute {'/'.join(path + [name])!r} holds a function "
                                    "or variable under a name the loaded object reserves; "
                                    "rename it")
                attrs[name] = node
        return {"object": attrs} if attrs or root else None

    def value(self, v, path, depth):
        if depth > 12:
            return None
        if isinstance(v, Asset):
            return self.asset(v, path)
        if isinstance(v, Variable):
            return self.variable(v, "/".join(path))
        if isinstance(v, Function):
            i = self.function(v, path[-1])
            return None if i is None else {"function": i}
        if isinstance(v, (list, tuple)):
            items = [self.value(x, path + [str(i)], depth + 1) for i, x in enumerate(v)]
            return {"list": items} if any(x is not None for x in items) else None
        if isinstance(v, dict):
            items = [[k, self.value(x, path + [k], depth + 1)] for k, x in v.items()
                     if isinstance(k, str)]
            items = [p for p in items if p[1] is not None]
            return {"dict": items} if items else None
        if id(v) in self.visited or not _trackable(v):
            return None
        return self.object_node(v, path)

    def asset(self, asset, path):
        """An Asset: its path variable, and its file to copy into assets/ (named after the
        source file, made unique)."""
        node = self.variable(asset.asset_path, "/".join(path + ["asset_path"]))
        i = node["variable"]
        if not any(a[0] == i for a in self.assets):
            source = asset.asset_path.numpy().decode("utf-8")
            if not os.path.isfile(source):
                raise SaveError(f"Asset at {'/'.join(path)!r}: {source!r} is not a file")
            base = os.path.basename(source) or "asset"
            name, n, taken = base, 0, {a[1] for a in self.assets}
            while name in taken:
                n += 1
                stem, ext = os.path.splitext(base)
                name = f"{stem}_{n}{ext}"
            self.assets.append([i, name, source])
        return {"object": {"asset_path": node}}

    # -- functions ------------------------------------------------------------------------------
    def function(self, fn, name):
        i = self.fn_index.get(id(fn))
        if i is not None:
            return i
        cfs = list(fn._all)
        if not cfs and fn.input_signature is not None:
            cfs = [fn.get_concrete_function()]
        if not cfs:
            return None
        i = self.fn_index[id(fn)] = len(self.functions)
        self.functions.append(None)
        self.functions[i] = {"name": name, "input_signature": fn.input_signature is not None,
                             "concrete": [self.concrete_function(cf) for cf in cfs]}
        return i

    def concrete_function(self, cf):
        i = self.cf_index.get(id(cf))
        if i is not None:
            return i
        fn = cf._function
        where = fn.description()
        _, (args, kwargs) = cf._struct
        params = fn._param_names(len(args[1]))
        specs = list(cf._specs)
        names = S.leaf_names(cf._struct, params)
        groups = {}   # None dims at one axis vary together (the batch of every input)
        for li, spec in enumerate(specs):
            if spec.shape.rank is None:
                raise SaveError(f"{where}: input {names[li]} has an unknown rank; a saved "
                                "function needs at least the rank of each input")
            for ax, d in enumerate(spec.shape.as_list()):
                if d is None:
                    groups.setdefault(ax, []).append([li, ax])
        free = list(groups.values())
        base = [[SIZES[0] if d is None else d for d in s.shape.as_list()] for s in specs]
        tr = _trace(cf, base)
        enc = AttrEncoder(self.var_index, self.var_list, self.tensors, "c", None)
        enc.encode_graph = lambda g: encode_graph(g, enc, fn.__name__)
        graph, out_shapes = enc.encode_graph(tr.graph), _out_shapes(tr.graph)
        try:
            for k, group in enumerate(free):
                graph = self.generalize(cf, graph, out_shapes, base, k, group)
        except NotGeneric as e:
            graph, out_shapes = enc.encode_graph(tr.graph), _out_shapes(tr.graph)
            warnings.warn(f"{where}: its graph depends on the size of {e}; the saved function "
                          f"runs only on inputs of the traced shapes {base}.", stacklevel=4)
            generic = False
        else:
            generic = True
        sig = fn._signature
        defaults = {}
        if sig is not None:
            for p in sig.parameters.values():
                if p.default is not inspect.Parameter.empty and \
                        p.default.__class__ in (type(None), bool, int, float, str):
                    defaults[p.name] = p.default
        i = self.cf_index[id(cf)] = len(self.concrete)
        self.concrete.append({
            "name": fn.__name__, "params": params, "defaults": defaults,
            "args": encode_struct(args, where), "kwargs": encode_struct(kwargs, where),
            "specs": [{"name": s.name or n, "dtype": s.dtype.name,
                       "shape": s.shape.as_list()} for s, n in zip(specs, names)],
            "outputs": encode_struct(tr.out_struct, where),
            "output_specs": [[tr.graph.dtypes[s].name, o]
                             for s, o in zip(tr.graph.outputs, out_shapes)],
            "graph": graph, "free": free, "generic": generic,
            "base": [SIZES[0]] * len(free)})
        return i

    def generalize(self, cf, graph, out_shapes, base, k, group):
        """``graph`` with the integers that follow free dimension ``k`` made symbolic, from
        traces at the other SIZES; NotGeneric when the graph is not one program for all."""
        variants = []
        for size in SIZES[1:]:
            shapes = [list(s) for s in base]
            for li, ax in group:
                shapes[li][ax] = size
            try:
                vt = _trace(cf, shapes)
            except Exception as e:  # noqa: BLE001 - the Python cannot run at that size
                raise NotGeneric(f"dimension {group[0][1]} (tracing at size {size} failed: "
                                 f"{type(e).__name__}: {e})") from None
            scratch = AttrEncoder(dict(self.var_index), list(self.var_list), {}, "c", None)
            scratch.encode_graph = lambda g, e=scratch: encode_graph(g, e, cf._function.__name__)
            variants.append(scratch.encode_graph(vt.graph))
            for o, shape in zip(out_shapes, _out_shapes(vt.graph)):
                o[:] = [a if a == b else None for a, b in zip(o, shape)]
        try:
            return merge_variants(graph, variants, k, SIZES)
        except NotGeneric as e:
            raise NotGeneric(f"dimension {group[0][1]} of the inputs: {e}") from None

    # -- signatures -----------------------------------------------------------------------------
    def signatures(self, signatures, root_functions):
        if signatures is None:
            # As TF: a lone tfx.function with an input_signature becomes the default.
            candidates = [f for f in root_functions if f.input_signature is not None]
            if len(candidates) != 1:
                return {}
            signatures = candidates[0]
        if not isinstance(signatures, dict):
            signatures = {"serving_default": signatures}
        out = {}
        for key, f in signatures.items():
            if not isinstance(key, str):
                raise ValueError(f"Signature names must be strings, got {key!r}.")
            if isinstance(f, Function) and f.input_signature is not None:
                f = f.get_concrete_function()
            if not isinstance(f, ConcreteFunction):
                raise ValueError("Expected a tfx.function for which to generate a signature, "
                                 f"but got {f!r}. Only `tfx.function`s with an input signature "
                                 "or concrete functions can be used as a signature.")
            i = self.concrete_function(f)
            cf = self.concrete[i]
            where = f"signature {key!r}"
            if _has_python(cf["args"]) or _has_python(cf["kwargs"]):
                raise ValueError(f"{where}: a signature function takes tensors only; "
                                 f"{cf['name']} was traced with Python arguments.")
            names = [s["name"] for s in cf["specs"]]
            if len(set(names)) != len(names):
                raise ValueError(f"{where}: input names {names} are not unique; name the "
                                 "TensorSpecs.")
            out[key] = {"concrete": i, "outputs": _output_keys(cf["outputs"], where)}
        return out

    def document(self, root, signatures):
        variables, taken = [], set()
        for i, v in enumerate(self.var_list):
            path = self.var_paths.get(i, f"_captured/{i}")
            while path in taken:  # a dict key holding "/" could repeat an attribute path
                path += "_"
            taken.add(path)
            variables.append({"name": v.name, "dtype": v.dtype.name,
                              "shape": list(v.shape.as_list()), "trainable": bool(v.trainable),
                              "path": path})
            if v.dtype.name == "string":
                variables[-1]["strings"] = encode_strings(host(v.numpy()))
        doc = {"format": FORMAT, "version": VERSION, "variables": variables,
               "functions": self.functions, "concrete_functions": self.concrete,
               "signatures": signatures, "root": root}
        if self.assets:
            # The folder, not the source path, is what a loaded model reads.
            for i, name, _ in self.assets:
                variables[i]["strings"] = encode_strings([f"{ASSETS_DIRECTORY}/{name}"])
            doc["assets"] = [[i, name] for i, name, _ in self.assets]
        return doc

    def files(self, doc):
        from ..keras.saving.archive import encode_tensors
        # keyed by path: the weights file reads on its own (``safetensors`` tools, other code)
        values = {d["path"]: to_storage(host(v.numpy()), v.dtype)
                  for d, v in zip(doc["variables"], self.var_list) if v.dtype.name != "string"}
        entries = {GRAPH_FILE: json.dumps(doc, allow_nan=False).encode("utf-8"),
                   VARIABLES_FILE: encode_tensors(values),
                   CONSTANTS_FILE: encode_tensors(dict(self.tensors))}
        for _, name, source in self.assets:
            with open(source, "rb") as f:
                entries[f"{ASSETS_DIRECTORY}/{name}"] = f.read()
        return entries


def _out_shapes(graph):
    return [list(graph.shapes[s]) for s in graph.outputs]


def _has_python(j):
    if j is None:
        return False
    (tag, v), = j.items()
    if tag == "python":
        return True
    if tag in ("tuple", "list"):
        return any(_has_python(x) for x in v)
    if tag == "dict":
        return any(_has_python(x) for _, x in v)
    return False


def _output_keys(j, where):
    """Signature outputs: a dict's keys, else ``output_i`` for each tensor in order."""
    if j is not None and "dict" in j and all(isinstance(k, str) and x is not None and
                                             "tensor" in x for k, x in j["dict"]):
        return [[k, x["tensor"]] for k, x in j["dict"]]
    leaves = []

    def walk(s):
        if s is None:
            return
        (tag, v), = s.items()
        if tag == "tensor":
            leaves.append(v)
        elif tag == "python":
            raise ValueError(f"{where}: a signature function must return tensors, not the "
                             f"Python value {v!r}.")
        elif tag == "dict":
            for _, x in v:
                walk(x)
        else:
            for x in v:
                walk(x)
    walk(j)
    return [[f"output_{i}", leaf] for i, leaf in enumerate(leaves)]


def _trackable(v):
    """Objects whose attributes are walked: modules, and objects holding functions, variables
    or modules directly (a library object holding none of them is left alone)."""
    if isinstance(v, Module):
        return True
    if not hasattr(v, "__dict__") or isinstance(v, type) or inspect.isroutine(v) or \
            inspect.ismodule(v):
        return False
    if _class_functions(type(v)):
        return True
    return any(isinstance(x, (Variable, Function, Module)) for x in vars(v).values())


def _class_functions(cls):
    """Names of the tfx.functions defined on a class (methods; ``__call__`` included)."""
    return [k for k in dir(cls) if (k == "__call__" or not k.startswith("__")) and
            isinstance(getattr(cls, k, None), Function)]


def _trace(cf, shapes):
    """The concrete function traced at ``shapes`` (a trace already made is reused); the
    concrete function's own cache is left as it was."""
    key = tuple(tuple(s) for s in shapes)
    tr = cf._traces.get(key)
    if tr is not None:
        return tr
    saved = (dict(cf._traces), cf._first)
    try:
        return cf._trace([zeros_for(spec.dtype, s) for spec, s in zip(cf._specs, shapes)])
    finally:
        cf._traces, cf._first = saved


def _root_functions(obj):
    out = [getattr(obj, k) for k in _class_functions(type(obj))]
    for k, v in (vars(obj).items() if hasattr(obj, "__dict__") else ()):
        if isinstance(v, Function):
            out.append(v)
    return out


def save(obj, export_dir, signatures=None, options=None):
    """Save ``obj``'s traced functions and variables to the folder ``export_dir``
    (``tf.saved_model.save``).

    ``signatures``: a tfx.function with an input_signature, a ConcreteFunction, or a dict of
    name -> either; a single one is saved as ``'serving_default'``. With none given, a lone
    tfx.function with an input_signature on ``obj`` becomes the default signature (for a
    Keras model with none, its inference call). Raises
    ValueError (naming the function and the op) for anything a saved graph cannot hold; the
    folder is then left as it was."""
    saver = _Saver()
    root = saver.object_node(obj, [], root=True)
    root_functions = _root_functions(obj)
    if signatures is None and not any(f.input_signature for f in root_functions):
        from .keras_export import default_signature
        signatures = default_signature(obj)
    sigs = saver.signatures(signatures, root_functions)
    doc = saver.document(root, sigs)
    entries = saver.files(doc)
    from .loader import Loader
    Loader(os.fspath(export_dir), entries).restore()  # what load would refuse, save refuses
    write_folder(os.fspath(export_dir), entries)


def write_folder(path, entries):
    """``{name: bytes}`` as a folder, atomically: written beside it, then renamed into place;
    an existing SavedModel folder is replaced, any other folder refused."""
    from ..keras.saving.archive import write_folder as write
    write(path, entries, FILES + (ASSETS_DIRECTORY,), "a SavedModel")

