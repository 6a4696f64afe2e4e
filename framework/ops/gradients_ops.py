"""``tf.gradients`` and ``tf.hessians``: symbolic gradients inside a ``tfx.function``.

As in TensorFlow 2 they work only while a function is traced (eagerly they raise and point to
GradientTape). The ops the trace has recorded so far are the tape: each becomes a tape node,
and the tape's own backward pass runs on them, so every gradient rule is the one eager code
uses, and the gradient ops it runs are recorded into the graph being traced.
"""
from .. import nest
from ..core.tensor import TensorBase

__all__ = ["gradients", "hessians"]


def _tape_of_trace(rec, xs, stop):
    """A GradientTape (never entered) whose nodes are the ops traced so far."""
    from ..autodiff.tape import READ, GradientTape, Node
    from .state_ops import READ_VARIABLE
    by_slot = {}
    for x in rec._keep:
        s = rec._slots.get(id(x))
        if s is not None:
            by_slot[s] = x
    tape = GradientTape(persistent=True)
    stopped = {id(x) for x in stop}
    for o in rec.graph.nodes:
        outs = tuple(by_slot.get(s) for s in o.out_slots)
        if not outs or any(x is None or id(x) in stopped for x in outs):
            continue
        if o.op is READ_VARIABLE:
            tape._nodes.append(Node(READ, (o.attrs,), outs, None))
            continue
        ins = tuple(by_slot.get(s) for s in o.in_slots)
        if any(x is None for x in ins):
            continue
        tape._nodes.append(Node(o.op, ins, outs, o.attrs))
    tape._tracked = {id(x) for x in xs}
    tape._keep = list(xs)
    return tape


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """The symbolic partial derivatives of sum(ys) with respect to each of ``xs`` (tensors
    or variables of the function being traced), as a list; None (or zeros with
    ``unconnected_gradients="zero"``) where ``ys`` does not depend on an ``x``.
    ``grad_ys`` weights each of ``ys``; ``stop_gradients`` are treated as constants."""
    from ..core.state import STATE
    from ..autodiff.tape import UnconnectedGradients
    rec = STATE.tracing
    if rec is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    flat_y = [y for y in nest.flatten(ys)]
    flat_x = nest.flatten(xs)
    for x in flat_x:
        if not isinstance(x, TensorBase):
            raise TypeError(f"xs must be tensors or variables, got {x!r}")
    stop = [] if stop_gradients is None else nest.flatten(stop_gradients)
    tape = _tape_of_trace(rec, flat_x, stop)
    ogs = None if grad_ys is None else nest.flatten(grad_ys)
    how = unconnected_gradients if isinstance(unconnected_gradients, UnconnectedGradients) \
        else UnconnectedGradients(unconnected_gradients)
    return list(tape.gradient(flat_y, flat_x, output_gradients=ogs,
                              unconnected_gradients=how))


def hessians(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """For each x of ``xs``, the Hessian of sum(ys): shape x.shape + x.shape."""
    from . import array_ops as A
    out = []
    for x in nest.flatten(xs):
        (g,) = gradients(ys, [x])
        if g is None:
            out.append(None)
            continue
        flat = A.reshape(g, [-1])
        rows = []
        for i in range(int(flat._v.size)):
            (h,) = gradients(flat[i], [x], unconnected_gradients="zero")
            rows.append(h)
        shape = list(x.shape)
        out.append(A.reshape(A.stack(rows), shape + shape))
    return out
