"""``tfx.train.Checkpoint``: save and restore the variables of an object graph.

``Checkpoint(model=model, optimizer=opt)`` saves everything reachable from its arguments,
keyed by where it sits (``model/layer-0/kernel``), not by creation order; ``restore`` matches
by the same names, and values for variables that do not exist yet (layers built later,
optimizer slots) are assigned when they are created.
"""
import os

import numpy as np  # host copies of variable values for the file (conversion at the edge)

from .. import dtypes as _dt
from ..core.variable import Variable
from .checkpoint_io import read_index, read_values, write_checkpoint
from .object_graph import build_object_graph, is_trackable, variable_key, _holds_state
from .restore import CheckpointLoadStatus, InitializationOnlyStatus, Restoration

__all__ = ["Checkpoint", "CheckpointOptions"]

_INTERNAL = frozenset(["_root", "_save_counter", "_restorations", "_children_names"])


class CheckpointOptions:
    """Options for ``save``/``write``/``restore`` (``tf.train.CheckpointOptions``).

    Accepted for compatibility; ``experimental_skip_slot_variables=True`` makes ``restore``
    leave optimizer slots alone. Saving is always synchronous.
    """

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_skip_slot_variables=False, experimental_sharding_callback=None):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint
        self.experimental_write_callbacks = experimental_write_callbacks
        self.enable_async = enable_async
        self.experimental_skip_slot_variables = experimental_skip_slot_variables
        self.experimental_sharding_callback = experimental_sharding_callback


def _check_trackable(name, value):
    if isinstance(value, Variable) or is_trackable(value) or (
            isinstance(value, (list, tuple, dict)) and _holds_state(value)):
        return
    raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable object (an object "
                     f"derived from `Trackable`), got {value!r}. If you believe this object "
                     "should be trackable (i.e. it is part of the TensorFlow Python API and "
                     "manages state), please open an issue.")


def _host_array(key, var):
    a = np.array(var.numpy(), order="C", copy=True)
    if a.dtype == object or a.dtype.kind in "USV":
        raise TypeError(f"Cannot save variable {key!r} of dtype {var.dtype.name}: checkpoints "
                        "hold numeric and boolean variables only.")
    return a


class Checkpoint:
    """Groups trackable objects (``tf.train.Checkpoint``): ``save``/``write`` them to a
    prefix, ``restore``/``read`` them from one.

    Args: ``root`` (optional: an object whose attributes become the checkpoint's top level),
    ``**kwargs`` (named objects: models, layers, optimizers, modules, variables).
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_root", None)
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_restorations", [])
        object.__setattr__(self, "_children_names", [])
        if root is not None:
            _check_trackable("root", root)
            object.__setattr__(self, "_root", root)
        for name, value in sorted(kwargs.items()):
            if name == "save_counter":
                raise AttributeError("property 'save_counter' of 'Checkpoint' object has no "
                                     "setter")
            _check_trackable(name, value)
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name == "save_counter":
            raise AttributeError("property 'save_counter' of 'Checkpoint' object has no setter")
        object.__setattr__(self, name, value)
        if name not in _INTERNAL and name not in self._children_names:
            self._children_names.append(name)
        pending = [r for r in self._restorations if not r.complete()]
        self._restorations[:] = pending
        for r in pending:
            r.rematch(self, 0)

    @property
    def root(self):
        return self._root if self._root is not None else self

    @property
    def save_counter(self):
        """How many times ``save`` ran (an int64 variable, saved with the checkpoint)."""
        self._maybe_create_save_counter()
        return self._save_counter

    def _maybe_create_save_counter(self):
        if self._save_counter is None:
            object.__setattr__(self, "_save_counter",
                               Variable(0, dtype=_dt.int64, trainable=False,
                                        name="save_counter"))

    def _trackable_children(self):
        from .object_graph import trackable_children
        edges = {}
        if self._root is not None:
            edges.update(trackable_children(self._root))
        for name in self._children_names:
            value = getattr(self, name, None)
            if _holds_state(value):
                edges[name] = value
        if self._save_counter is not None:
            edges["save_counter"] = self._save_counter
        return sorted(edges.items())

    # -- saving -------------------------------------------------------------------------------
    def write(self, file_prefix, options=None):
        """Write a checkpoint at ``file_prefix`` (no numbering; ``save_counter`` unchanged);
        returns the prefix."""
        prefix = os.fspath(file_prefix)
        graph = build_object_graph(self)
        nodes, arrays = [], {}
        for i, obj in enumerate(graph.objects):
            node = {"class": type(obj).__name__,
                    "children": [[name, c] for name, c in graph.children[i]]}
            if isinstance(obj, Variable):
                key = variable_key(graph.paths[i])
                a = arrays[key] = _host_array(key, obj)
                node["variable"] = {"key": key, "shape": list(a.shape), "dtype": a.dtype.name}
            nodes.append(node)
        for opt_node, ref_node, slot_name, slot_node in graph.slots:
            nodes[opt_node].setdefault("slots", []).append([ref_node, slot_name, slot_node])
        return write_checkpoint(prefix, nodes, arrays)

    def save(self, file_prefix, options=None):
        """Increment ``save_counter`` and write ``<file_prefix>-<save_counter>``; records it
        as the latest checkpoint of its directory. Returns the path."""
        from .checkpoint_management import _record_latest
        counter = self.save_counter
        counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(counter.numpy())}", options)
        _record_latest(path)
        return path

    # -- restoring ----------------------------------------------------------------------------
    def read(self, save_path, options=None):
        """Restore from ``save_path`` without creating ``save_counter``."""
        prefix = os.fspath(save_path)
        saved = read_index(prefix)
        arrays = read_values(saved)
        skip = bool(getattr(options, "experimental_skip_slot_variables", False))
        r = Restoration(saved, arrays, skip_slots=skip)
        r.rematch(self, 0)
        from ..module import Module
        if isinstance(self._root, Module) and not r.complete():
            from . import deferred
            deferred.register(self._root, r, 0)
        if not r.complete():
            self._restorations.append(r)
        return CheckpointLoadStatus(r, self)

    def restore(self, save_path, options=None):
        """Restore the values saved at ``save_path`` (None: keep initial values).

        Variables that exist get their values now; the others when they are created. The
        returned status checks the match (``assert_consumed`` ...). Raises NotFoundError
        when there is no checkpoint there, DataLossError for a corrupt or foreign file,
        ValueError when a saved shape or dtype does not fit its variable.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        self._maybe_create_save_counter()
        return self.read(save_path, options)

    def sync(self):
        """Saving is synchronous: nothing to wait for."""
