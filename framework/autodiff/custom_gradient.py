"""``tfx.custom_gradient``: a function that supplies its own gradient.

The decorated function returns ``(outputs, grad_fn)``. Its forward runs with the tapes
paused; one node is then recorded whose backward calls ``grad_fn``. Tensor arguments count
whether they are passed positionally or by keyword (TensorFlow ignores keyword tensors).
Variables read inside the forward are found by a private tape and passed to ``grad_fn`` as
``variables=``, as TensorFlow does.
"""
import functools
import inspect

from .. import nest
from ..core.state import STATE
from ..core.tensor import TensorBase, convert_to_tensor, wrap
from ..ops._core import record

__all__ = ["custom_gradient", "recompute_grad"]


class _CustomOp:
    """The op a custom-gradient call becomes on a tape.

    In a traced graph the forward's own ops compute the outputs; this node then passes them
    through (its last ``passthrough`` inputs), so the graph replays the forward and a tape that
    records the node applies the custom gradient.
    """

    differentiable = True
    taped = True
    stateful = False
    api = "tfx.custom_gradient"

    def __init__(self, name, grad_fn, n_inputs, variables, out_structure):
        self.name = f"CustomGradient/{name}"
        self._grad_fn = grad_fn
        self._n = n_inputs
        self._variables = variables
        self._structure = out_structure
        self.passthrough = 0

    def forward(self, ins, attrs):
        return tuple(ins[len(ins) - self.passthrough:])

    def grad(self, node, *upstream):
        gs = upstream[0] if len(upstream) == 1 else nest.pack_sequence_as(
            self._structure, list(upstream))
        if self._variables:
            result = self._grad_fn(gs, variables=self._variables) if not isinstance(
                gs, (list, tuple)) else self._grad_fn(*gs, variables=self._variables)
            input_grads, var_grads = result
        else:
            input_grads = self._grad_fn(gs) if not isinstance(gs, (list, tuple)) or \
                len(upstream) == 1 else self._grad_fn(*gs)
            var_grads = []
        input_grads = list(nest.flatten(input_grads)) if isinstance(input_grads, (list, tuple)) \
            else [input_grads]
        if len(input_grads) != self._n:
            raise ValueError(f"custom_gradient function {self.name.split('/', 1)[1]!r} "
                             f"returned {len(input_grads)} gradients for {self._n} tensor "
                             "input(s)")
        out = [None if g is None else convert_to_tensor(g) for g in input_grads]
        out += [None if g is None else convert_to_tensor(g) for g in var_grads]
        return tuple(out) + (None,) * self.passthrough


def custom_gradient(f=None):
    """Decorator: ``f(*x)`` returns ``(y, grad_fn)`` with ``grad_fn(dy) -> dx`` (one per
    tensor argument; with ``variables=`` also the gradients of the variables read)."""
    if f is None:
        return custom_gradient

    sig = None
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        pass

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if sig is not None:
            bound = sig.bind(*args, **kwargs)
            ordered = []
            for k, v in bound.arguments.items():
                kind = sig.parameters[k].kind
                if kind is inspect.Parameter.VAR_POSITIONAL:
                    ordered.extend((f"{k}[{i}]", a) for i, a in enumerate(v))
                elif kind is inspect.Parameter.VAR_KEYWORD:
                    ordered.extend(v.items())
                else:
                    ordered.append((k, v))
        else:
            ordered = [(i, a) for i, a in enumerate(args)] + list(kwargs.items())
        if not STATE.recording:
            result, _ = f(*args, **kwargs)
            return result
        from .tape import GradientTape
        inputs = [convert_to_tensor(v) for k, v in ordered if isinstance(v, TensorBase)]
        # Forward: outer tapes paused (a graph being traced keeps recording); a private tape
        # notes which variables f reads.
        paused = [t for t in STATE.tapes if t._recording and t is not STATE.tracing]
        for t in paused:
            t._recording = False
        probe = GradientTape(watch_accessed_variables=True)
        try:
            with probe:
                result, grad_fn = f(*args, **kwargs)
        finally:
            for t in paused:
                t._recording = True
            STATE.refresh()
        variables = [v for v in probe.watched_variables()
                     if not any(v is x for x in nest.flatten([a for _, a in ordered]))]
        if variables and "variables" not in _params(grad_fn):
            raise TypeError("If using @custom_gradient with a function that uses variables, "
                            "then grad_fn must accept a keyword argument 'variables'.")
        for t in paused:  # variables read inside are watched as if read directly
            for v in variables:
                if t._watch_accessed and v.trainable:
                    t._watch_variable(v)
        flat_out = [convert_to_tensor(o) for o in nest.flatten(result)]
        op = _CustomOp(getattr(f, "__name__", "f"), grad_fn, len(inputs), variables, result)
        if STATE.tracing is not None:
            reads = tuple(convert_to_tensor(v) for v in variables)
            outs = tuple(wrap(o._v, o._dtype) for o in flat_out)
            op.passthrough = len(outs)
            record(op, tuple(inputs) + reads + tuple(flat_out), outs)
            flat_out = list(outs)
        else:
            record(op, tuple(inputs) + tuple(variables), tuple(flat_out))
        return nest.pack_sequence_as(result, flat_out) if nest.is_nested(result) else \
            flat_out[0]

    return wrapper


def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def recompute_grad(f):
    """Compute ``f``'s gradient by re-running it in the backward pass (memory for time)."""
    @functools.wraps(f)
    def wrapper(*args):
        @custom_gradient
        def inner(*xs):
            out = f(*xs)

            def grad(*dys, variables=None):
                from .tape import GradientTape
                with GradientTape() as t:
                    for x in xs:
                        t.watch(x)
                    y = f(*xs)
                srcs = list(xs) + list(variables or [])
                gs = t.gradient(y, srcs, output_gradients=list(dys))
                n = len(xs)
                return (gs[:n], gs[n:]) if variables else gs[:n]
            return out, grad
        return inner(*args)
    return wrapper
