"""Optimizer: the update loop every optimizer shares (Keras 3's optimizer API).

``fit`` calls ``apply_gradients`` every step, so updates run on backend arrays rather than
through taped ops, and each new value is a fresh array bound to ``var._v`` (tensors read earlier
keep the old one). A built-in optimizer supplies ``_constants(lr, step, s)`` (its per-step
scalars in scalar type ``s``, computed once per dtype) and ``_update(slots, var, grad,
constants)``; a custom one may instead write Keras' ``update_step(gradient, variable,
learning_rate)`` with tfx ops. Array expressions keep Keras' order of operations, so float32
results agree with Keras to rounding.
"""
import re
import warnings

from ... import dtypes as _dt
from ...backend import device_of, to_device, xp
from ...core.indexed_slices import IndexedSlices
from ...core.state import STATE
from ...core.tensor import Tensor, convert_to_tensor, wrap
from ...core.variable import Variable
from ...train.deferred import slot_created
from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from . import schedules as _schedules
from .. import naming as _naming

__all__ = ["Optimizer"]

def _snake_case(name):
    return _naming.snake_case(name)


def _unique_name(base):
    return _naming.unique_name(base)


def _initial_value(initializer, shape, dtype):
    if isinstance(initializer, str):
        if initializer == "zeros":
            return xp.zeros(shape, dtype._np)
        if initializer == "ones":
            return xp.ones(shape, dtype._np)
        from .. import initializers
        initializer = initializers.get(initializer)
    return initializer(shape, dtype=dtype)


def _constant(value):
    """An initializer filling with ``value`` (Adagrad's and Ftrl's accumulators)."""
    return lambda shape, dtype: xp.full(shape, value, dtype._np)


class Optimizer:
    """Base class of all optimizers (``tf.keras.optimizers.Optimizer``).

    Args: ``learning_rate`` (float, ``LearningRateSchedule`` or a callable of no arguments),
    ``weight_decay`` (decoupled: ``var -= var * weight_decay * lr`` before each update),
    ``clipnorm`` / ``clipvalue`` / ``global_clipnorm`` (at most one), ``use_ema`` with
    ``ema_momentum`` and ``ema_overwrite_frequency``, ``loss_scale_factor`` (gradients are
    divided by it), ``gradient_accumulation_steps`` (update every n-th call with the mean
    gradient), ``name``.
    """

    _update = None  # built-ins: (slots, var, grad_array, constants) -> None
    _sparse = None  # this step's sparse gradients: id(dense array) -> (array, values, indices)

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if name is None:
            name = _unique_name(_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        if gradient_accumulation_steps is not None and gradient_accumulation_steps < 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._var_index = {}
        self._exclude_ids = set()
        self._exclude_names = []
        self._decays = {}  # id(var) -> whether weight decay applies, filled lazily
        self._iterations = self._make_variable(xp.zeros((), _dt.int64._np), "iteration")
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or (
                callable(learning_rate) and not hasattr(learning_rate, "_v")):
            self._learning_rate = learning_rate
        else:
            try:
                lr = float(learning_rate)
            except (TypeError, ValueError):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of "
                    "LearningRateSchedule, or a callable (that takes in the current iteration "
                    "value and returns the corresponding learning rate value). Received "
                    f"instead: learning_rate={learning_rate}") from None
            self._learning_rate = self._make_variable(xp.asarray(lr, _dt.float32._np),
                                                      "learning_rate")

    # -- variables ---------------------------------------------------------------------------
    def _make_variable(self, value, name):
        from ..variables import Variable as KerasVariable  # named as Keras 3: 'iteration'
        var = KerasVariable(value, trainable=False, autocast=False, name=name)
        var._path = f"{self.name}/{name}"
        self._variables.append(var)
        return var

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """A new optimizer variable, listed in ``variables``."""
        dtype = _dt.float32 if dtype is None else _dt.as_dtype(dtype)
        shape = tuple(shape)
        value = convert_to_tensor(_initial_value(initializer, shape, dtype), dtype)
        return self._make_variable(value, name or "variable")

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped and typed like ``reference_variable``, named after its path."""
        prefix = reference_variable.path.replace("/", "_").replace(":", "_")
        slot = self.add_variable(tuple(reference_variable._v.shape), initializer,
                                 reference_variable.dtype, name=f"{prefix}_{name}")
        slot._v = to_device(slot._v, device_of(reference_variable._v))  # beside its variable
        slot_created(self, reference_variable, name, slot)  # checkpoints key and restore slots
        return slot

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in ``name``, created variable by variable.

        ``initializer`` may be a list, one per name. Returns a list of slots (one name) or a
        tuple of such lists (several names).
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else \
            [initializer] * len(names)
        out = [[] for _ in names]
        for var in trainable_variables:
            for slots, slot_name, init in zip(out, names, inits):
                slots.append(self.add_variable_from_reference(var, slot_name, init))
        return out[0] if isinstance(name, str) else tuple(out)

    def build(self, variables):
        """Create the optimizer's variables for ``variables`` (subclasses add their slots)."""
        variables = list(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator")
        self._trainable_variables = variables
        self._var_index = {id(v): i for i, v in enumerate(variables)}
        self.built = True

    @property
    def variables(self):
        return self._variables[:]

    @property
    def iterations(self):
        """Number of updates applied (an int64 Variable; with gradient accumulation, the
        number of accumulated updates, as a Tensor)."""
        if self.gradient_accumulation_steps:
            return wrap(self._iterations._v // self.gradient_accumulation_steps, _dt.int64)
        return self._iterations

    def _step(self):
        n = int(self._iterations._v)
        steps = self.gradient_accumulation_steps
        return n // steps if steps else n

    def _get_variable_index(self, variable):
        return self._var_index[id(variable)]

    # -- learning rate -----------------------------------------------------------------------
    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, _schedules.LearningRateSchedule) or (
                callable(value) and not hasattr(value, "_v")):
            self._learning_rate = value
        elif isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument.")
        elif isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(value)
        else:
            self._learning_rate = self._make_variable(
                xp.asarray(float(value), _dt.float32._np), "learning_rate")

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, Variable):
            return lr
        return lr()

    def _lr_array(self):
        lr = self._learning_rate
        if lr.__class__ is Variable:
            return to_device(lr._v, "CPU")  # a host scalar: the update's constants use NumPy
        return to_device(convert_to_tensor(self._get_current_learning_rate())._v, "CPU")

    # -- weight decay ------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Skip weight decay for these variables, or those whose name matches a pattern."""
        self._exclude_ids.update(id(v) for v in var_list or ())
        self._exclude_names.extend(re.compile(n) for n in var_names or ())
        self._decays = {}

    def _use_weight_decay(self, variable):
        use = self._decays.get(id(variable))
        if use is None:
            use = id(variable) not in self._exclude_ids and not any(
                p.search(variable.name) for p in self._exclude_names)
            self._decays[id(variable)] = use
        return use

    def _apply_weight_decay(self, variables, lr):
        wd = self.weight_decay
        for var in variables:
            if self._use_weight_decay(var):
                v = var._v
                s = v.dtype.type
                var._v = v - v * s(wd) * s(lr)

    # -- applying gradients ------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``(gradient, variable)`` pairs; returns ``iterations``."""
        grads, variables = [], []
        for g, v in grads_and_vars:
            grads.append(g)
            variables.append(v)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Apply ``grads`` to ``trainable_variables`` (default: the variables built on)."""
        grads, trainable_variables = self._overwrite_with_gradients(grads, trainable_variables)
        if trainable_variables is not None and not trainable_variables:
            return  # every variable took its gradient
        if STATE.tracing is not None:  # inside tfx.function: a graph node runs the update
            from .traced import record_apply
            return record_apply(self, grads, trainable_variables)
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Received {len(grads)} gradients for {len(trainable_variables)} "
                             "variables.")
        idxs, variables, arrays = self._gradient_arrays(grads, trainable_variables)
        if not variables:
            return
        scale = self.loss_scale_factor
        if scale is not None:
            arrays = [a / scale for a in arrays]
        steps = self.gradient_accumulation_steps
        if not steps:
            self._apply_step(idxs, variables, arrays)
        elif (int(self._iterations._v) + 1) % steps == 0:
            acc = self._accumulated_gradients
            arrays = [(a + acc[i]._v) / steps for i, a in zip(idxs, arrays)]
            self._apply_step(idxs, variables, arrays)
            for a in acc:
                a._v = xp.zeros_like(a._v)
        else:
            acc = self._accumulated_gradients
            for i, a in zip(idxs, arrays):
                acc[i]._v = a + acc[i]._v
        if self.use_ema:
            self._update_moving_averages()
        it = self._iterations
        it._v = xp.asarray(it._v + 1)
        for var in variables:
            if var._constraint is not None:
                var.assign(var._constraint(var))

    def _overwrite_with_gradients(self, grads, variables):
        """Keras' ``overwrite_with_gradient``: such a variable takes its gradient as its value
        (with gradient accumulation, the largest gradient of the accumulated steps, written
        on the update step) instead of an optimizer update; the other pairs are returned."""
        if variables is None:
            return grads, variables
        variables = list(variables)
        if not any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            return grads, variables
        from ...ops import array_ops as A
        from ...ops import math_ops as M
        if not self.built:
            self.build(variables)
        kept_g, kept_v = [], []
        for g, v in zip(grads, variables):
            if g is None or not getattr(v, "overwrite_with_gradient", False):
                kept_g.append(g)
                kept_v.append(v)
                continue
            g = convert_to_tensor(g, v.dtype)
            steps = self.gradient_accumulation_steps
            if not steps:
                v.assign(g)
                continue
            acc = self._accumulated_gradients[self._get_variable_index(v)]
            update = M.equal(M.floormod(M.add(self._iterations, 1), steps), 0)
            top = M.maximum(g, acc)
            v.assign(M.where(update, top, v))
            acc.assign(M.where(update, A.zeros_like(top), top))
        return kept_g, kept_v

    def _gradient_arrays(self, grads, trainable_variables):
        """Indices, variables and gradient arrays of the pairs that have a gradient."""
        index = self._var_index
        idxs, variables, arrays = [], [], []
        missing = []
        self._sparse = None
        for g, var in zip(grads, trainable_variables):
            i = index.get(id(var))
            if i is None:
                raise ValueError(
                    f"Unknown variable: {var}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance.")
            if g is None:
                missing.append(var)
                continue
            idxs.append(i)
            variables.append(var)
            a = _grad_array(g, var)
            arrays.append(a)
            if g.__class__ is not Tensor and isinstance(g, IndexedSlices):
                self._note_sparse(a, g)
        if missing:
            names = [v.path for v in missing]
            if not variables:
                raise ValueError(f"No gradients provided for any variable. Variables: {names}")
            warnings.warn(f"Gradients do not exist for variables {names} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?")
        return idxs, variables, arrays

    def _apply_step(self, idxs, variables, arrays):
        arrays = self._clip_gradients(arrays)
        lr = self._lr_array()
        if self.weight_decay is not None:
            self._apply_weight_decay(variables, lr)
        self._update_variables(idxs, variables, arrays, lr)

    def _update_variables(self, idxs, variables, arrays, lr):
        """Run each variable's update: the array path for built-ins, else ``update_step``."""
        if self._update is None or type(self).update_step is not Optimizer.update_step:
            lr_t = self._get_current_learning_rate()
            for var, g in zip(variables, arrays):
                self.update_step(wrap(g, var._dtype), var, lr_t)
            return
        update, constants, slots = self._update, self._constants, self._slots
        step = self._step()
        per_dtype = {}
        for i, var, g in zip(idxs, variables, arrays):
            c = per_dtype.get(g.dtype)
            if c is None:
                c = per_dtype[g.dtype] = constants(lr, step, g.dtype.type)
            update(slots[i], var, g, c)

    # -- sparse gradients ------------------------------------------------------------------
    # Keras on TensorFlow squares an IndexedSlices gradient slice by slice (ops.square maps
    # its values), then densifies by adding: an embedding row looked up twice in a batch adds
    # the squares of its two slices, not the square of their sum. The optimizers take
    # ``_square(g)`` / ``_abs(g)`` of a gradient, so their second moments are Keras' numbers.
    def _note_sparse(self, a, g):
        if self._sparse is None:
            self._sparse = {}
        self._sparse[id(a)] = (a, convert_to_tensor(g.values)._v,
                               convert_to_tensor(g.indices)._v)

    def _slicewise(self, g, fn):
        entry = self._sparse.get(id(g)) if self._sparse else None
        if entry is None or entry[0] is not g:
            return None
        _, values, indices = entry
        out = xp.zeros(g.shape, values.dtype)
        xp.add.at(out, indices, fn(values))
        return out.astype(g.dtype, copy=False)

    def _square(self, g):
        """``g * g``; for a sparse gradient, its slices' squares added up."""
        sq = self._slicewise(g, lambda v: v * v)
        return g * g if sq is None else sq

    def _abs(self, g):
        """``|g|``; for a sparse gradient, its slices' absolute values added up."""
        a = self._slicewise(g, xp.abs)
        return xp.abs(g) if a is None else a

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable (Keras' hook). Custom optimizers override this with tfx ops,
        using ``self.assign``/``assign_add``/``assign_sub`` and slots from ``build``."""
        if self._update is None:
            raise NotImplementedError(f"{type(self).__name__} must implement "
                                      "update_step(gradient, variable, learning_rate).")
        g = _grad_array(gradient, variable)
        self._sparse = None
        if gradient.__class__ is not Tensor and isinstance(gradient, IndexedSlices):
            self._note_sparse(g, gradient)
        lr = convert_to_tensor(learning_rate)._v
        c = self._constants(lr, self._step(), g.dtype.type)
        self._update(self._slots[self._get_variable_index(variable)], variable, g, c)

    # -- clipping and moving averages --------------------------------------------------------
    def _clip_gradients(self, arrays):
        if self.clipnorm and self.clipnorm > 0:
            return [_clip_by_norm(g, self.clipnorm) for g in arrays]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clip_by_global_norm(arrays, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            c = self.clipvalue
            return [xp.clip(g, -c, c) for g in arrays]
        return arrays

    def _update_moving_averages(self):
        first = self._step() == 0
        for var, avg in zip(self._trainable_variables, self._model_variables_moving_average):
            s = var._v.dtype.type
            momentum = s(0.0 if first else 1.0) * s(self.ema_momentum)
            avg._v = momentum * avg._v + (s(1) - momentum) * var._v
        freq = self.ema_overwrite_frequency
        if freq and (self._step() + 1) % freq == 0:
            self._overwrite_with_averages(self._trainable_variables)

    def _overwrite_with_averages(self, var_list):
        for var in var_list:
            var.assign(self._model_variables_moving_average[self._get_variable_index(var)])

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, set the variables to their moving averages (end of training)."""
        if self.use_ema:
            self._overwrite_with_averages(var_list)

    # -- helpers of the Keras API ------------------------------------------------------------
    def minimize(self, loss, var_list, tape=None):
        """Compute gradients of ``loss`` (a callable, or a Tensor recorded on ``tape``) with
        respect to ``var_list`` (a list or a callable returning one) and apply them."""
        from ...autodiff.tape import GradientTape
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. "
                             f"Received: loss={loss}, tape={tape}.")
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = self.scale_loss(loss())
                if callable(var_list):
                    var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` when set (``apply`` divides the gradients back)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def assign(self, variable, value):
        if isinstance(value, IndexedSlices):
            variable.scatter_update(value)
        else:
            variable.assign(value)

    def assign_add(self, variable, value):
        if isinstance(value, IndexedSlices):
            variable.scatter_add(value)
        else:
            variable.assign_add(value)

    def assign_sub(self, variable, value):
        if isinstance(value, IndexedSlices):
            variable.scatter_sub(value)
        else:
            variable.assign_sub(value)

    def set_weights(self, weights):
        if len(weights) != len(self._variables):
            raise ValueError(f"Optimizer variable count mismatch: the optimizer has "
                             f"{len(self._variables)} variables, received {len(weights)}.")
        for var, w in zip(self._variables, weights):
            var.assign(w)

    def save_own_variables(self, store):
        for i, var in enumerate(self._variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store):
        if len(store) != len(self._variables):
            raise ValueError(f"Skipping variable loading for optimizer '{self.name}', because "
                             f"it has {len(self._variables)} variables whereas the saved "
                             f"optimizer has {len(store)} variables.")
        for i, var in enumerate(self._variables):
            var.assign(store[str(i)])

    # -- config ------------------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr = serialize_keras_object(lr)
        elif isinstance(lr, Variable):
            lr = float(lr._v)
        elif callable(lr):
            lr = serialize_keras_object(lr)
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_keras_object(
                config["learning_rate"], module_objects=_schedules.BUILTINS,
                custom_objects=custom_objects, printable_module_name="decay")
        return cls(**config)


def _grad_array(g, var):
    """A gradient as a backend array of ``var``'s dtype and shape (sparse ones densified)."""
    if g.__class__ is Tensor:
        a = g._v
    elif isinstance(g, IndexedSlices):
        values = convert_to_tensor(g.values)._v
        a = xp.zeros(var._v.shape, values.dtype)
        xp.add.at(a, convert_to_tensor(g.indices)._v, values)
    else:
        a = convert_to_tensor(g)._v
    v = var._v
    if a.dtype != v.dtype:
        a = a.astype(v.dtype)
    if a.shape != v.shape:
        raise ValueError(f"The gradient for variable {var.path} has shape {tuple(a.shape)}, "
                         f"but the variable has shape {tuple(v.shape)}.")
    return a


def _clip_by_norm(g, clipnorm):
    s = g.dtype.type
    norm = xp.sqrt(xp.sum(g * g))
    return (g * s(clipnorm)) / xp.maximum(norm, s(clipnorm))


def _clip_by_global_norm(arrays, clipnorm):
    s = arrays[0].dtype.type
    norm = xp.sqrt(sum(s(xp.sum(g * g)) for g in arrays))
    scale = s(clipnorm) * xp.minimum(s(1) / norm, s(1 / clipnorm))
    scale = scale + (norm - norm)  # NaN when the norm is inf or NaN, as Keras does
    return [g * g.dtype.type(scale) for g in arrays]
