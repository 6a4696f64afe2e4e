"""``tfx.debugging``: checks, and explanations for gradients that come back as None."""
import warnings

from . import nest
from .core.tensor import Tensor, TensorBase

__all__ = ["explain_gradients", "enable_gradient_explanations",
           "disable_gradient_explanations", "check_numerics", "assert_all_finite",
           "set_log_device_placement", "get_log_device_placement", "Assert", "assert_equal",
           "assert_none_equal", "assert_greater", "assert_greater_equal", "assert_less",
           "assert_less_equal", "assert_near", "assert_positive", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_rank", "assert_rank_at_least",
           "assert_rank_in", "assert_scalar", "assert_type", "assert_integer",
           "assert_same_float_dtype", "assert_shapes", "assert_proper_iterable",
           "is_numeric_tensor", "enable_traceback_filtering", "disable_traceback_filtering",
           "is_traceback_filtering_enabled", "enable_check_numerics",
           "disable_check_numerics", "experimental"]

_EXPLAIN = [False]


def enable_gradient_explanations():
    """Make ``tape.gradient`` warn once per None gradient, with its reason (the CLI does)."""
    _EXPLAIN[0] = True


def disable_gradient_explanations():
    _EXPLAIN[0] = False


def explanations_enabled():
    return _EXPLAIN[0]


def _label(x, i):
    if not isinstance(x, Tensor) and hasattr(x, "assign"):
        return f"variable {x.name!r}"
    return f"source #{i} (tensor of shape {list(x._v.shape)}, {x._dtype.name})"


def explain_gradients(tape, target, sources):
    """One reason per source whose gradient is None (None where a gradient exists).

    Reasons: not watched, not trainable, integer/string dtype, left the tape through
    ``.numpy()``/NumPy at file:line, passed through a non-differentiable op, target computed
    outside the tape, or not used by the target."""
    flat = nest.flatten(sources)
    targets = nest.flatten(target)
    tracked = tape._tracked
    nodes = tape._nodes
    produced = {id(o) for n in nodes for o in n.outputs}
    out = []
    for i, s in enumerate(flat):
        out.append(_reason(tape, s, i, targets, nodes, tracked, produced))
    return nest.pack_sequence_as(sources, out)


def _reason(tape, s, i, targets, nodes, tracked, produced):
    label = _label(s, i)
    is_var = not isinstance(s, Tensor) and hasattr(s, "assign")
    if not s._dtype.is_differentiable:
        return (f"{label} has dtype {s._dtype.name}: only floating-point and complex tensors "
                f"carry gradients. Cast it to a float (tfx.cast(x, tfx.float32)) before the "
                f"tape uses it.")
    if id(s) not in tracked:
        if is_var and not s.trainable:
            return (f"{label} is not trainable, so the tape does not watch it; call "
                    "tape.watch(variable) or create it with trainable=True.")
        if is_var:
            return (f"{label} was not watched: the tape was created with "
                    "watch_accessed_variables=False, or the variable was never read inside "
                    "the tape's `with` block.")
        return (f"{label} was not watched: constants are not recorded automatically. Call "
                "tape.watch(x) inside the `with tfx.GradientTape()` block before using x.")
    # Forward reachability from the source through recorded nodes.
    reach = {id(s)}
    cut = []
    for n in nodes:
        if any(id(x) in reach for x in n.inputs):
            if not n.op.differentiable:
                cut.append(n.op.name)
            for o in n.outputs:
                if o._dtype.is_differentiable and n.op.differentiable:
                    reach.add(id(o))
                elif o._dtype.is_differentiable is False and n.op.differentiable:
                    cut.append(f"{n.op.name} (to {o._dtype.name})")
    if any(id(t) in reach for t in targets if isinstance(t, TensorBase)):
        return None
    exits = [tape._exits[k] for k in reach if k in tape._exits]
    if exits:
        how, where = exits[0]
        return (f"{label}: a value computed from it left the tape through {how} at {where}; "
                "the result was rebuilt from NumPy data, which has no history. Keep the "
                "computation in tfx ops.")
    if cut:
        return (f"{label} passes through a non-differentiable op ({', '.join(cut[:3])}): "
                "its output carries no gradient (argmax, comparisons, casts to integers, "
                "rounding...).")
    if not any(id(t) in produced or id(t) in tracked for t in targets
               if isinstance(t, TensorBase)):
        return (f"{label}: the target was computed outside the tape (or from values that "
                "left it), so nothing links it to the source. Compute the target inside the "
                "`with tfx.GradientTape()` block.")
    return f"{label} is not used to compute the target."


def warn_none_gradients(tape, targets, sources, grads):
    for s, g, reason in zip(sources, grads, explain_gradients(tape, targets, list(sources))):
        if g is None and reason:
            warnings.warn(f"Gradient is None: {reason}", stacklevel=3)


def assert_all_finite(x, message, name=None):
    """``x`` itself; InvalidArgumentError (with ``message``) if it holds a NaN or an inf."""
    return check_numerics(x, message, name)


_LOG_PLACEMENT = [False]


def set_log_device_placement(enabled):
    """Recorded only: tfx places every op on the default device (no per-op log)."""
    _LOG_PLACEMENT[0] = bool(enabled)


def get_log_device_placement():
    return _LOG_PLACEMENT[0]


from .ops.check_ops import *  # noqa: E402,F401,F403 - the assert_* family


class experimental:  # noqa: N801 - tf.debugging.experimental
    """tfdbg2 dumps (``enable_dump_debug_info``) for TensorBoard's Debugger V2.

    tfx writes no tfdbg2 event files. Enabling the dump only warns and returns None rather
    than raising: the dump is a side channel for a viewer and never changes what a program
    computes, so a script that turns it on still runs and gives the same numbers. To find
    where NaN/Inf first appear use ``tfx.debugging.enable_check_numerics()``; for missing
    gradients ``tfx.debugging.explain_gradients``.
    """

    @staticmethod
    def enable_dump_debug_info(dump_root, tensor_debug_mode="NO_TENSOR",
                               circular_buffer_size=1000, op_regex=None, tensor_dtypes=None):
        warnings.warn(f"tfx.debugging.experimental.enable_dump_debug_info: tfx writes no "
                      f"tfdbg2 dump (nothing goes to {dump_root!r}); use "
                      "tfx.debugging.enable_check_numerics() to locate NaN/Inf values.",
                      stacklevel=2)
        return None

    @staticmethod
    def disable_dump_debug_info():
        """Nothing to stop (no dump is ever written)."""
