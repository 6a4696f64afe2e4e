"""``Layer``: the base of every layer and model (``tf.keras.layers.Layer``).

``build(input_shape)`` runs on the first call; weights come from ``add_weight``; sub-layers,
variables and metrics are found through attributes (lists and dicts too); ``training``
reaches nested layers through the call context; constructor arguments are captured so a
custom layer needs no ``get_config`` unless it wants one.
"""
import inspect
import threading

from ... import dtypes as _dt
from ... import nest
from ...core.shape import TensorShape
from ...core.state import STATE as _STATE
from ...core.tensor import Tensor, TensorBase, convert_to_tensor
from ...core.variable import Variable, VariableSynchronization
from ...diagnostics import filtered_traceback, full_traceback
from ...graph.tracing import init_scope
from ...module import Module, _snake, walk_attributes
from ..keras_tensor import KerasTensor
from ..saving.autoconfig import AutoConfig, accepted_kwargs, captured_config
from ..saving.weight_paths import charge
from . import masks as _masks

__all__ = ["Layer", "InputSpec", "call_context", "reset_uids"]

_ALLOWED_KWARGS = frozenset(["input_shape", "batch_input_shape", "batch_size", "input_dim",
                             "weights", "dynamic", "input_length"])
# add_weight's tf.keras 2 positional order (a name first); Keras 3's is (shape, initializer,
# dtype).
_LEGACY_WEIGHT_ARGS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                       "constraint")
_WEIGHT_ARGS = ("shape", "initializer", "dtype")

from ..naming import reset as reset_uids, unique_name  # noqa: E402,F401 - one counter


class _CallContext(threading.local):
    def __init__(self):
        self.depth = 0
        self.training = None
        self.symbolic = False


call_context = _CallContext()
_SIG_CACHE = {}


def _call_signature(cls):
    """(accepts ``training``, its default, accepts ``mask``) for ``cls.call``, cached."""
    spec = _SIG_CACHE.get(cls)
    if spec is None:
        try:
            params = inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            params = {}
        tr = params.get("training")
        has_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        spec = (tr is not None, None if tr is None or tr.default is inspect.Parameter.empty
                else tr.default, "mask" in params, has_kw)
        _SIG_CACHE[cls] = spec
    return spec


class InputSpec:
    """Constraints on a layer's input (rank, last dims, dtype), as ``tf.keras.layers.InputSpec``."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional  # the input may be None

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Layer(Module, AutoConfig):
    """Base layer: state (weights) plus a computation from inputs to outputs (``call``)."""

    _TRACK_SKIP = frozenset(["_inbound_nodes", "_losses", "_own_weights", "_build_shapes",
                             "_init_args",  # constructor arguments: not owned sub-layers
                             "_weight_regularizers",
                             "_output_spec", "_callbacks", "history", "_compiled",
                             "_train_cache", "_flat_layers_cache", "_metrics_cache", "optimizer", "_nodes",
                             "_node_order", "_input_tensors", "_output_tensors",
                             "_input_layers", "_output_layers", "_metrics_tracker"])

    # Keras 3: the layer's float inputs (tensors and arrays, in any argument) are cast to its
    # compute dtype when ``autocast``; a layer that converts its own inputs sets this False.
    _convert_input_args = True

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        """``activity_regularizer``: a penalty on the outputs, added to ``losses`` after each
        call (divided by the batch size, as Keras). ``autocast``: cast float inputs to the
        compute dtype, and under a mixed policy read the weights in it (Keras 3)."""
        bad = set(kwargs) - _ALLOWED_KWARGS
        if bad:
            raise TypeError(f"Keyword argument not understood: {sorted(bad)[0]!r} "
                            f"(in {type(self).__name__})")
        self._name = name or unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self._set_dtype_policy(dtype)
        self.autocast = bool(autocast)
        self.built = False
        self._own_weights = []
        self._weight_regularizers = []
        self._losses = []
        self._inbound_nodes = []
        self.supports_masking = False
        self.input_spec = None
        self._activity_regularizer = None
        if activity_regularizer is not None:
            from .. import regularizers
            self._activity_regularizer = regularizers.get(activity_regularizer)
        shape = kwargs.get("batch_input_shape")
        if shape is None and kwargs.get("input_shape") is not None:
            shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        if shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._batch_input_shape = tuple(shape) if shape is not None else None
        self._initial_weights = kwargs.get("weights")

    # -- identity -----------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    # -- dtypes: ``_dtype`` is the compute dtype (inputs are cast to it), ``_variable_dtype``
    # the weights'; they differ under a mixed policy ("mixed_float16") --------------------------
    def _set_dtype_policy(self, dtype):
        from ..dtype_policies import get
        policy = get(dtype)
        self._dtype_policy = policy
        self._dtype = _dt.as_dtype(policy.compute_dtype)
        self._variable_dtype = _dt.as_dtype(policy.variable_dtype)

    @property
    def dtype(self):
        """The variable dtype name ("float32"), as Keras reports it."""
        return self._variable_dtype.name

    @property
    def compute_dtype(self):
        return self._dtype.name

    @property
    def variable_dtype(self):
        return self._variable_dtype.name

    @property
    def input_dtype(self):
        return self._dtype.name

    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._set_dtype_policy(value)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._flatten_layers(include_self=False):
            layer._trainable = bool(value)

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        from .. import regularizers
        self._activity_regularizer = regularizers.get(value)

    # -- weights --------------------------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None, **kwargs):
        """Create a ``keras.Variable`` owned by this layer (``kernel``, ``bias``, ...).

        ``initializer`` defaults to glorot_uniform for float weights, zeros otherwise; ``dtype``
        to the layer's variable dtype. Positional arguments are Keras 3's (shape, initializer,
        dtype), or tf.keras 2's when the first is a name (name, shape, dtype, initializer,
        regularizer, trainable, constraint). tf.keras 2's ``synchronization="on_read"`` makes
        the weight non-trainable; its other legacy arguments are ignored.
        """
        from .. import initializers
        from ..variables import Variable as KerasVariable
        given = {"shape": shape, "initializer": initializer, "dtype": dtype,
                 "trainable": trainable, "regularizer": regularizer, "constraint": constraint,
                 "name": name}
        if args:
            order = _LEGACY_WEIGHT_ARGS if isinstance(args[0], str) else _WEIGHT_ARGS
            if len(args) > len(order):
                raise TypeError(f"add_weight() takes at most {len(order)} positional "
                                f"arguments but {len(args)} were given.")
            for k, v in zip(order, args):
                default = True if k == "trainable" else None
                if given[k] is not default:
                    raise TypeError(f"add_weight() got multiple values for argument '{k}'")
                given[k] = v
        name = given["name"]
        shape = given["shape"]
        shape = () if shape is None else tuple(TensorShape(shape).as_list())
        dtype = given["dtype"]
        d = _dt.as_dtype(getattr(dtype, "variable_dtype", dtype)) if dtype is not None \
            else self._variable_dtype
        initializer = given["initializer"]
        if initializer is None:
            initializer = "glorot_uniform" if d.is_floating else "zeros"
        init = initializers.get(initializer)
        charge(self, name, shape)  # a file being loaded may allocate only what it holds
        trainable = True if given["trainable"] is None else bool(given["trainable"])
        if kwargs.get("synchronization") in ("on_read", VariableSynchronization.ON_READ):
            trainable = False
        constraint = given["constraint"]
        if constraint is not None:
            from .. import constraints
            constraint = constraints.get(constraint)
        v = KerasVariable(init(shape, dtype=d), dtype=d, trainable=trainable,
                          autocast=autocast, aggregation=aggregation, name=name or "Variable",
                          constraint=constraint)
        v._path = f"{self._name}/{name}"
        v.overwrite_with_gradient = bool(overwrite_with_gradient)
        if given["regularizer"] is not None:
            from .. import regularizers
            v.regularizer = regularizers.get(given["regularizer"])
            self._weight_regularizers.append((v, v.regularizer))
        self._own_weights.append(v)
        return v

    def _autocast_weights(self):
        """Under a mixed policy: the trainable float weights of this layer and of its
        sub-layers that compute in the same dtype, read in the compute dtype during the call
        (Keras' autocast scope; an RNN cell's weights are read without calling the cell). The
        attributes holding them are swapped for cast tensors; returns what to put back."""
        from ...ops.math_ops import cast
        swapped = []
        for layer in self._flatten_layers():
            if layer._dtype is not self._dtype or not layer.autocast:
                continue
            own = {id(v) for v in layer._own_weights if v.trainable and v.dtype.is_floating
                   and v.dtype is not self._dtype and getattr(v, "autocast", True)}
            if not own:
                continue
            saved = {k: v for k, v in layer.__dict__.items()
                     if isinstance(v, Variable) and id(v) in own}
            for k, v in saved.items():
                layer.__dict__[k] = cast(v, self._dtype)
            swapped.append((layer, saved))
        return swapped

    def _own_variables(self):
        vs = list(self._own_weights)
        ids = {id(v) for v in vs}
        for v in walk_attributes(self, self._TRACK_SKIP):
            if isinstance(v, Variable) and id(v) not in ids:
                ids.add(id(v))
                vs.append(v)
        return vs

    def _sublayers(self):
        return [v for v in walk_attributes(self, self._TRACK_SKIP) if isinstance(v, Layer)]

    def _flatten_layers(self, include_self=True):
        cached = self.__dict__.get("_flat_layers_cache")
        if cached is not None and include_self:
            return cached
        out, seen = [], set()
        stack = [self] if include_self else list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return out

    @property
    def layers(self):
        return self._sublayers()

    def _collect(self, want_trainable):
        out, seen = [], set()

        def add(v):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)

        def visit(layer, frozen):
            frozen = frozen or not layer._trainable
            for v in layer._own_variables():
                if want_trainable == (v.trainable and not frozen):
                    add(v)
            for sub in layer._sublayers():
                visit(sub, frozen)

        visit(self, False)
        return out

    @property
    def trainable_weights(self):
        return self._collect(True)

    @property
    def non_trainable_weights(self):
        return self._collect(False)

    @property
    def weights(self):
        """Keras 3's order: each layer's own weights (trainable first), then its sublayers',
        depth first; so ``get_weights()`` lists a BatchNormalization's moving statistics
        beside its gamma and beta, as Keras does."""
        out, seen = [], set()

        def visit(layer):
            own = layer._own_variables()
            for v in [v for v in own if v.trainable] + [v for v in own if not v.trainable]:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            for sub in layer._sublayers():
                visit(sub)

        visit(self)
        return out

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights.")
        for v, w in zip(params, weights):
            w = convert_to_tensor(w, v.dtype)
            if tuple(w.shape.as_list()) != tuple(v.shape.as_list()):
                raise ValueError(f"Layer {self.name} weight shape {tuple(v.shape.as_list())} "
                                 f"is not compatible with provided weight shape "
                                 f"{tuple(w.shape.as_list())}.")
            v.assign(w)

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        n = 0
        for v in self.weights:
            k = 1
            for d in v.shape.as_list():
                k *= d
            n += k
        return n

    # -- losses and metrics ----------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a loss tensor (or a zero-argument callable) to this layer's ``losses``."""
        self._losses.append(loss)

    @property
    def losses(self):
        out = []
        for layer in self._flatten_layers():
            for l in layer._losses:
                out.append(l() if callable(l) and not isinstance(l, TensorBase) else l)
            for v, reg in layer._weight_regularizers:
                out.append(reg(v))
        return out

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._losses = []

    def add_metric(self, value, name=None, aggregation=None):
        """TF2-style: track the mean of ``value`` under ``name`` (reported by fit)."""
        if name is None:
            return  # a metric object tracked as an attribute already reports itself
        from ..metrics import Mean
        tracker = self.__dict__.setdefault("_added_metrics", {})
        m = tracker.get(name)
        if m is None:
            m = tracker[name] = Mean(name=name)
        m.update_state(value)

    @property
    def metrics(self):
        from ..metrics import Metric
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in walk_attributes(layer, self._TRACK_SKIP):
                if isinstance(v, Metric) and id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    # -- building and calling -------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if self.built:
            return
        if isinstance(input_shape, (list, tuple)) and input_shape and \
                all(isinstance(s, TensorShape) for s in input_shape):
            shapes = list(input_shape)
        else:
            shapes = input_shape
        with init_scope():  # as Keras: weights are made eagerly, even inside a traced step
            self.build(shapes)
        self.built = True
        self._build_input_shape = _plain_shape(shapes)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _convert_input(self, x):
        """The main input as a tensor; with ``autocast`` a float one is cast to the compute
        dtype, whatever that is (an int32 layer truncates floats, as Keras 3's)."""
        if x.__class__ is not Tensor:
            if isinstance(x, TensorBase) or x is None:
                return x
            x = convert_to_tensor(x)
        if x._dtype is not self._dtype and x._dtype.is_floating and self.autocast:
            from ...ops.math_ops import cast
            return cast(x, self._dtype)
        return x

    def _convert_arg(self, x):
        """Another argument, as Keras converts it: arrays become tensors and, with
        ``autocast``, float tensors take the compute dtype; anything else is left alone."""
        if x.__class__ is Tensor or (hasattr(x, "__array__") and not isinstance(x, TensorBase)):
            return self._convert_input(x)
        return x

    def _convert_args(self, rest, kwargs):
        def conv(v):
            return nest.map_structure(self._convert_arg, v) if nest.is_nested(v) \
                else self._convert_arg(v)
        return tuple(conv(a) for a in rest), {k: conv(v) for k, v in kwargs.items()}

    def __call__(self, *args, **kwargs):
        if args:
            inputs, rest = args[0], args[1:]
        else:
            inputs, rest = kwargs.pop("inputs"), ()
        if _has_keras_tensor(inputs):
            from .functional_call import symbolic_call
            return symbolic_call(self, inputs, rest, kwargs)
        cls = type(self)
        masked = _masks.in_play(cls, kwargs)
        if masked:  # looked up before conversion: a cast input is a new tensor
            prev_mask = _masks.before_call(inputs, kwargs)
        if self._convert_input_args:
            if inputs.__class__ is not Tensor:
                inputs = nest.map_structure(self._convert_input, inputs) \
                    if nest.is_nested(inputs) else self._convert_input(inputs)
            elif inputs._dtype is not self._dtype and inputs._dtype.is_floating:
                inputs = self._convert_input(inputs)
            if rest or kwargs:
                rest, kwargs = self._convert_args(rest, kwargs)
        if not self.built:
            self._maybe_build(_shapes_of(inputs))
        has_training, default_training, has_mask, _ = _call_signature(cls)
        ctx = call_context
        prev_training = ctx.training
        if has_training:
            tr = kwargs.get("training")
            if tr is None:
                tr = prev_training if prev_training is not None else default_training
                if tr is not None or "training" in kwargs:
                    kwargs["training"] = tr
        else:
            tr = kwargs.pop("training", None)
            if tr is None:
                tr = prev_training
        if masked and has_mask and prev_mask is not None and kwargs.get("mask") is None:
            kwargs["mask"] = prev_mask
        if ctx.depth == 0:
            self._clear_losses()
        ctx.depth += 1
        ctx.training = tr
        call = self.call
        if _STATE.tracing is not None:  # a user's `if tensor:` in call() becomes tfx.cond
            from ...autograph.api import converted_if_tracing
            call = converted_if_tracing(call)
        swapped = self._autocast_weights() if self._dtype is not self._variable_dtype and \
            self.autocast and self._dtype.is_floating else None
        try:
            outputs = call(inputs, *rest, **kwargs)
        except Exception as e:
            if ctx.depth == 1 and not full_traceback():
                # The outermost layer call: show the user's frames, not tfx's (as Keras).
                raise e.with_traceback(filtered_traceback(e.__traceback__)) from e.__cause__
            raise
        finally:
            ctx.depth -= 1
            ctx.training = prev_training
            if swapped:
                for layer, saved in swapped:
                    layer.__dict__.update(saved)
        if self._activity_regularizer is not None:
            for o in nest.flatten(outputs):
                # Keras divides the activity penalty by the batch size.
                self.add_loss(self._activity_regularizer(o) /
                              float(o.shape[0] if o.shape.rank else 1))
        if masked:
            _masks.after_call(self, inputs, outputs, prev_mask)
        return outputs

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of this layer's output given its input's (by default passed through)."""
        return previous_mask

    def compute_output_shape(self, input_shape):
        from .functional_call import output_spec
        spec = output_spec(self, input_shape)
        return nest.map_structure(lambda s: s.shape, spec) if nest.is_nested(spec) \
            else spec.shape

    def compute_output_signature(self, input_signature):
        raise NotImplementedError

    # -- config ---------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": self._dtype_policy.name}
        if self._activity_regularizer is not None:
            from ..saving.serialization import serialize_keras_object
            config["activity_regularizer"] = serialize_keras_object(self._activity_regularizer)
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if _is_builtin(_get_config_owner(type(self))) and not _is_builtin(type(self)):
            # A custom layer that wrote no get_config: its constructor arguments are its config.
            config.update(captured_config(self, skip=("name", "trainable", "dtype")))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        # Keras writes dtype as a DTypePolicy dict: only its name matters here.
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name", "float32")
        config = _revive(config)
        layer = cls(**accepted_kwargs(cls, config))
        if isinstance(config.get("name"), str):  # kept even when __init__ takes no name
            layer._name = config["name"]
        return layer

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _is_builtin(cls):
    return cls.__module__.startswith("tfx.keras.")


def _get_config_owner(cls):
    """The class whose get_config ``cls`` uses (Model's counts as built-in, like Layer's)."""
    return next(k for k in cls.__mro__ if "get_config" in vars(k))


def _revive(config):
    """Serialized objects inside a captured config come back as objects."""
    from ..saving.serialization import deserialize_keras_object
    for k, v in list(config.items()):
        if isinstance(v, dict) and "class_name" in v and "config" in v:
            config[k] = deserialize_keras_object(v)
    return config


def _plain_shape(s):
    """A build shape as JSON-ready lists (recorded so a loaded model can rebuild itself)."""
    if isinstance(s, TensorShape):
        return s.as_list() if s.rank is not None else None
    if isinstance(s, (list, tuple)):
        return [_plain_shape(x) for x in s]
    if isinstance(s, dict):
        return {k: _plain_shape(v) for k, v in s.items()}
    return s


def _has_keras_tensor(x):
    if x.__class__ is Tensor:
        return False
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_keras_tensor(v) for v in x)
    if isinstance(x, dict):
        return any(_has_keras_tensor(v) for v in x.values())
    return False


def _shapes_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [_shapes_of(x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: _shapes_of(v) for k, v in inputs.items()}
    return inputs.shape if hasattr(inputs, "shape") else None
