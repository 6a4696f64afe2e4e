"""``apply_gradients`` inside a traced function: one graph node that runs the update.

Optimizers update ``var._v`` arrays directly (no taped ops), so tracing their Python would
freeze one update into nothing. Instead, while tracing, ``Optimizer.apply`` records an
``apply_gradients`` node: its inputs are the gradients, its attrs the optimizer and variables,
and its forward is the optimizer's own array update, run each time the graph runs. The node
writes state, so graph passes keep it, and later reads of the variables in the graph read the
updated values. Slot variables are created while tracing the first call (the optimizer is built
then, as in TensorFlow).
"""
from ...core.indexed_slices import IndexedSlices
from ...core.state import STATE
from ...core.tensor import convert_to_tensor, wrap
from ...ops._core import register

__all__ = ["record_apply"]


def _apply_fwd(ins, attrs):
    optimizer, variables, layout = attrs
    grads, pos = [], 0
    for kind, dtypes in layout:
        if kind == "slices":
            grads.append(IndexedSlices(*[wrap(a, d) for a, d in zip(ins[pos:pos + 3], dtypes)]))
            pos += 3
        else:
            grads.append(wrap(ins[pos], dtypes))
            pos += 1
    optimizer.apply(grads, variables)
    return ()


# attrs: (optimizer, variables, per-gradient layout); no outputs: always kept.
APPLY_GRADIENTS = register("apply_gradients", api="Optimizer.apply_gradients",
                           forward=_apply_fwd, taped=False, stateful=True)


def record_apply(optimizer, grads, trainable_variables):
    """Record the update of ``trainable_variables`` by ``grads`` in the graph being traced."""
    grads = list(grads)
    if trainable_variables is None:
        if not optimizer.built:
            raise ValueError("When passing `grads` without `variables`, the optimizer must "
                             "already be built on a list of variables. Call "
                             "`optimizer.build(trainable_variables)` first.")
        trainable_variables = optimizer._trainable_variables
    trainable_variables = list(trainable_variables)
    if not optimizer.built:
        optimizer.build(trainable_variables)
    if len(grads) != len(trainable_variables):
        raise ValueError(f"Received {len(grads)} gradients for {len(trainable_variables)} "
                         "variables.")
    # Checked now, once: unknown variables, no gradient at all (raise), some missing (warn).
    optimizer._gradient_arrays(grads, trainable_variables)
    inputs, layout, variables = [], [], []
    for g, v in zip(grads, trainable_variables):
        if g is None:
            continue
        variables.append(v)
        if isinstance(g, IndexedSlices):
            parts = [convert_to_tensor(p) for p in (g.values, g.indices, g.dense_shape)]
            inputs += parts
            layout.append(("slices", tuple(p._dtype for p in parts)))
        else:
            x = convert_to_tensor(g)
            inputs.append(x)
            layout.append(("dense", x._dtype))
    written = variables + [v for v in optimizer.variables if not any(v is w for w in variables)]
    STATE.tracing._record_effect(APPLY_GRADIENTS, inputs, (optimizer, tuple(variables),
                                                            tuple(layout)), written)
    return optimizer._iterations
