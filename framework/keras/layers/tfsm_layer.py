"""``TFSMLayer``: a SavedModel folder (as written by ``tfx.saved_model.save`` or
``Model.export``) used as a layer, calling one of its endpoints (Keras 3)."""
import os

from .layer import Layer

__all__ = ["TFSMLayer"]


class TFSMLayer(Layer):
    """Calls the SavedModel's ``call_endpoint`` (a restored function or a signature; in
    training ``call_training_endpoint`` when given). The SavedModel's variables become this
    layer's weights (trainable ones only when ``trainable``). Loading runs no code from the
    files: the endpoints are saved graphs."""

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        from ... import saved_model
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        self.filepath = os.fspath(filepath)
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        self._reloaded = saved_model.load(self.filepath)
        self._call_fn = self._endpoint(call_endpoint, "call_endpoint")
        self._training_fn = None if call_training_endpoint is None else \
            self._endpoint(call_training_endpoint, "call_training_endpoint")
        self._own_weights.extend(self._reloaded.variables)
        self.built = True

    _TRACK_SKIP = Layer._TRACK_SKIP | {"_reloaded", "_call_fn", "_training_fn"}

    def _endpoint(self, endpoint, argument):
        fn = getattr(self._reloaded, endpoint, None)
        if fn is not None and callable(fn):
            return fn
        signatures = getattr(self._reloaded, "signatures", None) or {}
        if endpoint in signatures:
            return signatures[endpoint]
        available = sorted({n for n in signatures} |
                           {n for n in vars(self._reloaded)
                            if not n.startswith("_") and callable(getattr(self._reloaded, n))})
        raise ValueError(f"The endpoint '{endpoint}' is neither an attribute of the reloaded "
                         "SavedModel, nor an entry in the `signatures` field of the reloaded "
                         f"SavedModel. Select another endpoint via the `{argument}` argument. "
                         f"Available endpoints for this SavedModel: {available}")

    def call(self, inputs, training=False, **kwargs):
        fn = self._training_fn if training and self._training_fn is not None else \
            self._call_fn
        return fn(inputs, **kwargs)

    def get_config(self):
        return {**super().get_config(), "filepath": self.filepath,
                "call_endpoint": self.call_endpoint,
                "call_training_endpoint": self.call_training_endpoint}
