"""``tfx.Module``: an object that finds its variables and sub-modules through its attributes.

Attributes are scanned when asked (not tracked on every ``__setattr__``), so lists and dicts
of layers that change after assignment (``self.hidden.append(...)``) are still seen.
"""
import re


__all__ = ["Module", "walk_attributes"]


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def walk_attributes(obj, skip=()):
    """Values reachable from ``obj``'s attributes through lists, tuples and dicts, in order."""
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


class Module:
    """Base for objects that own variables (``tf.Module``)."""

    _TRACK_SKIP = frozenset()

    def __init__(self, name=None):
        self._name = name or _snake(type(self).__name__)

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        return self._name

    def _own_children(self):
        """(variables, modules) directly reachable from this object's attributes."""
        from .core.variable import Variable
        vs, ms = [], []
        for v in walk_attributes(self, self._TRACK_SKIP):
            if isinstance(v, Variable):
                vs.append(v)
            elif isinstance(v, Module):
                ms.append(v)
        return vs, ms

    @property
    def submodules(self):
        out, seen = [], {id(self)}
        stack = list(reversed(self._own_children()[1]))
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            out.append(m)
            stack.extend(reversed(m._own_children()[1]))
        return tuple(out)

    def _flatten_variables(self, predicate=None):
        out, seen = [], set()
        for m in (self,) + self.submodules:
            for v in m._own_children()[0]:
                if id(v) not in seen and (predicate is None or predicate(v)):
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def variables(self):
        return tuple(self._flatten_variables())

    @property
    def trainable_variables(self):
        return tuple(self._flatten_variables(lambda v: v.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten_variables(lambda v: not v.trainable))

    @classmethod
    def with_name_scope(cls, method):
        return method


