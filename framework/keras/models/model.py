"""``Model``: a Layer that trains. compile / fit / evaluate / predict, Keras' semantics.

The step functions (``train_step``, ``test_step``, ``predict_step``) are plain overridable
methods; ``fit`` only feeds them batches and drives callbacks, so a compiled step (graph
functions) can replace the eager one without touching the loop.
"""
import numpy as np  # host-side results of predict/evaluate

from ... import nest
from ...autodiff.tape import GradientTape
from ...core.tensor import TensorBase, convert_to_tensor
from ...diagnostics import filter_traceback
from ...distribute.strategy import active as _active_strategy
from ...ops import math_ops as M
from ..layers.layer import Layer, call_context
from ..trainers.compiled import step_function
from ..trainers.data import (DataHandler, concat_batches, train_validation_split,
                             unpack_x_y_sample_weight)
from .compile_utils import CompiledLoss, CompiledMetrics

__all__ = ["Model"]


class Model(Layer):
    """Group layers into an object with training and inference features."""

    _distribute = None  # tfx.distribute: the strategy it was compiled or fit under

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from .functional import Functional
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compiled = None
        self._run_eagerly = False
        self._train_cache = None
        self._flat_layers_cache = None
        self._metrics_cache = None

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        from .. import optimizers
        from ..metrics import Mean
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.optimizer is not None and \
                self.dtype_policy.name == "mixed_float16" and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            # As Keras: float16 gradients need the loss scaled up to stay representable.
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer,
                                                           name="loss_scale_optimizer")
            self.optimizer._auto_wrapped = True  # saved as the user's optimizer, as Keras
        self._compiled = {
            "loss": CompiledLoss(loss, loss_weights, self._output_names()),
            "metrics": CompiledMetrics(metrics, weighted_metrics, self._output_names()),
            "tracker": Mean(name="loss"),
            "config": {"loss": loss, "loss_weights": loss_weights, "metrics": metrics,
                       "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
                       "steps_per_execution": steps_per_execution},
        }
        self._run_eagerly = bool(run_eagerly)
        # "auto" (the default) keeps the op-by-op plan; True fuses each traced step (numba)
        self._jit_compile = jit_compile is True
        _strategy(self)
        self.compiled = True
        self._train_cache = None

    def _output_names(self):
        return getattr(self, "output_names", None)

    @property
    def run_eagerly(self):
        # A layer that computes on the host (string lookups, hashing: supports_jit=False, as
        # Keras marks layers it cannot jit) cannot be traced into a graph step.
        return self._run_eagerly or any(not getattr(l, "supports_jit", True)
                                        for l in self._flatten_layers())

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)

    @property
    def loss(self):
        return self._compiled["config"]["loss"] if self._compiled else None

    # Keras 2 spellings for custom train_step code (see legacy_compile.py).
    @property
    def compiled_loss(self):
        from .legacy_compile import CompiledLossView
        return CompiledLossView(self) if self._compiled else None

    @property
    def compiled_metrics(self):
        from .legacy_compile import CompiledMetricsView
        return CompiledMetricsView(self) if self._compiled else None

    @property
    def metrics(self):
        cached = self.__dict__.get("_metrics_cache")
        if cached is not None:
            return cached
        out = []
        if self._compiled is not None:
            out.append(self._compiled["tracker"])
            out.extend(self._compiled["metrics"].metrics)
        seen = {id(m) for m in out}
        for m in super().metrics:
            if id(m) not in seen:
                out.append(m)
        for layer in self._flatten_layers():
            for m in layer.__dict__.get("_added_metrics", {}).values():
                if id(m) not in seen:
                    seen.add(id(m))
                    out.append(m)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- the steps ------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Compiled loss plus every loss the layers added (regularization, ``add_loss``)."""
        total = None
        if self._compiled is not None and self._compiled["loss"].active:
            total = self._compiled["loss"](y, y_pred, sample_weight)
        extra = self.losses
        if extra:
            s = M.add_n([M.cast(convert_to_tensor(l), "float32") if not hasattr(l, "_dtype")
                         else l for l in extra])
            total = s if total is None else M.add(total, M.cast(s, total.dtype))
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        self._compiled["metrics"].update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        return {m.name: m.result() for m in self.metrics}

    def _trainable_cache(self):
        c = self._train_cache
        if c is None:
            c = self._train_cache = self.trainable_variables
        return c

    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
            scaled = self.optimizer.scale_loss(loss)  # the optimizer divides gradients back
        tvars = self._trainable_cache()
        grads = tape.gradient(scaled, tvars)
        if tvars and all(g is None for g in grads):
            raise _no_gradients_error(tape, loss, tvars)
        if self._distribute is not None:  # tfx.distribute: the mean over every rank's batch
            grads = self._distribute.allreduce_gradients(grads)
        self.optimizer.apply_gradients(zip(grads, tvars))
        # Keras weights each batch's loss by its size, so a short last batch counts less.
        self._compiled["tracker"].update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._compiled["tracker"].update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- loops ----------------------------------------------------------------------------------
    def _assert_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        from ..callbacks import CallbackList
        from ..config import limit_epochs
        self._assert_compiled()
        epochs = limit_epochs(epochs)  # keras.config.set_max_epochs
        verbose = 1 if verbose == "auto" else int(verbose)
        strategy = _strategy(self)
        if strategy is not None:  # tfx.distribute: only rank 0 prints and writes files
            callbacks, verbose = strategy.rank_callbacks(callbacks, verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(
                (x, y, sample_weight), validation_split)
        data = DataHandler(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                           class_weight, shards=strategy and strategy.shards(lockstep=True))
        val = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val = DataHandler(vx, vy, vsw, validation_batch_size or batch_size,
                              validation_steps,
                              shards=strategy and strategy.shards(lockstep=False))
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=data.num_steps)
        self.stop_training = False
        self._initial_epoch = None
        self._resume_at = None  # (step, sample order): BackupAndRestore's mid-epoch backup
        self._train_data = data  # BackupAndRestore saves the epoch's sample order from it
        self._train_cache = None
        train_step = step_function(self, "train")  # a graph unless run_eagerly
        begin = cbs.wants("on_train_batch_begin")
        end = cbs.wants("on_train_batch_end")
        logs = {}
        epoch_logs = {}
        cbs.on_train_begin()
        # BackupAndRestore moves the start to the epoch after the last one backed up.
        initial_epoch = self._initial_epoch or initial_epoch
        resume_at = self._resume_at if strategy is None else None  # ranks restart the epoch
        if strategy is not None:  # tfx.distribute: every rank starts from rank 0's state
            initial_epoch = strategy.sync_model(self, data, initial_epoch)
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                logs = {}
                start, order = resume_at if resume_at and epoch == initial_epoch else (0, None)
                for step, batch in data.steps(start, order):
                    if begin:
                        cbs.on_train_batch_begin(step)
                    logs = train_step(batch)
                    if self._flat_layers_cache is None:
                        self._freeze_structure()
                    if end:
                        cbs.on_train_batch_end(step, _floats(logs))
                    if self.stop_training and strategy is None:  # ranks stop at epoch ends
                        break
                if not logs and not start:
                    raise ValueError("Training ran no step: the training data is empty.")
                if strategy is not None:  # tfx.distribute: metrics over every rank's samples
                    strategy.sync_epoch(self)
                epoch_logs = _floats(self.get_metrics_result())
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._evaluate_handler(val, cbs)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                if strategy is not None:  # tfx.distribute: a stop any rank asked for
                    self.stop_training = strategy.any_rank(self.stop_training)
                if self.stop_training:
                    break
        finally:
            self._thaw_structure()
            self._train_data = None
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > 0:  # use_ema: the model ends on the averages
            finalize(self.trainable_weights)
        cbs.on_train_end(epoch_logs)
        return cbs._history

    def _freeze_structure(self):
        """Inside a loop the layer tree does not change: walk it once, not on every step."""
        self._flat_layers_cache = None
        self._metrics_cache = None
        self._flat_layers_cache = self._flatten_layers()
        self._metrics_cache = self.metrics

    def _thaw_structure(self):
        self._flat_layers_cache = None
        self._metrics_cache = None

    def _evaluate_handler(self, data, cbs):
        self._assert_compiled()
        self.reset_metrics()
        if cbs is not None:
            cbs.on_test_begin()
        logs = {}
        test_step = step_function(self, "test")
        for step, batch in data.steps():
            if cbs is not None:
                cbs.on_test_batch_begin(step)
            logs = test_step(batch)
            if cbs is not None:
                cbs.on_test_batch_end(step, _floats(logs))
        if self._distribute is not None:  # tfx.distribute: every rank's samples count
            self._distribute.reduce_metrics(self.metrics)
        logs = _floats(self.get_metrics_result())
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        from ..callbacks import CallbackList
        verbose = 1 if verbose == "auto" else int(verbose)
        strategy = _strategy(self)
        if strategy is not None:  # tfx.distribute: each rank evaluates its share
            callbacks, verbose = strategy.rank_callbacks(callbacks, verbose)
        data = DataHandler(x, y, sample_weight, batch_size, steps,
                           shards=strategy and strategy.shards(lockstep=False))
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=data.num_steps)
        logs = self._evaluate_handler(data, cbs)
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals

    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        from ..callbacks import CallbackList
        verbose = 1 if verbose == "auto" else int(verbose)
        data = DataHandler(x, None, None, batch_size, steps)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=data.num_steps) if callbacks or verbose else None
        if cbs is not None:
            cbs.on_predict_begin()
        outs = []
        predict_step = step_function(self, "predict")
        for step, batch in data.steps():
            if cbs is not None:
                cbs.on_predict_batch_begin(step)
            out = predict_step(batch)
            outs.append(nest.map_structure(_host, out))
            if cbs is not None:
                cbs.on_predict_batch_end(step, {"outputs": out})
        if cbs is not None:
            cbs.on_predict_end()
        return concat_batches(outs)

    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._assert_compiled()
        data = DataHandler(x, y, sample_weight, batch_size=_num(x), class_weight=class_weight)
        self.reset_metrics()
        logs = {}
        for _, batch in data.steps():
            logs = _floats(self.train_step(batch))
        return logs if return_dict else _single_or_list(logs)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        data = DataHandler(x, y, sample_weight, batch_size=_num(x))
        logs = self._evaluate_handler(data, None)
        return logs if return_dict else _single_or_list(logs)

    @filter_traceback
    def predict_on_batch(self, x):
        data = DataHandler(x, None, None, batch_size=_num(x))
        for _, batch in data.steps():
            return nest.map_structure(_host, self.predict_step(batch))

    # -- structure ------------------------------------------------------------------------------
    def build(self, input_shape):
        if type(self).call is Model.call or self.built:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        from ..layers.functional_call import output_spec
        output_spec(_BuildProxy(self), input_shape)
        self.built = True
        self._build_input_shape = [None if d is None else int(d) for d in input_shape] \
            if isinstance(input_shape, (list, tuple)) and all(
                d is None or isinstance(d, int) for d in input_shape) else input_shape

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from .summary import print_summary
        print_summary(self, print_fn=print_fn, show_trainable=show_trainable)

    # -- saving (the work lives in tfx.keras.saving.model_io) ------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        from ..saving import model_io
        model_io.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None):
        """Save the inference call as a SavedModel (``tfx.saved_model.load(filepath).serve``
        and signatures 'serve' / 'serving_default')."""
        from ...saved_model.keras_export import export_model
        export_model(self, filepath, input_signature, format)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None, **kwargs):
        """``max_shard_size`` (Keras' sharded weights files) is not supported: None only."""
        if max_shard_size is not None:
            raise ValueError("save_weights: max_shard_size (sharded weights files) is not "
                             "supported by tfx; leave it None.")
        from ..saving import model_io
        model_io.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from ..saving import model_io
        return model_io.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def get_build_config(self):
        shape = getattr(self, "_build_input_shape", None)
        return None if shape is None else {"input_shape": shape}

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None and not self.built:
            self.build(config["input_shape"])

    def get_compile_config(self):
        if self._compiled is None:
            return None
        from ..saving.serialization import serialize_keras_object
        cfg = self._compiled["config"]
        opt = self.optimizer
        if getattr(opt, "_auto_wrapped", False):
            opt = opt.inner_optimizer
        return {"optimizer": serialize_keras_object(opt),
                "loss": _ser(cfg["loss"]), "metrics": _ser(cfg["metrics"]),
                "loss_weights": cfg["loss_weights"], "weighted_metrics": _ser(
                    cfg["weighted_metrics"]), "run_eagerly": cfg["run_eagerly"],
                "steps_per_execution": cfg["steps_per_execution"]}

    def get_config(self):
        return Layer.get_config(self)

    def to_json(self, **kwargs):
        """The architecture as JSON (``keras.models.model_from_json`` rebuilds it)."""
        import json
        from ..saving import config_checks as checks
        from ..saving.keras_config import to_keras
        from ..saving.serialization import serialize_keras_object
        config = checks.jsonable(serialize_keras_object(self), "config")
        return json.dumps(to_keras(config), **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and ("input_layers" in config or cls.__name__ == "Sequential"):
            from .functional import functional_from_config
            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)


class _BuildProxy:
    """Calls a subclassed model's __call__ during build without re-entering build."""

    def __init__(self, model):
        self._model = model
        self.dtype = model.dtype

    def __call__(self, *args, **kwargs):
        m = self._model
        m.built = True
        return m(*args, **kwargs)

    def _clear_losses(self):
        self._model._clear_losses()


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {k: _ser(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_ser(v) for v in obj]
    return serialize_keras_object(obj)


def _strategy(model):
    """tfx.distribute: the strategy whose scope the model was compiled or is run in."""
    model._distribute = model._distribute or _active_strategy()
    return model._distribute


def _no_gradients_error(tape, loss, tvars):
    from ...debugging import explain_gradients
    reasons = explain_gradients(tape, loss, list(tvars))
    lines = "\n".join(f"  - {getattr(v, 'path', v.name)}: {r}" for v, r in zip(tvars, reasons))
    return ValueError("No gradients provided for any variable. Each variable, and why:\n" +
                      lines)


def _batch_size(x):
    first = x
    while isinstance(first, (list, tuple, dict)):
        first = next(iter(first.values())) if isinstance(first, dict) else first[0]
    return first.shape[0]


def _host(t):
    return t.numpy() if isinstance(t, TensorBase) else t


def _num(x):
    flat = [a for a in nest.flatten(x) if a is not None]
    return int(flat[0].shape[0]) if flat else None


def _floats(logs):
    return {k: float(v) if isinstance(v, TensorBase) else v for k, v in logs.items()}


def _single_or_list(logs):
    vals = list(logs.values())
    return vals[0] if len(vals) == 1 else vals
