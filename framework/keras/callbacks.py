"""Callbacks (``tf.keras.callbacks``): hooks that fit/evaluate/predict call."""
from .. import nest
from .progbar import Progbar
from .saving.autoconfig import AutoConfig

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]


class Callback(AutoConfig):
    """Base class: override any ``on_*`` hook. ``self.model`` is set by fit."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def get_config(self):
        from .saving.autoconfig import captured_config
        return captured_config(self)


_HOOKS = ["on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
          "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
          "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
          "on_predict_begin", "on_predict_end"]


class CallbackList:
    """Dispatches each hook to the callbacks that override it (the step loop stays lean)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks = list(nest.flatten(callbacks)) if callbacks else []
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history:
            self._history = History()
            self.callbacks.append(self._history)
        self.params = params
        for c in self.callbacks:
            c.set_params(params)
            if model is not None:
                c.set_model(model)
        self._by_hook = {}
        for hook in _HOOKS:
            base = getattr(Callback, hook)
            self._by_hook[hook] = [getattr(c, hook) for c in self.callbacks
                                   if getattr(type(c), hook, base) is not base or
                                   hook in ("on_train_batch_begin", "on_train_batch_end") and
                                   _overrides_legacy_batch(c, hook)]

    def _call(self, hook, *args):
        for fn in self._by_hook[hook]:
            fn(*args)

    def wants(self, hook):
        return bool(self._by_hook[hook])

    def __getattr__(self, name):
        if name in _HOOKS:
            return lambda *a: self._call(name, *a)
        raise AttributeError(name)

    def __iter__(self):
        return iter(self.callbacks)


def _overrides_legacy_batch(cb, hook):
    legacy = "on_batch_begin" if hook.endswith("begin") else "on_batch_end"
    return getattr(type(cb), legacy) is not getattr(Callback, legacy)


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` is a list, one per epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints "Epoch i/n" and the Keras-style progress bar."""

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self._bar = None
        self._mode = "train"

    def on_train_begin(self, logs=None):
        self._mode = "train"

    def on_epoch_begin(self, epoch, logs=None):
        v = self.params.get("verbose", 1)
        epochs = self.params.get("epochs", 1)
        if v:
            from rich.console import Console
            import sys
            Console(file=sys.stdout, highlight=False).print(f"Epoch {epoch + 1}/{epochs}",
                                                            markup=False)
        self._bar = Progbar(self.params.get("steps"), verbose=v)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self._bar._seen, logs, finalize=True)
            self._bar = None

    def on_test_begin(self, logs=None):
        if self._bar is None and self.params.get("verbose", 1):
            self._mode = "test"
            self._bar = Progbar(self.params.get("steps"), verbose=self.params.get("verbose"))

    def on_test_batch_end(self, batch, logs=None):
        if self._mode == "test" and self._bar is not None:
            self._bar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if self._mode == "test" and self._bar is not None:
            self._bar.update(self._bar._seen, logs, finalize=True)
            self._bar = None
            self._mode = "train"

    def on_predict_begin(self, logs=None):
        if self.params.get("verbose", 1):
            self._mode = "predict"
            self._bar = Progbar(self.params.get("steps"), verbose=self.params.get("verbose"))

    def on_predict_batch_end(self, batch, logs=None):
        if self._mode == "predict" and self._bar is not None:
            self._bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        if self._mode == "predict" and self._bar is not None:
            self._bar.update(self._bar._seen, finalize=True)
            self._bar = None
