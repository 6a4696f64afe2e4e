"""``tfx.train.TrackableView`` and ``tfx.train.CheckpointView``: the object graph of live
objects and of a checkpoint file, and how the two line up (``tf.train``'s views)."""
from collections import deque

from .checkpoint_io import read_index
from .object_graph import trackable_children

__all__ = ["TrackableView", "CheckpointView"]


class TrackableView:
    """The objects and variables reachable from ``root``, as a checkpoint would see them."""

    def __init__(self, root):
        self._root = root

    @property
    def root(self):
        return self._root

    @classmethod
    def children(cls, obj, save_type="checkpoint", **kwargs):
        """``{edge name: child}`` of one object (variables, trackable objects, containers)."""
        from ..core.variable import Variable
        if isinstance(obj, Variable):
            return {}
        return dict(trackable_children(obj))

    def descendants(self):
        """Every object reachable from the root (the root first), breadth-first, once each."""
        seen, out, queue = {id(self._root)}, [self._root], deque([self._root])
        while queue:
            for _, child in trackable_children_of(queue.popleft()):
                if id(child) not in seen:
                    seen.add(id(child))
                    out.append(child)
                    queue.append(child)
        return out


def trackable_children_of(obj):
    from ..core.variable import Variable
    return [] if isinstance(obj, Variable) else trackable_children(obj)


class CheckpointView:
    """The object graph stored in the checkpoint at ``save_path`` (node 0 is the root)."""

    def __init__(self, save_path):
        self._saved = read_index(save_path)

    def children(self, node_id):
        """``{edge name: child node id}`` of checkpoint node ``node_id``."""
        return dict(self._saved.children[node_id])

    def descendants(self):
        """Node ids reachable from the root, breadth-first (the root first)."""
        seen, out, queue = {0}, [0], deque([0])
        while queue:
            for child in self._saved.children[queue.popleft()].values():
                if child not in seen:
                    seen.add(child)
                    out.append(child)
                    queue.append(child)
        return out

    def match(self, obj):
        """``{node id: object}``: the objects of ``obj``'s graph at the same paths as the
        checkpoint's nodes."""
        matched, queue = {0: obj}, deque([(0, obj)])
        while queue:
            node, live = queue.popleft()
            live_children = dict(trackable_children_of(live))
            for name, child in self._saved.children[node].items():
                if name in live_children and child not in matched:
                    matched[child] = live_children[name]
                    queue.append((child, live_children[name]))
        return matched

    def diff(self, obj):
        """``(matched, node ids only in the checkpoint, objects only in obj)``."""
        matched = self.match(obj)
        only_saved = [n for n in self.descendants() if n not in matched]
        have = {id(v) for v in matched.values()}
        only_live = [o for o in TrackableView(obj).descendants() if id(o) not in have]
        return matched, only_saved, only_live
