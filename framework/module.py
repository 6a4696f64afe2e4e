"""``tfx.Module``: an object that finds its variables and sub-modules through its attributes.

Attributes are scanned when asked (not tracked on every ``__setattr__``), so lists and dicts
of layers that change after assignment (``self.hidden.append(...)``) are still seen. The scan
follows ``tf.Module``: attributes in name order, dict values in key order, an object's own
leaves before those of its sub-modules, each object once.

``name_scope`` is also here: variables created inside ``with tfx.name_scope("a"):`` (or a
module's ``with self.name_scope:``) are named ``a/<name>``.
"""
import functools
import re
import threading


__all__ = ["Module", "name_scope", "walk_attributes"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# ---- name scopes ----------------------------------------------------------------------------

class _ScopeStack(threading.local):
    current = ""

    def __init__(self):
        self.saved = []  # the scopes entered ``with`` blocks replaced, innermost last


_SCOPE = _ScopeStack()


def scoped_name(name):
    """``name`` under the current name scope (what ``tfx.Variable`` records)."""
    return _SCOPE.current + name


class name_scope:  # noqa: N801 - TensorFlow's spelling
    """A context manager that prefixes the names of variables created inside it.

    ``name_scope("a")`` nests under the current scope (``outer/a/``); a name ending in ``/``
    is absolute. Entering returns the full scope string, as ``tf.name_scope``.
    """

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError(f"name for name_scope must be a string. Received: {name!r}")
        self._name = name

    @property
    def name(self):
        return self._name

    def __enter__(self):
        name = self._name
        if not name:
            scope = ""
        elif name.endswith("/"):
            scope = name
        else:
            scope = f"{_SCOPE.current}{name}/"
        _SCOPE.saved.append(_SCOPE.current)
        _SCOPE.current = scope
        return scope

    def __exit__(self, *exc):
        _SCOPE.current = _SCOPE.saved.pop()
        return False


# ---- attribute scans ------------------------------------------------------------------------

def walk_attributes(obj, skip=()):
    """Values reachable from ``obj``'s attributes through lists, tuples and dicts, in
    assignment order (Keras' tracking order), each once."""
    out = []
    seen = set()

    def visit(v, depth):
        if depth > 4:
            return
        if isinstance(v, (list, tuple)):
            for x in v:
                visit(x, depth + 1)
        elif isinstance(v, dict):
            for x in v.values():
                visit(x, depth + 1)
        elif id(v) not in seen:
            seen.add(id(v))
            out.append(v)

    for k, v in vars(obj).items():
        if k in skip:
            continue
        visit(v, 0)
    return out


def _key_order(k):
    return ("", k) if isinstance(k, str) else (type(k).__name__, k)


def _sorted_keys(d):
    try:
        return sorted(d, key=_key_order)
    except TypeError:  # keys of mixed, unorderable types: keep insertion order
        return list(d)


def _leaves_with_paths(value, path, out, depth=0):
    """``(path, leaf)`` of a nested attribute value, as ``tf.nest`` flattens it."""
    if depth > 100:
        raise ValueError(f"Attribute {path[0]!r} nests deeper than 100 levels (a cycle?).")
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _leaves_with_paths(v, path + (i,), out, depth + 1)
    elif isinstance(value, dict):
        for k in _sorted_keys(value):
            _leaves_with_paths(value[k], path + (k,), out, depth + 1)
    else:
        out.append((path, value))


def _flatten_module(module, recursive, predicate, key, with_path, prefix, seen, active):
    submodules = []
    skip = module._TRACK_SKIP | Module._TF_MODULE_IGNORED_PROPERTIES
    attrs = vars(module)
    for name in sorted(attrs, key=key):
        if name in skip:
            continue
        leaves = []
        _leaves_with_paths(attrs[name], (name,), leaves)
        for path, leaf in leaves:
            if not with_path:  # with paths, an object shared by two paths is reported twice
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (prefix + path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module) and id(leaf) not in active:
                submodules.append((prefix + path, leaf))
    active.add(id(module))
    for path, sub in submodules:
        yield from _flatten_module(sub, recursive, predicate, key, with_path, path, seen,
                                   active)
    active.discard(id(module))


def _is_variable(x):
    from .core.variable import Variable
    return isinstance(x, Variable)


class Module:
    """Base for objects that own variables (``tf.Module``).

    ``variables``, ``trainable_variables``, ``non_trainable_variables`` and ``submodules``
    are found by scanning attributes (lists, tuples and dicts included) in name order.
    ``name`` must be a Python identifier; ``name_scope`` prefixes variables created inside
    ``with module.name_scope:`` (and inside methods decorated with ``with_name_scope``).
    """

    _TRACK_SKIP = frozenset()
    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name=None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid "
                             "Python identifiers (e.g. a valid class name).")
        self._name = name
        with name_scope(name) as scope:
            self._name_scope = name_scope(scope)

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        """The ``name_scope`` of this module (``module_name/``, nested where it was made)."""
        scope = self.__dict__.get("_name_scope")
        if scope is None:  # Keras layers name themselves without Module.__init__
            scope = name_scope(f"{self.name}/")
            object.__setattr__(self, "_name_scope", scope)
        return scope

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None,
                 with_path=False, expand_composites=False):
        """Leaves of this module's attributes (and its sub-modules' when ``recursive``) for
        which ``predicate`` holds; with ``with_path``, ``(path_tuple, leaf)`` pairs."""
        predicate = predicate or (lambda _: True)
        return _flatten_module(self, recursive, predicate, attribute_traversal_key,
                               with_path, (), {id(self)}, set())

    @property
    def variables(self):
        """All variables of this module and its sub-modules, each once (a tuple)."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self):
        """Every module reachable from this one's attributes (not this one), each once."""
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run ``method`` inside ``self.name_scope``."""
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return wrapped
