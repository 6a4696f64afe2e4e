"""One registry for every kind of component: losses, metrics, layers, models, activations,
initializers, regularizers, constraints, optimizers, schedules, callbacks, data loaders.

Names in files resolve only through here (and tfx's built-ins); nothing is ever imported
because a file names it. Each entry remembers its kind and where it came from (the plugin or
module that registered it), which error messages and ``tfx plugins list`` report.
"""
import difflib
import inspect
import threading

__all__ = ["register", "register_keras_serializable", "get_registered_object",
           "get_registered_name", "custom_object_scope", "CustomObjectScope", "lookup",
           "entries", "RegistryConflictError", "kind_of", "suggest"]

KINDS = ("loss", "metric", "layer", "model", "activation", "initializer", "regularizer",
         "constraint", "optimizer", "schedule", "callback", "data", "object")


class RegistryConflictError(ValueError):
    """Two sources claim one registered name."""


class Entry:
    __slots__ = ("name", "obj", "kind", "source")

    def __init__(self, name, obj, kind, source):
        self.name = name
        self.obj = obj
        self.kind = kind
        self.source = source

    def __repr__(self):
        return f"Entry({self.name!r}, kind={self.kind!r}, source={self.source!r})"


_GLOBAL = {}           # "Package>Name" -> Entry
_NAMES = {}            # id(obj) -> "Package>Name"
_SOURCE = threading.local()
_SCOPES = threading.local()


def current_source():
    """The plugin being loaded (set by the plugin loader), else the registering module."""
    return getattr(_SOURCE, "value", None)


class loading_source:  # noqa: N801 - a context manager used like a function
    """Attribute registrations made inside to ``source`` (a plugin path or module name)."""

    def __init__(self, source):
        self._source = source

    def __enter__(self):
        self._prev = getattr(_SOURCE, "value", None)
        _SOURCE.value = self._source

    def __exit__(self, *exc):
        _SOURCE.value = self._prev


def kind_of(obj):
    """The component kind of a class or function, from its base class (or 'object')."""
    from . import keras as _k  # noqa: F401 - bases live in tfx.keras
    cls = obj if inspect.isclass(obj) else type(obj)
    for kind, base in _bases():
        if base is not None and inspect.isclass(cls) and issubclass(cls, base):
            return kind
    return "object"


def _bases():
    from .keras import callbacks, constraints, initializers, layers, losses, metrics, \
        optimizers, regularizers
    from .keras.models import Model
    from .keras.optimizers import schedules
    return [("model", Model), ("metric", metrics.Metric), ("layer", layers.Layer),
            ("loss", losses.Loss), ("optimizer", optimizers.Optimizer),
            ("schedule", schedules.LearningRateSchedule),
            ("initializer", initializers.Initializer),
            ("regularizer", regularizers.Regularizer), ("constraint", constraints.Constraint),
            ("callback", callbacks.Callback)]


def register(package="Custom", name=None, kind=None):
    """Decorator registering a class or function under ``package>name`` (Keras' rule).

    ``kind`` is inferred from the base class; plain functions may say what they are
    (``kind="loss"``, ``"activation"``, ...), else they are listed as ``object``.
    """
    if "!" in package or ">" in package:
        raise ValueError("Cannot include '!' or '>' in the package name.")

    def deco(obj):
        reg_name = name or obj.__name__
        key = f"{package}>{reg_name}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register a class that does not have a get_config() "
                             f"method: {obj!r}")
        source = current_source() or getattr(obj, "__module__", None) or "?"
        prev = _GLOBAL.get(key)
        if prev is not None and prev.obj is not obj:
            same_source = prev.source == source
            same_def = getattr(prev.obj, "__qualname__", None) == getattr(obj, "__qualname__", 0)
            if not (same_source and same_def):
                raise RegistryConflictError(
                    f"{key!r} is registered twice: by {prev.source} and by {source}. Rename one "
                    f"(register(package=..., name=...)) or load only one of the two.")
        k = kind or _infer_kind(obj)
        _GLOBAL[key] = Entry(key, obj, k, source)
        _NAMES[id(obj)] = key
        return obj

    return deco


def _infer_kind(obj):
    try:
        return kind_of(obj)
    except ImportError:  # while tfx.keras itself is importing
        return "object"


register_keras_serializable = register


def unregister(key):
    e = _GLOBAL.pop(key, None)
    if e is not None:
        _NAMES.pop(id(e.obj), None)


def get_registered_name(obj):
    """``package>name`` of a registered object, else its ``__name__``."""
    key = _NAMES.get(id(obj))
    if key is not None:
        return key
    return getattr(obj, "__name__", type(obj).__name__)


class CustomObjectScope:
    """``with custom_object_scope({"name": obj}):`` makes names resolvable inside."""

    def __init__(self, custom_objects=None, *more):
        # Keras 3 takes one dict; tf.keras 2 took several, still accepted.
        self._objects = {}
        for c in (custom_objects,) + more:
            self._objects.update(c or {})

    def __enter__(self):
        stack = getattr(_SCOPES, "stack", None)
        if stack is None:
            stack = _SCOPES.stack = []
        stack.append(self._objects)
        return self

    def __exit__(self, *exc):
        _SCOPES.stack.pop()
        return False


custom_object_scope = CustomObjectScope


def _scoped():
    out = {}
    for d in getattr(_SCOPES, "stack", []) or []:
        out.update(d)
    return out


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Resolve ``name``: custom_objects, then scopes, then the registry, then module_objects."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    scoped = _scoped()
    if name in scoped:
        return scoped[name]
    e = _GLOBAL.get(name)
    if e is not None:
        return e.obj
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def lookup(name, kind=None):
    """The Entry for ``name`` (full ``package>name`` or a bare name if unambiguous)."""
    e = _GLOBAL.get(name)
    if e is not None:
        return e
    hits = [e for k, e in _GLOBAL.items() if k.split(">", 1)[-1] == name and
            (kind is None or e.kind == kind)]
    return hits[0] if len(hits) == 1 else None


def entries(kind=None):
    return [e for e in _GLOBAL.values() if kind is None or e.kind == kind]


def suggest(name, candidates, n=3):
    """Closest names, for "did you mean" messages."""
    bare = {c.split(">", 1)[-1]: c for c in candidates}
    out = difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.6)
    out += [bare[b] for b in difflib.get_close_matches(name.split(">", 1)[-1], list(bare), n=n,
                                                      cutoff=0.6) if bare[b] not in out]
    return out[:n]
