"""GradientTape: records ops on watched tensors and variables, then runs them backwards.

The tape is a list of nodes (op, inputs, outputs, attrs), appended in execution order, so the
reverse of that list is already a topological order (as in micrograd, minus the closures).
A node is kept only when one of its inputs is already tracked, so ops on constants cost a set
lookup. Gradients are computed with tfx ops: an enclosing tape records them, which is how
nested tapes give second derivatives.
"""
import enum
import threading
import sys

from .. import nest
from ..backend import namespace, xp
from ..core.indexed_slices import IndexedSlices
from ..core.state import STATE
from ..core.tensor import Tensor, TensorBase, convert_to_tensor, wrap
from ..ops.array_ops import zeros_like
from ..ops.math_ops import add, cast
from .. import debugging as _debugging

__all__ = ["GradientTape", "UnconnectedGradients", "Node", "note_exit"]


class UnconnectedGradients(enum.Enum):
    NONE = "none"
    ZERO = "zero"


class Node:
    """One recorded op execution: what backward needs and nothing more."""

    __slots__ = ("op", "inputs", "outputs", "attrs")

    def __init__(self, op, inputs, outputs, attrs):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs


class _ReadVariable:
    """The op a variable read becomes on a tape: identity from the variable to a tensor."""

    name = "ReadVariableOp"
    api = "read"
    differentiable = True

    @staticmethod
    def grad(node, g):
        return (g,)


READ = _ReadVariable()


class GradientTape:
    """Record operations for automatic differentiation (``tf.GradientTape``)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._entered = False
        self._used = False
        self._reset_state()

    def _reset_state(self):
        self._nodes = []
        self._tracked = set()      # ids of tensors/variables whose gradients can flow
        self._keep = []            # watched objects, kept alive so their ids stay unique
        self._watched_vars = []
        self._cuts = []            # (op name) where a tracked input reached a non-float output
        self._exits = {}           # id(tensor) -> (how it left, "file:line")

    # -- context ------------------------------------------------------------------------------
    def __enter__(self):
        if self._entered:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter "
                             "an already-active tape.")
        self._entered = True
        self._recording = True
        self._thread = threading.get_ident()  # a tape records its own thread's ops only
        STATE.tapes.append(self)
        STATE.recording = True
        return self

    def __exit__(self, *exc):
        self._entered = False
        self._recording = False
        if self in STATE.tapes:
            STATE.tapes.remove(self)
        STATE.refresh()
        return False

    # -- recording ----------------------------------------------------------------------------
    def watch(self, tensor):
        """Track ``tensor`` (or a nested structure of tensors/variables)."""
        if self._entered and not self._recording:
            return  # inside stop_recording(): TensorFlow ignores the watch
        for x in nest.flatten(tensor):
            if not isinstance(x, TensorBase):
                raise ValueError(f"Passed in object {x!r} of type {type(x).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")
            if id(x) not in self._tracked:
                self._tracked.add(id(x))
                self._keep.append(x)
                if x.__class__ is not Tensor and hasattr(x, "assign"):
                    self._watched_vars.append(x)

    def _watch_variable(self, var):
        if id(var) not in self._tracked:
            self._tracked.add(id(var))
            self._keep.append(var)
            self._watched_vars.append(var)

    def _record(self, op, inputs, outputs, attrs):
        tracked = self._tracked
        for x in inputs:
            if id(x) in tracked:
                break
        else:
            return
        self._nodes.append(Node(op, inputs, outputs, attrs))
        diff = op.differentiable
        cut = not diff
        for o in outputs:  # an integer output cuts itself, not the outputs after it
            if diff and o._dtype.is_differentiable:
                tracked.add(id(o))
            else:
                cut = True
        if cut:
            self._cuts.append(op.name)

    def _record_read(self, var, value):
        tracked = self._tracked
        if id(value) in tracked:
            return  # this very read is on the tape already
        vid = id(var)
        if vid not in tracked and self._watch_accessed and var._trainable:
            tracked.add(vid)
            self._keep.append(var)
            self._watched_vars.append(var)
        if vid in tracked:
            self._nodes.append(Node(READ, (var,), (value,), None))
            tracked.add(id(value))
            self._keep.append(value)

    def stop_recording(self):
        return _Paused(self)

    def reset(self):
        self._reset_state()

    def watched_variables(self):
        return tuple(self._watched_vars)

    # -- gradients ----------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(target)/d(sources), structured like ``sources``; None where unconnected."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        unconnected = unconnected_gradients if unconnected_gradients.__class__ is \
            UnconnectedGradients else UnconnectedGradients(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, TensorBase):
                raise ValueError(f"Argument `sources` must be tensors or variables, got {s!r}")
        if target is None:
            raise TypeError("Argument `target` should be a list or nested structure of "
                            "Tensors, Variables or CompositeTensors to be differentiated, but "
                            "received None.")
        targets = nest.flatten(target)
        ogs = nest.flatten(output_gradients) if output_gradients is not None else None
        if ogs is not None and len(ogs) != len(targets):
            raise ValueError("`output_gradients` must have one entry per target")
        paused = not self._persistent and self._recording
        if paused:  # a non-persistent tape does not record its own backward pass
            self._recording = False
            STATE.refresh()
        try:
            grads = self._backward(targets, ogs, flat_sources)
        finally:
            if paused:
                self._recording = True
                STATE.refresh()
        if not self._persistent:
            # The nodes stay until the tape is dropped, so explain_gradients can still say
            # why a gradient is None; only a persistent tape can compute again.
            self._used = True
        if _debugging._EXPLAIN[0] and any(g is None for g in grads):
            _debugging.warn_none_gradients(self, targets, flat_sources, grads)
        out = []
        for s, g in zip(flat_sources, grads):
            if g is None and unconnected is UnconnectedGradients.ZERO:
                g = zeros_like(s)
            out.append(g)
        return nest.pack_sequence_as(sources, out)

    def _backward(self, targets, ogs, sources):
        nodes = self._nodes

        # Forward reachability from the sources prunes the backward pass to what matters.
        # Only watched sources count: an unwatched constant gets None, as in TensorFlow.
        tracked = self._tracked
        reach = {id(s) for s in sources if id(s) in tracked}
        live = []
        keep, grow = live.append, reach.add
        for node in nodes:
            if not node.op.differentiable:
                continue  # a cut: nothing flows back through it
            for x in node.inputs:
                if id(x) in reach:
                    keep(node)
                    for o in node.outputs:
                        grow(id(o))
                    break

        grads = {}
        for i, tg in enumerate(targets):
            if not isinstance(tg, TensorBase):
                continue
            if not tg._dtype.is_differentiable:
                continue
            g = ogs[i] if ogs is not None and ogs[i] is not None else None
            if g is None:
                v = tg._v
                g = wrap(namespace(v).ones(v.shape, dtype=v.dtype), tg._dtype)
            else:
                g = convert_to_tensor(g, tg._dtype)
            k = id(tg)
            grads[k] = add(grads[k], g) if k in grads else g

        get = grads.get
        for node in reversed(live):
            outs = node.outputs
            if len(outs) == 1:
                g = get(id(outs[0]))
                if g is None:
                    continue
                if node.op is READ:  # identity into the variable: no call, no tuple
                    k = id(node.inputs[0])
                    prev = get(k)
                    grads[k] = g if prev is None else add(_dense(prev), _dense(g))
                    continue
                if g.__class__ is IndexedSlices:
                    g = g.to_dense()  # only a variable read passes a sparse gradient on as is
                gs = (g,)
            else:
                gs = [grads.get(id(o)) for o in outs]
                if all(g is None for g in gs):
                    continue
                gs = [zeros_like(o) if g is None else g for o, g in zip(outs, gs)]
            in_grads = node.op.grad(node, *gs)
            for x, ig in zip(node.inputs, in_grads):
                if ig is None:
                    continue
                k = id(x)
                if k not in reach:
                    continue
                prev = grads.get(k)
                if prev is None:
                    grads[k] = ig
                else:
                    if isinstance(prev, IndexedSlices):
                        prev = prev.to_dense()
                    if isinstance(ig, IndexedSlices):
                        ig = ig.to_dense()
                    grads[k] = add(prev, ig)

        result = []
        for s in sources:
            if not s._dtype.is_differentiable:
                result.append(None)
                continue
            g = grads.get(id(s))
            if g is not None and not isinstance(g, IndexedSlices) and g._dtype is not s._dtype:
                g = cast(g, s._dtype)
            result.append(g)
        return result

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...] with shape target.shape + source.shape."""
        from ..ops.array_ops import reshape, stack, zeros
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        flat_sources = nest.flatten(sources)
        tgt = convert_to_tensor(target) if not isinstance(target, TensorBase) else target
        n = tgt._v.size
        rows = [[] for _ in flat_sources]
        self._used = False
        persistent, self._persistent = self._persistent, True
        try:
            import numpy as np
            for i in range(n):
                og = np.zeros(tgt._v.shape, dtype=tgt._dtype._np)
                og.reshape(-1)[i] = 1
                gs = self.gradient(tgt, flat_sources, output_gradients=[og],
                                   unconnected_gradients=unconnected_gradients)
                for r, g in zip(rows, gs):
                    r.append(g)
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
        out = []
        for r, s in zip(rows, flat_sources):
            sshape = list(s._v.shape)
            if any(g is None for g in r):
                out.append(None if all(g is None for g in r) else
                           reshape(stack([zeros(sshape, s._dtype) if g is None else _dense(g)
                                          for g in r]), list(tgt._v.shape) + sshape))
                continue
            out.append(reshape(stack([_dense(g) for g in r]) if r else zeros([0] + sshape,
                                                                             s._dtype),
                               list(tgt._v.shape) + sshape))
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Jacobian of each batch row of ``target`` w.r.t. the same row of ``source``."""
        from ..ops.array_ops import reshape, stack, zeros
        import numpy as np
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")
        tshape = target._v.shape
        sshape = source._v.shape
        if tshape[0] != sshape[0]:
            raise ValueError("Need first dimension of target shape "
                             f"({list(tshape)}) and source shape ({list(sshape)}) to match.")
        b = tshape[0]
        inner = int(np.prod(tshape[1:], dtype=np.int64))
        persistent, self._persistent = self._persistent, True
        cols = []
        try:
            for j in range(inner):
                og = np.zeros((b, inner), dtype=target._dtype._np)
                og[:, j] = 1
                g = self.gradient(target, source, output_gradients=[og.reshape(tshape)],
                                  unconnected_gradients=unconnected_gradients)
                cols.append(g)
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
        if all(g is None for g in cols):
            return None
        cols = [zeros(list(sshape), source._dtype) if g is None else _dense(g) for g in cols]
        j = stack(cols, axis=1)  # [b, inner, *source_rest]
        return reshape(j, list(tshape) + list(sshape[1:]))


def _dense(g):
    return g.to_dense() if isinstance(g, IndexedSlices) else g


class _Paused:
    __slots__ = ("_tape",)

    def __init__(self, tape):
        self._tape = tape

    def __enter__(self):
        if not self._tape._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._tape._recording = False
        STATE.refresh()

    def __exit__(self, *exc):
        self._tape._recording = True
        STATE.refresh()
        return False


def note_exit(tensor, how):
    """Remember where a tracked tensor left the tape (``.numpy()``), for explain_gradients."""
    for tape in STATE.tapes:
        if tape._recording and id(tensor) in tape._tracked:
            from ..diagnostics import user_frame
            f = user_frame()
            tape._exits[id(tensor)] = (how, f"{f.f_code.co_filename}:{f.f_lineno}" if f else "?")
