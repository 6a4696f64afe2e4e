"""``Model.export``: a Keras model's inference call saved as a SavedModel serving function.

The model is called with ``training=False`` under an input_signature taken from the model's
inputs (the batch dimension None), saved as the restored object's ``serve`` function and as the
signatures ``'serve'`` and ``'serving_default'`` (as Keras' ``model.export`` does).
"""
import sys

from ..data.specs import TensorSpec
from ..graph.function import Function
from ..module import Module
from .saver import save

__all__ = ["export_model", "model_input_signature", "default_signature"]


class _ExportArchive(Module):
    """What an export saves: the serving function and the model's variables."""


def model_input_signature(model):
    """``[spec]`` for the model's input structure (one TensorSpec, or a list or dict of them
    for several inputs), batch dimension None; ValueError if the inputs are unknown."""
    inputs = getattr(model, "_flat_inputs", None)
    if inputs:
        names = list(getattr(model, "input_names", None) or [])
        names += [f"input_{i}" for i in range(len(names), len(inputs))]
        specs = [TensorSpec([None] + list(t.shape.as_list())[1:], t.dtype, n)
                 for t, n in zip(inputs, names)]
        struct = getattr(model, "_input_struct", None)
        if isinstance(struct, dict) and len(struct) == len(specs):
            return [dict(zip(struct, specs))]
        return [specs[0] if len(specs) == 1 else specs]
    shape = getattr(model, "_input_shape", None) or getattr(model, "_build_input_shape", None)
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int)
                                                for d in shape) and shape:
        dtype = getattr(model, "_dtype", None) or "float32"
        return [TensorSpec([None] + list(shape)[1:], dtype, "inputs")]
    raise ValueError("The model has no known input shape (it was never built or called). "
                     "Build or call it first, or pass `input_signature` to export().")


def serving_function(model, input_signature=None):
    """A tfx.function running the model in inference mode on one argument: its inputs."""
    specs = list(input_signature) if input_signature is not None else \
        model_input_signature(model)
    if len(specs) != 1:
        specs = [specs]  # several specs: the model takes them as one list

    def serve(inputs):
        return model(inputs, training=False)
    return Function(serve, input_signature=specs, name="serve")


def default_signature(obj):
    """For ``save(keras_model, path)`` without signatures: the model's inference call, as
    TensorFlow saves it (None for other objects and for models with no known input shape)."""
    mod = sys.modules.get("tfx.keras.models.model")
    if mod is None or not isinstance(obj, mod.Model):
        return None
    try:
        return serving_function(obj)
    except ValueError:
        return None


def export_model(model, filepath, input_signature=None, format="tf_saved_model"):  # noqa: A002
    if format != "tf_saved_model":
        raise ValueError(f"Unrecognized format={format!r}: tfx exports 'tf_saved_model' "
                         "(a folder tfx.saved_model.load reads).")
    fn = serving_function(model, input_signature)
    archive = _ExportArchive()
    archive.serve = fn
    archive.model_variables = list(model.variables)
    cf = fn.get_concrete_function()
    save(archive, filepath, signatures={"serve": cf, "serving_default": cf})
