"""Keras masks carried beside tensors: ``Embedding(mask_zero=True)`` or ``Masking`` attach a
(batch, steps) boolean mask to their output, and the layers after it receive it as ``mask=``.

Keras stores the mask as an attribute of the tensor; tfx tensors have fixed slots, so the masks
live in a table keyed by tensor identity, each entry dropped when its tensor dies (a weak
reference). The table is empty unless masks are in use, which keeps ``Layer.__call__``'s cost
at one truth test.
"""
import weakref

from ... import nest

__all__ = ["get_keras_mask", "set_keras_mask", "TABLE"]

TABLE = {}  # id(tensor) -> (weakref to the tensor, mask)


def _drop(key, ref):
    entry = TABLE.get(key)
    if entry is not None and entry[0] is ref:
        del TABLE[key]


def get_keras_mask(x):
    """The mask attached to ``x`` (None if there is none)."""
    if not TABLE:
        return None
    entry = TABLE.get(id(x))
    if entry is None or entry[0]() is not x:
        return None
    return entry[1]


def set_keras_mask(x, mask):
    """Attach ``mask`` to ``x`` (None removes it)."""
    key = id(x)
    if mask is None:
        entry = TABLE.get(key)
        if entry is not None and entry[0]() is x:
            del TABLE[key]
        return
    try:
        ref = weakref.ref(x, lambda r, k=key: _drop(k, r))
    except TypeError:  # a Python value has no identity worth keeping a mask for
        return
    TABLE[key] = (ref, mask)


def structure_mask(inputs):
    """The masks of ``inputs`` in its structure, or None when none has one."""
    if isinstance(inputs, (list, tuple)):
        masks = [structure_mask(x) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    if isinstance(inputs, dict):
        masks = {k: structure_mask(v) for k, v in inputs.items()}
        return masks if any(m is not None for m in masks.values()) else None
    return get_keras_mask(inputs)


_MAKERS = {}


def in_play(cls, kwargs):
    """Whether a call of a ``cls`` layer must look at masks: some are attached, one is passed,
    or the class makes them (it overrides ``compute_mask``)."""
    if TABLE or "mask" in kwargs:
        return True
    makes = _MAKERS.get(cls)
    if makes is None:
        from .layer import Layer
        makes = _MAKERS[cls] = cls.compute_mask is not Layer.compute_mask
    return makes


def before_call(inputs, kwargs):
    """The mask the layer's inputs come with: an explicit ``mask=`` or the one attached."""
    mask = kwargs.get("mask")
    return mask if mask is not None else structure_mask(inputs)


def after_call(layer, inputs, outputs, previous_mask):
    """Attach the layer's output mask (``compute_mask``) to outputs that have none."""
    from .layer import Layer
    if not (layer.supports_masking or type(layer).compute_mask is not Layer.compute_mask):
        return
    flat = nest.flatten(outputs)
    if all(get_keras_mask(o) is not None for o in flat):
        return
    out_mask = layer.compute_mask(inputs, previous_mask)
    if out_mask is None:
        return
    for o, m in zip(flat, nest.flatten(out_mask) if isinstance(out_mask, (list, tuple))
                    else [out_mask]):
        if m is not None and get_keras_mask(o) is None:
            set_keras_mask(o, m)
