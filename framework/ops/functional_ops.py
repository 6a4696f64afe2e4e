"""Higher-order functions: ``map_fn``, ``scan``, ``foldl``, ``foldr``, ``vectorized_map``,
``switch_case`` and ``case``.

The loops run ``fn`` once per element in Python and stack the results, so a GradientTape sees
every op and the results are differentiable for free. Inside a ``tfx.function`` the loop is
unrolled into the graph: tfx traces graphs on concrete shapes (a new leading size traces
again), so the number of elements is always known while tracing. ``switch_case`` and ``case``
are nested ``tfx.cond``\\s, so a traced index picks the branch when the graph runs.
"""
from .. import dtypes as _dt
from .. import nest
from ..core.tensor import TensorBase, convert_to_tensor
from ._core import t
from .control_ops import assert_op
from . import array_ops as A
from . import math_ops as M

__all__ = ["map_fn", "scan", "foldl", "foldr", "vectorized_map", "switch_case", "case"]


def _elements(api, elems):
    """(structure, flat tensors, leading size) of ``elems``; all share a leading size."""
    flat = [t(x) for x in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{api}: elems must be a Tensor or (possibly nested) sequence of "
                         "Tensors, got an empty structure.")
    for x in flat:
        if x._v.ndim == 0:
            raise ValueError(f"{api}: elements in elems must be 1+ dimensional Tensors, not "
                             "scalars")
    n = flat[0]._v.shape[0]
    if any(x._v.shape[0] != n for x in flat):
        sizes = [x._v.shape[0] for x in flat]
        raise ValueError(f"{api}: elements in elems must have the same size in their first "
                         f"dimension, got {sizes}")
    return flat, n


def _item(elems, flat, i):
    return nest.pack_sequence_as(elems, [x[i] for x in flat])


def _as_tensors(out, signature):
    """fn's result with its Python leaves as tensors (of the signature's dtypes if given)."""
    def conv(v, spec=None):
        if isinstance(v, TensorBase) and not hasattr(v, "assign"):
            return v
        d = None if spec is None else getattr(spec, "dtype", spec)
        return convert_to_tensor(v, None if d is None else _dt.as_dtype(d))
    if signature is None:
        return nest.map_structure(conv, out)
    if not nest.is_nested(signature):
        return nest.map_structure(lambda v: conv(v, signature), out)
    return nest.map_structure(conv, out, signature)


def _empty_like(x):
    return A.zeros([0] + list(x._v.shape), x._dtype)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """``stack([fn(e) for e in unstack(elems)])`` over the leading axis of every tensor in
    ``elems`` (a tensor or nested structure; ``fn`` gets the same structure). The result has
    the structure of ``fn``'s output (or of ``fn_output_signature``/``dtype``)."""
    api = "tfx.map_fn"
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat, n = _elements(api, elems)
    if n == 0:
        # No element to call fn on: call it on zeros of an element's shape for the structure.
        probe = nest.pack_sequence_as(elems, [A.zeros(x._v.shape[1:], x._dtype) for x in flat])
        out = _as_tensors(fn(probe), signature)
        return nest.map_structure(_empty_like, out)
    results = [_as_tensors(fn(_item(elems, flat, i)), signature) for i in range(n)]
    first = results[0]
    flat_results = [nest.flatten(r) for r in results]
    # As TensorFlow: without a signature, fn must return the structure of one element.
    want = elems if signature is None else signature
    for r in results:
        nest.assert_same_structure(want, r)
    stacked = [A.stack([r[j] for r in flat_results]) for j in range(len(flat_results[0]))]
    return nest.pack_sequence_as(first, stacked)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``map_fn(fn, elems)``: tfx runs it as a loop over the leading axis (same results)."""
    return map_fn(fn, elems)


def _scan(api, fn, elems, initializer, reverse, keep_all):
    flat, n = _elements(api, elems)
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    if initializer is None:
        if n == 0:
            raise ValueError(f"{api}: elems must have at least one element when no "
                             "initializer is given")
        acc = _item(elems, flat, order[0])
        order = order[1:]
        outs = [acc]
    else:
        acc = nest.map_structure(lambda v: v if isinstance(v, TensorBase) else
                                 convert_to_tensor(v), initializer)
        outs = []
    for i in order:
        acc = _as_tensors(fn(acc, _item(elems, flat, i)), None)
        outs.append(acc)
    if not keep_all:
        return acc
    if not outs:
        return nest.map_structure(_empty_like, acc)
    if reverse:
        outs = outs[::-1]
    flat_outs = [nest.flatten(o) for o in outs]
    stacked = [A.stack([o[j] for o in flat_outs]) for j in range(len(flat_outs[0]))]
    return nest.pack_sequence_as(outs[0], stacked)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Every accumulator of ``acc = fn(acc, e)`` over the leading axis of ``elems``, stacked.
    Without ``initializer`` the first element starts the accumulator (and is the first
    output). ``reverse=True`` scans from the end (outputs stay in element order)."""
    return _scan("tfx.scan", fn, elems, initializer, reverse, True)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """The last accumulator of ``acc = fn(acc, e)``, left to right."""
    return _scan("tfx.foldl", fn, elems, initializer, False, False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """The last accumulator of ``acc = fn(acc, e)``, right to left."""
    return _scan("tfx.foldr", fn, elems, initializer, True, False)


# ---- branching ---------------------------------------------------------------------------------

def _chain(preds_fns, default):
    """cond(p0, f0, cond(p1, f1, ... default)): the first true predicate's function."""
    from ..graph.control_flow import cond
    fn = default
    for pred, branch in reversed(preds_fns):
        fn = (lambda p, b, rest: lambda: cond(p, b, rest))(pred, branch, fn)
    return fn()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """``branch_fns[branch_index]()``; an index outside the branches runs ``default`` (the
    last branch when None). ``branch_fns``: a list of callables, a dict int -> callable or a
    list of (int, callable) pairs."""
    if isinstance(branch_fns, dict):
        pairs = sorted(branch_fns.items())
    elif branch_fns and isinstance(branch_fns[0], (tuple, list)):
        pairs = sorted((int(k), f) for k, f in branch_fns)
    else:
        pairs = list(enumerate(branch_fns))
    if not pairs:
        raise ValueError("Must provide at least one item in `branch_fns`")
    keys = [k for k, _ in pairs]
    if keys != list(range(len(keys))):
        found = ",".join(str(k) for k in keys)
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(keys)}) but found {{{found}}}")
    for k, f in pairs:
        if not callable(f):
            raise TypeError(f"fn for key {k} must be callable.")
    idx = t(branch_index)
    if idx._dtype is not _dt.int32 or idx._v.ndim:
        raise TypeError(f"branch_index must be an int32 scalar, got {idx._dtype.name} of "
                        f"shape {list(idx._v.shape)}")
    if default is None:
        default = pairs[-1][1]
        pairs = pairs[:-1]
    return _chain([(M.equal(idx, k), f) for k, f in pairs], default)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first true predicate in ``pred_fn_pairs`` (a list of (bool
    tensor, callable)); ``default`` when none holds. Without ``default`` the last pair's
    function is the fallback and no true predicate at all is an InvalidArgumentError.
    ``exclusive`` is accepted and, as in TensorFlow 2.21 (eager and traced alike), does not
    raise when several predicates hold: the first one wins."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    pairs = []
    for item in pred_fn_pairs:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        p, f = item
        if not callable(f):
            raise TypeError("fn must be callable.")
        p = t(p)
        if p._dtype is not _dt.bool:
            raise TypeError(f"pred must be Tensor of type bool: {p._dtype.name}")
        pairs.append((p, f))
    if not pairs:
        if default is None:
            raise ValueError("pred_fn_pairs is empty and no default was given")
        return default()
    preds = A.stack([p for p, _ in pairs])
    if default is None:
        # TensorFlow: the last function is the fallback, and one predicate must hold.
        assert_op(M.reduce_any(preds), ["Input error: None of conditions evaluated as True:",
                                        preds])
        default = pairs[-1][1]
        pairs = pairs[:-1]
    return _chain(pairs, default)
