"""Callbacks (``tf.keras.callbacks``): hooks that fit/evaluate/predict call.

Each built-in behaves as Keras 3's (TF 2.21): same arguments, defaults, log keys, messages
and file layouts, with tfx's file formats (``.tfx`` models, ``.weights.safetensors``).
"""
import csv
import json
import math
import operator
import os
import re
import shutil
import sys
import time
import warnings

import numpy as np  # host-side: log values, weight histograms, float32 rounding

from .. import nest
from .io_utils import print_msg
from .progbar import Progbar
from .saving.autoconfig import AutoConfig

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "TerminateOnNaN",
           "CSVLogger", "LambdaCallback", "BackupAndRestore", "TensorBoard", "SwapEMAWeights",
           "BUILTINS"]


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
# Every hook gets its ``logs`` argument (None when the loop has none), as Keras passes it.
_NARGS = {h: 2 if "batch" in h or "epoch" in h else 1 for h in _HOOKS}


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
            self._by_hook[hook] = [getattr(c, hook) for c in self.callbacks
                                   if _overrides(c, hook) or
                                   hook in ("on_train_batch_begin", "on_train_batch_end") and
                                   _overrides(c, "on_batch_" + hook.rsplit("_", 1)[1])]

    def _call(self, hook, *args):
        if len(args) < _NARGS[hook]:
            args += (None,)
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


def _overrides(cb, hook):
    """A hook set on the instance (LambdaCallback, batch hooks some callbacks only need for
    some arguments) or overridden by the class."""
    base = getattr(Callback, hook)
    return hook in getattr(cb, "__dict__", ()) or getattr(type(cb), hook, base) is not base


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
            print_msg(f"Epoch {epoch + 1}/{epochs}")
        # The logs hold running means already: shown as given, as Keras' ProgbarLogger.
        self._bar = Progbar(self.params.get("steps"), verbose=v, stateless_metrics=set())

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
            self._bar = Progbar(self.params.get("steps"), verbose=self.params.get("verbose"),
                                stateless_metrics=set())

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
            self._bar = Progbar(self.params.get("steps"), verbose=self.params.get("verbose"),
                                stateless_metrics=set())

    def on_predict_batch_end(self, batch, logs=None):
        if self._mode == "predict" and self._bar is not None:
            self._bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        if self._mode == "predict" and self._bar is not None:
            self._bar.update(self._bar._seen, finalize=True)
            self._bar = None


# ---- watching one logged quantity --------------------------------------------------------------

# Keras 3 gives each built-in metric a direction; "auto" mode reads it by the metric's name.
_UP = frozenset([
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
    "SpecificityAtSensitivity", "F1Score", "FBetaScore", "IoU", "BinaryIoU", "MeanIoU",
    "OneHotIoU", "OneHotMeanIoU", "PearsonCorrelation", "ConcordanceCorrelation",
    "CosineSimilarity", "R2Score"])
_DOWN = frozenset([
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "CategoricalHinge", "Hinge", "SquaredHinge", "KLDivergence", "Poisson", "LogCoshError",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError"])


def _metric_direction(metric):
    """"up", "down" or None, as Keras 3 decides it for ``metric``."""
    direction = getattr(metric, "_direction", None)
    if direction in ("up", "down"):
        return direction
    for klass in type(metric).__mro__:
        if klass.__name__ in _UP:
            return "up"
        if klass.__name__ in _DOWN:
            return "down"
    fn = getattr(metric, "_fn", None)
    if fn is not None:
        from .losses import BUILTINS as losses
        if any(fn is obj or type(fn) is obj for obj in losses.values()):
            return "down"  # a metric wrapping a loss is minimized
    return None


class MonitorCallback(Callback):
    """Base of the callbacks that watch one logged quantity (``monitor``) for improvement.

    ``mode``: "min", "max" or "auto" (from the name: losses go down, a compiled metric goes
    the way Keras says; otherwise ValueError at the first epoch end). An improvement beats
    the reference by more than ``min_delta``.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            op = operator.lt if name == "loss" else None
            for m in getattr(self.model, "metrics", None) or []:
                direction = _metric_direction(m) if m.name == name else None
                if direction is not None:
                    op = operator.gt if direction == "up" else operator.lt
            if op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "tfx isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based on "
                    "the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value.")
            self.monitor_op = op

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        delta = -self.min_delta if self.monitor_op is operator.lt else self.min_delta
        return bool(self.monitor_op(value - delta, reference))


class _EveryNBatches:
    """Counts batches between saves (``save_freq`` an int) as Keras does."""

    def __init__(self, n):
        self.n = n
        self.seen = 0
        self.last = None

    def due(self, batch):
        self.seen += batch + 1 if self.last is None or batch <= self.last else batch - self.last
        self.last = batch
        if self.seen >= self.n:
            self.seen = 0
            return True
        return False


def _check_save_freq(save_freq, message):
    if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
        raise ValueError(message)


class EarlyStopping(MonitorCallback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the logged quantity (default "val_loss").
        min_delta: smaller changes count as no improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints the epoch it stopped at and any weight restore.
        mode: "auto", "min" or "max".
        baseline: training stops unless the monitored value beats it within ``patience``.
        restore_best_weights: at the end, put back the weights of the best epoch.
        start_from_epoch: epochs of warm-up before watching starts.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Even with no improvement over the baseline, some weights are restored.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}", stacklevel=2)
        return value


# ---- saving ------------------------------------------------------------------------------------

_WEIGHTS_SUFFIXES = (".weights.safetensors", ".weights.h5")


def _is_model_path(template):
    """``.tfx``, ``.keras`` or no extension (a folder), judged on the name without its ``{}``
    fields."""
    name = re.sub(r"\{[^}]*\}", "", os.path.basename(template))
    return os.path.splitext(name)[1] in ("", ".tfx", ".keras")


class ModelCheckpoint(MonitorCallback):
    """Save the model (``model.save``) or its weights (``model.save_weights``) as it trains.

    Args:
        filepath: a ``.tfx`` or ``.keras`` file or a folder (models), or
            ``*.weights.safetensors`` / ``*.weights.h5`` (``save_weights_only``); may hold ``{epoch:02d}``, ``{batch}`` (``save_freq`` an
            int) and any log key, e.g. ``{val_loss:.2f}`` (a folder name must not get a dot).
        monitor, mode: what ``save_best_only`` compares.
        save_best_only: save only when ``monitor`` improves.
        save_freq: "epoch", or an int: every that many batches.
        initial_value_threshold: the value a first save must beat.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._current_epoch = 0
        _check_save_freq(save_freq, f"Unrecognized save_freq: {save_freq}. Expected save_freq "
                                    "are 'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(_WEIGHTS_SUFFIXES):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                                 "filepath provided must end in `.weights.h5` (Keras) or "
                                 "`.weights.safetensors` (tfx). Received: filepath="
                                 f"{self.filepath}")
        elif not _is_model_path(self.filepath):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format), "
                             "`.tfx` (tfx model format) or name a folder (no extension). "
                             f"Received: filepath={self.filepath}")
        if save_freq != "epoch":
            self._counter = _EveryNBatches(save_freq)
            self.on_train_batch_end = self._on_train_batch_end  # epoch saves skip the step loop

    def _on_train_batch_end(self, batch, logs=None):
        if self._counter.due(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        try:
            if self.save_weights_only:
                self.model.save_weights(filepath, overwrite=True)
            else:
                self.model.save(filepath, overwrite=True)
        except IsADirectoryError:
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {filepath}") from None
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from None


class BackupAndRestore(Callback):
    """Back up training so a run that was killed resumes where it stopped.

    At each epoch end (or every ``save_freq`` batches) the model's weights, the optimizer's
    state (iterations included), the epoch reached and tfx's random streams (the layers'
    ``SeedGenerator`` states included) go to
    ``backup_dir/latest.weights.safetensors`` in one atomic write. A backup taken mid-epoch
    also holds the batches done, the epoch's sample order and the metrics' running state.
    A later ``fit`` with this callback (the same program, the model built) loads them and
    continues at the next batch: with the same seed it ends with the weights and the epoch
    logs an uninterrupted run reaches (data given as arrays; a dataset or generator skips the
    batches done; under tfx.distribute the epoch restarts). The folder is removed when
    training ends normally (``delete_checkpoint``).
    ``double_checkpoint`` keeps the previous backup too and falls back to it if the latest
    cannot be read.
    """

    _STATE_KEY = "tfx.training_state"
    _ORDER_KEY = "tfx.epoch_order"
    _METRIC_PREFIX = "tfx.metric/"

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        _check_save_freq(save_freq, "Invalid value for argument `save_freq`. Received: "
                                    f"save_freq={save_freq}. Expected either 'epoch' or an "
                                    "integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest" + _WEIGHTS_SUFFIXES[0])
        self._prev_weights_path = self._weights_path + ".bkp"
        self._current_epoch = 0
        self._last_batch_seen = 0
        self._steps_done = 0  # batches of the current epoch trained (0 at an epoch's end)
        self._pending_metrics = None
        self._counter = None
        if save_freq != "epoch":
            self._counter = _EveryNBatches(save_freq)
            self.on_train_batch_end = self._on_train_batch_end

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             "before you call `fit()`. Model "
                             f"{self.model.name!r} is unbuilt. You can build it beforehand by "
                             "calling it on a batch of data.")
        from ..errors import ModelFormatError
        try:
            self._restore(self._weights_path)
        except (OSError, ModelFormatError):
            if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                raise
            self._restore(self._prev_weights_path)

    def _restore(self, path):
        if not os.path.exists(path):
            return
        from ..ops import random_ops
        from .saving import archive
        from .saving.model_io import OPTIMIZER_PREFIX
        from .saving.weight_paths import assign_arrays, variable_paths
        arrays, meta = archive.decode_tensors(path, archive.read_file(path))
        opt_arrays = {k: arrays.pop(k) for k in list(arrays) if k.startswith(OPTIMIZER_PREFIX)}
        metric_arrays = {k: arrays.pop(k) for k in list(arrays)
                         if k.startswith(self._METRIC_PREFIX)}
        order = arrays.pop(self._ORDER_KEY, None)
        assign_arrays(path, variable_paths(self.model).keys, arrays)
        opt = self.model.optimizer
        if opt is not None and opt_arrays:
            if not opt.built and len(opt_arrays) > len(opt.variables):
                opt.build(self.model.trainable_variables)
            assign_arrays(path, {f"{OPTIMIZER_PREFIX}{i}": v for i, v in
                                 enumerate(opt.variables)}, opt_arrays, what="optimizer variables")
        state = json.loads(meta.get(self._STATE_KEY, "{}"))
        if state.get("random_state") is not None:
            random_ops.set_state(state["random_state"])
        _set_seed_states(self.model, state.get("seed_states"))
        self._current_epoch = int(state.get("epoch", 0))
        self.model._initial_epoch = self._current_epoch
        steps = int(state.get("steps_done", 0))  # older backups restart the epoch
        if steps and getattr(self.model, "_distribute", None) is None:  # ranks restart it
            self.model._resume_at = (steps, order)
            self._pending_metrics = (steps, order, [metric_arrays[k] for k in sorted(
                metric_arrays, key=lambda k: int(k[len(self._METRIC_PREFIX):]))])
            if self._counter is not None:
                self._counter.last = steps - 1

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        self._steps_done = 0
        if self._pending_metrics is not None:  # fit has just reset them: put the saved back
            self._restore_metrics(*self._pending_metrics)
            self._pending_metrics = None

    def _restore_metrics(self, steps, order, arrays):
        self._steps_done = steps
        variables = _metric_variables(self.model)
        data = getattr(self.model, "_train_data", None)
        if len(variables) != len(arrays) and data is not None and data._arrays and \
                (order is not None or not data.shuffle):
            # Compiled metrics make their variables on the first batch they see: show them
            # one (without training), then clear what they counted.
            from .trainers.data import unpack_x_y_sample_weight
            x, y, sw = unpack_x_y_sample_weight(next(data.steps(0, order))[1])
            self.model.compute_metrics(x, y, self.model(x, training=False), sw)
            self.model.reset_metrics()
            variables = _metric_variables(self.model)
        if len(variables) == len(arrays):
            for v, a in zip(variables, arrays):
                v.assign(a)

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        self._steps_done = 0
        if self.save_freq == "epoch":
            self._save()

    def _on_train_batch_end(self, batch, logs=None):
        self._note_batch(batch)
        if self._counter.due(batch):
            self._save()

    def _note_batch(self, batch):
        self._last_batch_seen = batch
        self._steps_done = batch + 1

    def _save(self):
        from ..ops import random_ops
        from .saving import archive
        from .saving.model_io import OPTIMIZER_PREFIX, WEIGHTS_FORMAT
        from .saving.weight_paths import arrays_of, variable_paths
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            shutil.copyfile(self._weights_path, self._prev_weights_path)
        arrays = arrays_of(variable_paths(self.model).keys)
        opt = self.model.optimizer
        if opt is not None:
            arrays.update(arrays_of({f"{OPTIMIZER_PREFIX}{i}": v for i, v in
                                     enumerate(opt.variables)}, "optimizer variable"))
        if self._steps_done:
            arrays.update(arrays_of({f"{self._METRIC_PREFIX}{i}": v for i, v in
                                     enumerate(_metric_variables(self.model))},
                                    "metric variable"))
            order = getattr(getattr(self.model, "_train_data", None), "order", None)
            if order is not None:
                arrays[self._ORDER_KEY] = np.asarray(order, dtype=np.int64)
        state = {"epoch": self._current_epoch, "batch": self._last_batch_seen,
                 "steps_done": self._steps_done, "random_state": random_ops.get_state(),
                 "seed_states": _seed_states(self.model)}
        data = archive.encode_tensors(arrays, {"format": WEIGHTS_FORMAT, "format_version": "1",
                                               self._STATE_KEY: json.dumps(state)})
        archive.atomic_write(self._weights_path, lambda f: f.write(data))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _metric_variables(model):
    return [v for m in model.metrics for v in m.variables]


def _seed_generators(model):
    from . import random as keras_random
    return keras_random.seed_generators(model)


def _seed_states(model):
    """Where each layer's seed stream stands (dropout, noise, augmentation): a resumed fit
    draws what an uninterrupted one would."""
    return [g.state.numpy().tolist() for g in _seed_generators(model)]


def _set_seed_states(model, states):
    generators = _seed_generators(model)
    if states is None or len(states) != len(generators):  # older backup, or another model
        return
    for g, value in zip(generators, states):
        g.state.assign(value)


# ---- learning rate -----------------------------------------------------------------------------

def _lr_value(optimizer):
    return float(np.asarray(optimizer.learning_rate))


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stalls for ``patience``
    epochs; wait ``cooldown`` epochs after a cut; never go below ``min_lr``. Adds
    ``learning_rate`` to the epoch logs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = _lr_value(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Learning rate reduction is conditioned on metric "
                          f"`{self.monitor}` which is not available. Available metrics are: "
                          f"{','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _lr_value(optimizer)
                # The rate lives in a float32 variable: compare as float32.
                if old_lr > float(np.float32(self.min_lr)):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                                  f"learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch start to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)``), which must return a float. Adds ``learning_rate`` to the epoch
    logs."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, _lr_value(optimizer))
        except TypeError:  # a schedule of the epoch alone
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = lr
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _lr_value(self.model.optimizer)


# ---- logging -----------------------------------------------------------------------------------

class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite (``raise_error``:
    raise RuntimeError instead)."""

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` then the log keys, sorted (``val_`` columns are
    added, "NA", when there is no validation). ``append`` continues an existing file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not f.readline()
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        # newline="" leaves csv's "\r\n" as is, as Keras' files have it.
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if not self.writer:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _csv_value(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(v):
    if isinstance(v, str) or np.ndim(v) == 0:
        return v
    return f'"[{", ".join(map(str, np.ravel(v)))}]"'


class LambdaCallback(Callback):
    """A callback from functions: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch,
    logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``, ``on_train_batch_begin(batch,
    logs)``, ``on_train_batch_end(batch, logs)``; any other ``on_*`` hook by keyword."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


# ---- TensorBoard -------------------------------------------------------------------------------

def _summary_writer_class():
    """tensorboardX's SummaryWriter (imported without torch and boto3: see tfx.io)."""
    from ..io import _tensorboardx
    return _tensorboardx().SummaryWriter


def _weight_image(w):
    """A weight as a batch of NHWC images, laid out as Keras does (None if it has no image)."""
    w = np.squeeze(np.asarray(w, dtype=np.float32))
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:  # channels_last kernels: one image per channel
        w = np.transpose(w, (2, 0, 1))[..., None]
    return w if w.ndim == 4 and w.shape[-1] in (1, 3, 4) else None


class TensorBoard(Callback):
    """Write TensorBoard event files (with tensorboardX) under ``log_dir/train`` and
    ``log_dir/validation``, named as Keras names them.

    At each epoch end: ``epoch_<key>`` scalars (``val_`` keys go to validation/ without the
    prefix) and ``epoch_learning_rate``; after each validation or ``evaluate``,
    ``evaluation_<key>_vs_iterations``. ``histogram_freq``: every that many epochs, a
    histogram ``<weight path>/histogram`` of each layer weight (``write_images``: also as an
    image). ``write_graph``: the model's config (tag "keras", TensorBoard's conceptual graph)
    for Functional and Sequential models. ``update_freq``: "epoch", "batch" or an int N to
    also write ``batch_<key>`` every N batches. ``write_steps_per_second``: add steps/s.
    Profiling (``profile_batch``) and embeddings (``embeddings_freq``) are not available.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if profile_batch:
            raise ValueError("Profiling is not yet available with the tfx backend. Received: "
                             f"profile_batch={profile_batch} (must be 0)")
        if embeddings_freq:
            raise ValueError("Embeddings visualization is not available with the tfx backend. "
                             f"Received: embeddings_freq={embeddings_freq} (must be 0)")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start = (0, 0.0)
        if self.update_freq != "epoch":
            self.on_train_batch_begin = self._on_train_batch_begin
            self.on_train_batch_end = self._on_train_batch_end

    def _writer(self, name):
        w = self._writers.get(name)
        if w is None:
            w = self._writers[name] = _summary_writer_class()(os.path.join(self.log_dir, name))
        return w

    def set_model(self, model):
        self.model = model
        self._close_writers()
        if self.write_graph and type(model).__name__ in ("Functional", "Sequential"):
            self._write_model_config()

    def _write_model_config(self):
        _summary_writer_class()  # imports tensorboardX with torch kept out (see there)
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from .saving.serialization import serialize_keras_object
        try:
            text = json.dumps(serialize_keras_object(self.model))
        except Exception as e:  # noqa: BLE001 - a model that cannot be described still trains
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {e}", stacklevel=3)
            return
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"))
        tensor = TensorProto(dtype=7, string_val=[text.encode()])  # 7: DT_STRING
        summary = Summary(value=[Summary.Value(tag="keras", metadata=meta, tensor=tensor)])
        self._writer("train")._get_file_writer().add_summary(summary, global_step=0)

    def _close_writers(self):
        for w in self._writers.values():
            w.close()
        self._writers = {}

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            writer = self._writer("validation")
            step = int(np.asarray(optimizer.iterations))
            for name, value in (logs or {}).items():
                writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), step)
            writer.flush()

    def _on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def _on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if step % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            writer.add_scalar("batch_steps_per_second",
                              1.0 / max(time.perf_counter() - self._batch_start, 1e-9), step)
        for name, value in (logs or {}).items():
            writer.add_scalar(f"batch_{name}", float(value), step)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start = (int(np.asarray(self.model.optimizer.iterations)),
                                 time.perf_counter())

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for w in self._writers.values():
            w.flush()

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train["learning_rate"] = _lr_value(optimizer)
        if self.write_steps_per_second:
            steps0, t0 = self._epoch_start
            steps = int(np.asarray(optimizer.iterations)) - steps0
            train["steps_per_second"] = steps / max(time.perf_counter() - t0, 1e-9)
        for name, part in (("train", train), ("validation", val)):
            if part:
                writer = self._writer(name)
                for key, value in part.items():
                    writer.add_scalar(f"epoch_{key}", float(value), epoch)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = np.asarray(weight.numpy(), dtype=np.float64)
                writer.add_histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    image = _weight_image(values)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")


from .callbacks_ema import SwapEMAWeights  # noqa: E402 - it builds on Callback

BUILTINS = {c.__name__: c for c in (
    History, ProgbarLogger, EarlyStopping, ModelCheckpoint, BackupAndRestore, ReduceLROnPlateau,
    LearningRateScheduler, TerminateOnNaN, CSVLogger, LambdaCallback, TensorBoard,
    SwapEMAWeights)}
