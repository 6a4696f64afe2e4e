"""Objects to JSON-ready configs and back, resolving names only through the registry and
tfx's own built-ins. Nothing here imports a module or follows an attribute path from a file.
"""
import inspect
import types

from ... import registry as _reg
from ...errors import ModelFormatError

__all__ = ["serialize_keras_object", "deserialize_keras_object", "UnknownObjectError",
           "lookup_name"]


class UnknownObjectError(ValueError):
    """A name in a config resolves to nothing registered, built in, or passed in."""


def serialize_keras_object(obj):
    """``{"module", "class_name", "config", "registered_name"}``, Keras 3's layout."""
    if obj is None:
        return None
    if isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType) or isinstance(obj, types.BuiltinFunctionType):
        registered = _reg.get_registered_name(obj)
        name = getattr(obj, "__name__", registered)
        if name == "<lambda>":
            raise _not_serializable_lambda(obj)
        return {"module": getattr(obj, "__module__", None), "class_name": "function",
                "config": name, "registered_name": registered}
    cls = type(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config() method")
    config = obj.get_config()
    return {"module": cls.__module__, "class_name": cls.__name__, "config": config,
            "registered_name": _reg.get_registered_name(cls)}


def _not_serializable_lambda(fn):
    from .autoconfig import NotSerializableError
    return NotSerializableError(
        "A Python lambda cannot be saved by name. Give it a name with `def` and register it "
        "(@tfx.register()), or use a Lambda layer with save_lambda=True and load with "
        "safe_mode=False.")


def lookup_name(name, custom_objects=None, module_objects=None):
    """Resolve a bare or ``package>name`` string: custom objects, scope, registry, built-ins;
    on a miss, installed ``tfx.plugins`` entry points are loaded once and the name tried
    again (the user installed those packages; nothing named by a file is imported)."""
    obj = _lookup(name, custom_objects, module_objects)
    if obj is None and _load_entry_points_once():
        obj = _lookup(name, custom_objects, module_objects)
    return obj


def _lookup(name, custom_objects, module_objects):
    obj = _reg.get_registered_object(name, custom_objects, module_objects)
    if obj is None and ">" not in name:
        e = _reg.lookup(name)
        obj = e.obj if e is not None else None
    return obj


_EP_LOADED = [False]


def _load_entry_points_once():
    if _EP_LOADED[0]:
        return False
    _EP_LOADED[0] = True
    from ...plugins import load_entry_point_plugins
    return bool(load_entry_point_plugins())


def _missing(name, where, candidates, metadata=None):
    hints = _reg.suggest(name, candidates)
    msg = f"Unknown {where}: {name!r}."
    src = (metadata or {}).get("registered_objects", {}).get(name) if metadata else None
    if src:
        msg += f" When the file was written, {name!r} was registered by {src}."
    msg += (" Provide it with custom_objects={" + repr(name.split('>')[-1]) + ": ...}, "
            "inside tfx.keras.saving.custom_object_scope(...), or by loading the plugin that "
            "registers it (--plugin / TFX_PLUGINS / a `tfx.plugins` entry point).")
    if hints:
        msg += f" Did you mean: {', '.join(hints)}?"
    err = UnknownObjectError(msg)
    err.name = name  # for load_model, which adds where the name was needed and its source
    return err


def builtin_objects(module):
    """tfx's built-ins for a config's ``module`` string. The string only picks one of tfx's
    own fixed tables (the name must still be in it); it is never imported."""
    if not isinstance(module, str) or not module.startswith("tfx.keras."):
        return {}
    from .. import activations, constraints, initializers, layers, losses, metrics, \
        optimizers, regularizers
    from ..optimizers import schedules
    tables = [("tfx.keras.layers", layers._builtins), ("tfx.keras.models", layers._builtins),
              ("tfx.keras.optimizers.schedules", lambda: schedules.BUILTINS),
              ("tfx.keras.optimizers", lambda: optimizers.BUILTINS),
              ("tfx.keras.activations", lambda: activations.BUILTINS),
              ("tfx.keras.initializers", lambda: initializers.BUILTINS),
              ("tfx.keras.regularizers", lambda: regularizers.BUILTINS),
              ("tfx.keras.constraints", lambda: constraints.BUILTINS),
              ("tfx.keras.losses", lambda: losses.BUILTINS),
              ("tfx.keras.metrics", lambda: metrics.BUILTINS)]
    for prefix, table in tables:
        if module == prefix or module.startswith(prefix + "."):
            return table()
    return {}


def deserialize_keras_object(config, module_objects=None, custom_objects=None,
                             printable_module_name="object", safe_mode=True, **kwargs):
    """Rebuild an object from ``serialize_keras_object``'s output, or a name string."""
    if config is None:
        return None
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, module_objects, custom_objects,
                                         printable_module_name, safe_mode) for c in config]
    module_objects = module_objects or {}
    if isinstance(config, str):
        obj = lookup_name(config, custom_objects, module_objects)
        if obj is None:
            raise _missing(config, printable_module_name,
                           list(module_objects) + [e.name for e in _reg.entries()])
        return obj
    if not isinstance(config, dict):
        raise ModelFormatError(f"Malformed {printable_module_name} config: expected a dict or "
                               f"a name, got {type(config).__name__}")
    if not module_objects:
        module_objects = builtin_objects(config.get("module"))
    class_name = config.get("class_name")
    inner = config.get("config")
    if not isinstance(class_name, str):
        raise ModelFormatError(f"Malformed {printable_module_name} config: no 'class_name'")
    if class_name == "function":
        name = config.get("registered_name") or inner
        if not isinstance(name, str):
            raise ModelFormatError(f"Malformed function config in {printable_module_name}")
        # A function saved unregistered (a closure such as create_huber(2.0)'s huber_fn) is
        # matched only by custom_objects, scopes or built-ins: never by a registered
        # function that happens to share its bare name, which would silently differ.
        strict = ">" not in name
        obj = (_reg.get_registered_object(name, custom_objects, module_objects) if strict
               else lookup_name(name, custom_objects, module_objects))
        if obj is None and isinstance(inner, str) and inner != name:
            obj = _reg.get_registered_object(inner, custom_objects, module_objects)
        if obj is None:
            raise _missing(inner if isinstance(inner, str) else name, printable_module_name,
                           list(module_objects) + [e.name for e in _reg.entries()])
        return obj
    registered = config.get("registered_name")
    cls = None
    for name in ([registered] if isinstance(registered, str) else []) + [class_name]:
        cls = lookup_name(name, custom_objects, module_objects)
        if cls is not None:
            break
    if cls is None:
        raise _missing(class_name, printable_module_name,
                       list(module_objects) + [e.name for e in _reg.entries()])
    if not inspect.isclass(cls):
        return cls
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise ModelFormatError(f"Malformed config for {class_name}: 'config' must be a dict")
    from .autoconfig import accepted_kwargs
    if hasattr(cls, "from_config"):
        with _reg.custom_object_scope(custom_objects or {}):
            return cls.from_config(inner)
    return cls(**accepted_kwargs(cls, inner))


def component_api(kind, builtins):
    """``serialize``, ``deserialize`` and ``get`` for a module of callable components
    (regularizers, constraints): names, configs, classes and instances resolve through
    ``builtins``, the registry and custom objects; plain functions pass through."""
    def serialize(obj):
        return serialize_keras_object(obj)

    def deserialize(config, custom_objects=None):
        obj = deserialize_keras_object(config, module_objects=builtins,
                                       custom_objects=custom_objects,
                                       printable_module_name=kind)
        return obj() if isinstance(obj, type) else obj

    def get(identifier):
        if identifier is None:
            return None
        if isinstance(identifier, (str, dict)):
            obj = deserialize(identifier)
        elif isinstance(identifier, type):
            obj = identifier()
        else:
            obj = identifier
        if callable(obj):
            return obj
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")

    serialize.__doc__ = f"The JSON-ready config of a {kind}."
    deserialize.__doc__ = f"A {kind} from ``serialize``'s output or a name."
    get.__doc__ = (f"``None`` -> None; a name, config, class or instance -> a {kind}; a plain "
                   "function as it is.")
    return serialize, deserialize, get
