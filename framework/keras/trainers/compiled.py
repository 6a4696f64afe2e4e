"""The step fit / evaluate / predict call per batch: the model's ``*_step``, traced into a graph
by ``tfx.function`` unless the model runs eagerly.

``Model.compile(run_eagerly=False)`` (the default) runs ``train_step``, ``test_step`` and
``predict_step`` (overridden ones too) as graph functions with ``reduce_retracing=True``, as
Keras does: the Python of a step runs once per input signature (a short last batch adds one
trace), then each batch runs the graph. The optimizer's update is one node of the training graph
(``Optimizer.apply`` records it while tracing; see optimizers/traced.py), so the whole step runs
without the step's Python. A model under a ``tfx.distribute`` strategy runs eagerly: its gradient
exchange is not a graph op.

Traced steps are kept per model and ``compile`` call (a new compile, with new losses and metrics,
traces again).
"""
import weakref

from ...graph.function import Function

__all__ = ["step_function"]

_STEPS = weakref.WeakKeyDictionary()  # model -> (its compile state, {kind: Function})


def step_function(model, kind):
    """``model.<kind>_step`` as fit/evaluate/predict should call it (kind: train, test,
    predict)."""
    step = getattr(model, f"{kind}_step")
    if model.run_eagerly or getattr(model, "_distribute", None) is not None:
        return step
    compiled = getattr(model, "_compiled", None)
    try:
        entry = _STEPS.get(model)
    except TypeError:  # an unhashable model: trace per loop, still correct
        return Function(step, reduce_retracing=True, name=f"{kind}_step")
    if entry is None or entry[0] is not compiled:
        entry = _STEPS[model] = (compiled, {})
    fn = entry[1].get(kind)
    if fn is None:
        fn = entry[1][kind] = Function(_weak_step(model, kind), reduce_retracing=True,
                                       name=f"{type(model).__name__}.{kind}_step")
    return fn


def _weak_step(model, kind):
    # The cache must not keep the model alive (a strong reference from the value to its key
    # would): the traced function reaches the model through a weak reference.
    ref = weakref.ref(model)
    name = f"{kind}_step"

    def step(data):
        return getattr(ref(), name)(data)
    step.__qualname__ = f"{type(model).__name__}.{name}"
    step.__wrapped__ = getattr(getattr(type(model), name), "__func__", getattr(type(model), name))
    return step
