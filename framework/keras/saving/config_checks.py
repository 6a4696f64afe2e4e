"""Scans of a model's config: at save time (JSON-ready values, Lambda sources only on
request, custom objects that must survive ``from_config(get_config())``, where custom objects
came from) and at load time (saved lambdas refused in safe mode, input shapes bounded, and
missing names explained: where the file needs them and who registered them).
"""
import copy
import inspect
import types

from ... import nest
from ... import registry as _reg
from ...core.shape import TensorShape
from ...dtypes import DType
from ...errors import ModelFormatError
from . import lambdas
from .archive import MissingObjectError, UnsafeLambdaError
from .autoconfig import NotSerializableError

__all__ = ["jsonable", "walk", "custom_sources", "check_lambdas", "check_round_trips",
           "refuse_lambdas", "check_input_shapes", "missing_error"]

MAX_INPUT_ELEMENTS = 1 << 24   # one stand-in input while rebuilding (None dims count as 2)


def _bad(path, reason):
    return ModelFormatError(None, None, f"{path}: {reason}")


# ---- JSON-ready configs ------------------------------------------------------------------------

def jsonable(obj, where):
    """``obj`` with tuples, shapes, dtypes and NumPy scalars made plain; a value JSON cannot
    hold raises NotSerializableError naming where it sits in the config."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str):
                raise NotSerializableError(f"{where}: dict key {k!r} is not a string")
            out[k] = jsonable(v, f"{where}.{k}")
        return out
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, TensorShape):
        return obj.as_list() if obj.rank is not None else None
    if isinstance(obj, DType):
        return obj.name
    if type(obj).__module__ == "numpy" and getattr(obj, "ndim", None) == 0:
        return obj.item()
    raise NotSerializableError(f"{where}: {obj!r} ({type(obj).__name__}) cannot be written to "
                               "a model file; configs hold numbers, strings, lists, dicts and "
                               "serialized objects.")


def walk(obj, path=""):
    """(path, dict) for every dict in a config, depth first."""
    stack = [(obj, path)]
    while stack:
        o, p = stack.pop()
        if isinstance(o, dict):
            yield p, o
            stack.extend((v, f"{p}.{k}" if p else k) for k, v in reversed(list(o.items())))
        elif isinstance(o, list):
            stack.extend((v, f"{p}[{i}]") for i, v in reversed(list(enumerate(o))))


def object_name(d):
    """The name a serialized-object dict resolves by, or None for other dicts."""
    cls = d.get("class_name")
    if not isinstance(cls, str) or cls in ("__keras_tensor__", lambdas._TAG):
        return None
    reg = d.get("registered_name")
    if cls == "function":
        return reg if isinstance(reg, str) else d.get("config")
    return reg if isinstance(reg, str) else cls


def custom_sources(config):
    """Where each custom object named in the config came from: registered ones by their
    plugin or module, unregistered ones by the module that defined them."""
    registered, unregistered = {}, {}
    for _, d in walk(config):
        name = object_name(d)
        module = d.get("module")
        if not isinstance(name, str) or (isinstance(module, str) and module.startswith("tfx.")):
            continue
        # A registered object is written as "package>name"; a bare name was not registered
        # (even if a plugin registers something of that bare name now).
        entry = _reg.lookup(name) if ">" in name else None
        if entry is not None:
            registered[entry.name] = str(entry.source)
        elif isinstance(module, str):
            unregistered[name] = module
    return registered, unregistered


# ---- checks made at save time ------------------------------------------------------------------

def check_lambdas(model, save_lambda):
    from ..layers.core import Lambda
    names = [l.name for l in model._flatten_layers() if isinstance(l, Lambda) and
             lambdas.is_python_lambda(l.function) and
             not (save_lambda or getattr(l, "save_lambda", False))]
    if names:
        raise NotSerializableError(
            f"Lambda layer(s) {', '.join(repr(n) for n in names)} wrap a Python lambda. Its "
            "source is saved only on request: model.save(path, save_lambda=True); loading it "
            "then needs safe_mode=False, since it runs the code. Or pass a named function "
            "registered with @tfx.register(), which saves by name and loads safely.")


def custom_objects_of(model):
    """Live user-defined objects of the model (layers, their regularizers etc., compiled
    losses and metrics, optimizer) with where each sits; and named functions by name."""
    from ..layers.layer import Layer
    objs, fns = {}, {}

    def visit(obj, where):
        if isinstance(obj, types.FunctionType):
            if not obj.__module__.startswith("tfx.") and obj.__name__ != "<lambda>":
                fns[obj.__name__] = obj
                fns[_reg.get_registered_name(obj)] = obj
        elif obj is not None and not inspect.isclass(obj) and hasattr(obj, "get_config") and \
                not type(obj).__module__.startswith("tfx.") and id(obj) not in objs:
            objs[id(obj)] = (obj, where)

    for layer in model._flatten_layers():
        visit(layer, f"layer {layer.name!r}")
        for attr, value in vars(layer).items():
            if attr.startswith("_") and attr != "_activity_regularizer":
                continue
            for v in value if isinstance(value, (list, tuple)) else [value]:
                if not isinstance(v, Layer):
                    visit(v, f"{attr} of layer {layer.name!r}")
    compiled = getattr(model, "_compiled", None)
    if compiled:
        for key in ("loss", "metrics", "weighted_metrics"):
            for v in nest.flatten(compiled["config"][key]):
                visit(v, f"compile({key}=...)")
    opt = getattr(model, "optimizer", None)
    visit(opt, "the optimizer")
    visit(getattr(opt, "_learning_rate", None), "the optimizer's learning rate")
    return list(objs.values()), fns


def missing_constructor_args(cls, config):
    owner = next((k for k in cls.__mro__ if "from_config" in vars(k)), object)
    if not owner.__module__.startswith("tfx."):
        return []  # the class reads its own config: let its from_config speak
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in params if p.kind in kinds and p.default is p.empty and
            p.name not in config]


def check_round_trips(model):
    """Every custom object of ``model`` must come back from its config: ``from_config(
    get_config())`` is tried now, so a missing argument fails at save time, not at load."""
    objs, fns = custom_objects_of(model)
    scope = dict(fns)
    for obj, _ in objs:
        scope[type(obj).__name__] = type(obj)
        scope[_reg.get_registered_name(type(obj))] = type(obj)
    for obj, where in objs:
        cls = type(obj)
        name = cls.__name__
        try:
            config = obj.get_config()
        except NotSerializableError:
            raise
        except Exception as e:
            raise NotSerializableError(f"Cannot save {where}: {name}.get_config() fails "
                                       f"({type(e).__name__}: {e})") from e
        missing = missing_constructor_args(cls, config)
        if missing:
            m = missing[0]
            raise NotSerializableError(
                f"Cannot save {where}: {name}.get_config() does not return the constructor "
                f"argument {m!r} that {name}.__init__ requires, so loading would fail. Return "
                f"it from get_config() (e.g. {{**super().get_config(), {m!r}: self.{m}}}), or "
                "delete get_config() and tfx captures the constructor arguments itself.")
        try:
            with _reg.custom_object_scope(scope):
                cls.from_config(copy.deepcopy(config))
        except Exception as e:
            raise NotSerializableError(
                f"Cannot save {where}: {name}.from_config({name}.get_config()) fails with "
                f"{type(e).__name__}: {e}. Make get_config() return every argument that "
                f"{name}.__init__ needs (or write from_config).") from e


# ---- checks made at load time ------------------------------------------------------------------

def enclosing_layer(config, path):
    """The name of the layer whose config holds ``path`` ("" if none)."""
    best = ""
    for p, d in walk(config):
        inner = d.get("config")
        if p and path.startswith(p + ".") and isinstance(inner, dict) and \
                isinstance(inner.get("name"), str) and "class_name" in d:
            best = inner["name"]
    return best


def refuse_lambdas(path, config, safe_mode):
    if not safe_mode:
        return
    layers = [enclosing_layer(config, p) or "?" for p, d in walk(config)
              if d.get("class_name") == lambdas._TAG]
    if layers:
        raise UnsafeLambdaError(f"{path}: {lambdas.unsafe_message(layers)}")


def check_input_shapes(path, config):
    """Rebuilding runs the model on stand-in inputs: refuse shapes no real model declares."""
    for p, d in walk(config):
        for key in ("batch_shape", "batch_input_shape", "build_input_shape", "input_shape"):
            shape = d.get(key)
            shapes = shape if isinstance(shape, list) and shape and \
                all(isinstance(s, list) for s in shape) else [shape]
            for s in shapes:
                if not isinstance(s, list):
                    continue
                n = 1
                for dim in s:
                    n *= dim if type(dim) is int and dim >= 0 else 2
                if n > MAX_INPUT_ELEMENTS:
                    raise _bad(path, f"{p}.{key} = {str(s)[:80]} declares an input of {n} "
                                     "values, more than a model file may ask to allocate")


def source_hint(name, metadata):
    bare = name.split(">")[-1]
    for key, source in metadata.get("registered_objects", {}).items():
        if key == name or key.split(">")[-1] == bare:
            return (f" When the file was written, {key!r} was registered by {source}: load "
                    "that plugin (--plugin / TFX_PLUGINS / an installed `tfx.plugins` entry "
                    "point) or import the module that registers it.")
    module = metadata.get("unregistered_objects", {}).get(name)
    if module:
        return (f" When the file was written, {name!r} was an unregistered object defined in "
                f"module {module!r}: pass it in custom_objects, or register it with "
                "@tfx.register() where it is defined.")
    return ""


def missing_error(path, err, config, metadata):
    name = getattr(err, "name", None)
    msg = f"{path}: {err}"
    if isinstance(name, str):
        where, d = next(((p, d) for p, d in walk(config) if object_name(d) == name or
                         d.get("class_name") == name or d.get("config") == name), (None, None))
        if where is not None:
            inner = d.get("config")
            own = inner.get("name") if isinstance(inner, dict) else None
            layer = enclosing_layer(config, where)
            msg += f" It is needed at {where or 'the top of config.json'}" + (
                f" (layer {own!r})." if isinstance(own, str) else
                f" (in layer {layer!r})." if layer else ".")
        msg += source_hint(name, metadata)
    return MissingObjectError(msg)

