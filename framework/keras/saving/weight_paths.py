"""Stable keys for a model's variables, and loading arrays into them with every key, shape
and dtype checked.

Sequential and functional models name their children by layer name (``dense_1/kernel``; the
names come back from the config); subclassed layers and models by attribute path
(``block1/hidden/0/bias``), which does not depend on how many layers the session has built
before. Weights files also record each container's children ``[name, class]`` in order, so
a model rebuilt in code, whose layers got other automatic names, still matches by position
when its structure is the same.
"""
import json
import threading
import warnings
from contextlib import contextmanager

import numpy as np  # host copies of variables for the file (conversion at the edge)

from ...core.variable import Variable
from ...errors import ModelFormatError
from ...module import Module

__all__ = ["variable_paths", "VariablePaths", "WeightsMismatchError", "assign_arrays",
           "arrays_of", "allocation_budget", "charge", "CONTAINERS_KEY"]

CONTAINERS_KEY = "tfx.containers"
# add_metric's per-run trackers are not model state; "_variables" is a Metric's own list
# (walked after the attributes, so a metric's variables get their attribute names).
_SKIP_ATTRS = frozenset(["_added_metrics", "_variables"])


class WeightsMismatchError(ModelFormatError, ValueError):
    """Saved weights do not fit the model: a key missing or unexpected, a shape or dtype
    differing. Both a ``ModelFormatError`` and a ``ValueError`` (as Keras raises)."""

    def __init__(self, message):
        ModelFormatError.__init__(self, None, None, message)


def _is_container(obj):
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    return isinstance(obj, (Sequential, Functional))


def _stateful(obj):
    if isinstance(obj, Module):
        return True
    try:
        from ..metrics import Metric
    except ImportError:
        return False
    return isinstance(obj, Metric)


class VariablePaths:
    """``keys``: key -> Variable, in walk order; ``containers``: key prefix -> children."""

    def __init__(self):
        self.keys = {}
        self.segments = {}
        self.containers = {}
        self._vars = set()
        self._objs = set()

    def _add(self, var, segs):
        if id(var) in self._vars:
            return
        self._vars.add(id(var))
        last, n = segs[-1], 0
        while _join(segs) in self.keys:
            n += 1
            segs = segs[:-1] + [f"{last}_{n}"]
        key = _join(segs)
        self.keys[key] = var
        self.segments[key] = tuple(segs)

    def walk(self, obj, segs):
        if id(obj) in self._objs:
            return
        self._objs.add(id(obj))
        if _is_container(obj):
            children = list(obj.layers)
            self.containers[_join(segs)] = [[str(l.name), type(l).__name__] for l in children]
            for i, layer in enumerate(children):
                self.walk(layer, segs + [(i, str(layer.name))])
            return
        skip = getattr(obj, "_TRACK_SKIP", frozenset()) | _SKIP_ATTRS
        for name, value in vars(obj).items():
            if name not in skip:
                self._value(value, segs + [name], 0)
        own = getattr(obj, "_own_weights", None) or vars(obj).get("_variables", ())
        for var in own:  # add_weight results held in no attribute
            if isinstance(var, Variable):
                self._add(var, segs + [var._name])

    def _value(self, value, segs, depth):
        if isinstance(value, Variable):
            self._add(value, segs)
        elif _stateful(value):
            self.walk(value, segs)
        elif depth < 4 and isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                self._value(v, segs + [str(i)], depth + 1)
        elif depth < 4 and isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str):
                    self._value(v, segs + [k], depth + 1)

    def containers_json(self):
        return json.dumps(self.containers)

    def positional_keys(self, saved_containers):
        """model key -> saved key, renaming container children by position; None when the
        saved structure (children count and classes) differs anywhere."""
        out = {}
        for key, segs in self.segments.items():
            model_prefix, saved_prefix = [], []
            for s in segs:
                if isinstance(s, tuple):
                    mine = self.containers.get(_join(model_prefix))
                    theirs = saved_containers.get(_join(saved_prefix))
                    if mine is None or not isinstance(theirs, list) or len(theirs) != len(mine) \
                            or any(not isinstance(t, list) or len(t) != 2 or t[1] != m[1]
                                   for t, m in zip(theirs, mine)):
                        return None
                    model_prefix.append(s)
                    saved_prefix.append(str(theirs[s[0]][0]))
                else:
                    model_prefix.append(s)
                    saved_prefix.append(s)
            out[key] = _join(saved_prefix)
        return out


def _join(segs):
    return "/".join(s[1] if isinstance(s, tuple) else s for s in segs)


def variable_paths(model):
    """The model's variables under their stable keys."""
    paths = VariablePaths()
    paths.walk(model, [])
    return paths


def arrays_of(named_vars, what="weights"):
    """``{key: contiguous host numpy array}`` for the file; refuses what safetensors can't
    hold (string variables)."""
    out = {}
    for key, var in named_vars.items():
        a = np.array(var.numpy(), order="C", copy=None)  # (ascontiguousarray makes 0-d 1-d)
        if a.dtype == object or a.dtype.kind in "USV":
            raise TypeError(f"Cannot save {what} {key!r}: variables of dtype "
                            f"{var.dtype.name} cannot be stored in safetensors.")
        out[key] = a
    return out


def _fmt(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _listing(keys, n=8):
    keys = sorted(keys)
    more = f" and {len(keys) - n} more" if len(keys) > n else ""
    return ", ".join(repr(k) for k in keys[:n]) + more


def assign_arrays(source, named_vars, arrays, key_map=None, skip_mismatch=False,
                  what="weights"):
    """Check every key, shape and dtype, then assign. ``key_map``: model key -> file key."""
    key_map = key_map or {k: k for k in named_vars}
    wanted = set(key_map.values())
    missing = [k for k in named_vars if key_map[k] not in arrays]
    unexpected = [k for k in arrays if k not in wanted]
    problems = []
    if missing:
        problems.append(f"{len(missing)} {what} of the model are not in the file: "
                        f"{_listing(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected)} {what} in the file match nothing in the model: "
                        f"{_listing(unexpected)}")
    pairs = []
    for key, var in named_vars.items():
        a = arrays.get(key_map[key])
        if a is None:
            continue
        want_shape = tuple(var._v.shape)
        want_dtype = var._dtype._np
        if tuple(a.shape) != want_shape or a.dtype != want_dtype:
            problems.append(f"{what[:-1] if what.endswith('s') else what} {key!r}: the model "
                            f"has shape {_fmt(want_shape)} dtype {var.dtype.name}, the file "
                            f"has shape {_fmt(a.shape)} dtype {a.dtype.name}")
            continue
        pairs.append((var, a))
    if problems:
        msg = f"{source}: the saved {what} do not fit the model. " + "; ".join(problems) + "."
        if not skip_mismatch:
            raise WeightsMismatchError(msg)
        warnings.warn(msg + " Skipped them (skip_mismatch=True).", stacklevel=3)
    for var, a in pairs:
        var.assign(a)


# ---- a load may allocate only what its file holds ----------------------------------------------

class _Budget(threading.local):
    remaining = None
    source = None


_BUDGET = _Budget()


@contextmanager
def allocation_budget(elements, source):
    """Inside, layers may create at most ``elements`` weight values in all: a config edited
    to ask for a huge layer fails before allocating instead of exhausting memory."""
    prev = (_BUDGET.remaining, _BUDGET.source)
    _BUDGET.remaining, _BUDGET.source = elements, source
    try:
        yield
    finally:
        _BUDGET.remaining, _BUDGET.source = prev


def charge(layer, name, shape):
    """Called by ``Layer.add_weight`` before it allocates."""
    if _BUDGET.remaining is None:
        return
    n = 1
    for d in shape:
        n *= int(d)
    if n > _BUDGET.remaining:
        raise ModelFormatError(None, None, f"{_BUDGET.source}: the config asks layer "
                               f"{getattr(layer, 'name', '?')!r} for a weight {name!r} of shape "
                               f"{_fmt(shape)}, more values than the file's weights hold")
    _BUDGET.remaining -= n
