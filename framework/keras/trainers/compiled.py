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
traces again). ``compile(jit_compile=True)`` fuses each traced step into one native function
(graph/fuse.py) and calls it with as little Python per batch as possible.
"""
import weakref

from ...core.state import STATE
from ...core.tensor import Tensor
from ...nest import map_structure
from ...graph import structure as S
from ...graph.function import Function

__all__ = ["step_function"]

_STEPS = weakref.WeakKeyDictionary()  # model -> (its compile state, {kind: Function})


def step_function(model, kind):
    """``model.<kind>_step`` as fit/evaluate/predict should call it (kind: train, test,
    predict)."""
    step = getattr(model, f"{kind}_step")
    if _on_gpu(model):  # graphs trace on host arrays and fuse into CPU code: GPU steps are eager
        return _gpu_step(step)
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
        jit = getattr(model, "_jit_compile", False)
        fn = Function(_weak_step(model, kind), reduce_retracing=True, jit_compile=jit,
                      name=f"{type(model).__name__}.{kind}_step")
        # Keras builds the model, metrics and optimizer before tracing a step; here the first
        # trace builds them, so it is not traced again (its Python runs once, as in Keras).
        fn._retrace_if_created = False
        fn = entry[1][kind] = _BatchStep(fn) if jit else fn
    return fn


def _on_gpu(model):
    if STATE.device == "GPU":
        return True
    weights = model.weights  # unbuilt: the step builds them where STATE.device says
    return bool(weights) and type(weights[0]._v).__module__.startswith("cupy")


def _gpu_step(step):
    """``step`` with each batch's host tensors copied to the GPU once, before the step."""
    def moved(x):
        if x.__class__ is Tensor and x._v.dtype.kind not in "OUS":
            return x.gpu()
        return x

    def gpu_step(batch):
        return step(map_structure(moved, batch))

    return gpu_step


class _BatchStep:
    """A jit-compiled step called with a batch tuple of tensors: straight to the fused plan of
    the batch's shapes, skipping the argument binding and flattening a ``Function`` call does
    (measurable once the step itself is a few tens of µs). Anything else (a new shape, nested
    batches, a recording tape) goes through the Function."""

    def __init__(self, function):
        self.function = function
        self._traces = {}  # ((dtype, shape), ...) of the batch's tensors -> _Trace

    def __call__(self, batch):
        key = None
        if batch.__class__ is tuple and not STATE.recording:
            key = []
            for x in batch:
                if x.__class__ is not Tensor:
                    key = None
                    break
                key.append((x._dtype, x._v.shape))
            if key is not None:
                key = tuple(key)
                tr = self._traces.get(key)
                if tr is not None:
                    return tr.run([x._v for x in batch])
        out = self.function(batch)
        if key is not None:
            leaves = []
            struct = S.flatten_args(((batch,), {}), leaves)
            cf = self.function._concrete.get((struct, key))
            tr = cf._traces.get(tuple(s for _, s in key)) if cf is not None else None
            if tr is not None:
                self._traces[key] = tr
        return out

    def __getattr__(self, name):  # the Function's inspection API
        return getattr(self.function, name)


def _weak_step(model, kind):
    # The cache must not keep the model alive (a strong reference from the value to its key
    # would): the traced function reaches the model through a weak reference.
    ref = weakref.ref(model)
    name = f"{kind}_step"

    def step(data):
        fn = getattr(ref(), name)
        if STATE.tracing is not None:  # a user's train_step gets AutoGraph, as in Keras
            from ...autograph.api import converted_if_tracing
            fn = converted_if_tracing(fn)
        return fn(data)
    step.__qualname__ = f"{type(model).__name__}.{name}"
    step.__wrapped__ = getattr(getattr(type(model), name), "__func__", getattr(type(model), name))
    return step
