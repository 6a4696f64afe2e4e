"""Spec -> objects: model, optimizer, loss, metrics, callbacks. Names resolve only through
the registry and tfx's built-ins (``cli.spec.check.resolve``)."""
import inspect

from .spec.check import _arg_kind, component_parts, resolve

__all__ = ["build_component", "build_model", "build_optimizer", "build_loss",
           "build_metrics", "build_callbacks"]


def build_component(kind, value, reserved=("name", "inputs")):
    name, args, form = component_parts(value, reserved)
    obj = resolve(kind, name)
    if obj is None:
        raise ValueError(f"unknown {kind} {name!r}")
    args = {k: v for k, v in args.items() if k not in reserved or k == "name"}
    if kind in ("layer",) and "inputs" in args:
        args.pop("inputs")
    for k, v in list(args.items()):
        sub = _arg_kind(k)
        if sub and isinstance(v, dict):
            args[k] = build_component(sub, v)
    if inspect.isclass(obj):
        return obj(**args)
    if args:  # a factory such as create_huber(threshold=2.0)
        return obj(**args)
    return obj


def _input_shape(x):
    if isinstance(x, dict):
        return {k: (None,) + tuple(v.shape[1:]) for k, v in x.items()}
    return (None,) + tuple(x.shape[1:])


def build_model(spec, train_x, normalizer=None):
    import tfx
    keras = tfx.keras
    model_spec = spec.model
    if isinstance(model_spec, list):
        model = keras.Sequential(name="sequential")
        model.add(keras.Input(shape=_input_shape(train_x)[1:]))
        if normalizer is not None:
            model.add(normalizer)
        for i, lspec in enumerate(model_spec):
            try:
                model.add(build_component("layer", lspec))
            except Exception as e:
                e._tfx_layer_index = i  # lets the CLI point at the layer's YAML line
                raise
        return model
    if "class" in model_spec:
        cls = resolve("layer", model_spec["class"])
        model = cls(**(model_spec.get("args") or {}))
        if normalizer is not None:
            inner = model
            inp = keras.Input(shape=_input_shape(train_x)[1:])
            model = keras.Model(inp, inner(normalizer(inp)), name=inner.name)
        else:
            model.build(_input_shape(train_x))
        return model
    tensors = {}
    inputs = {}
    for iname, ispec in model_spec["inputs"].items():
        t = keras.Input(shape=tuple(ispec["shape"]), name=iname,
                        dtype=ispec.get("dtype", "float32"))
        inputs[iname] = t
        tensors[iname] = normalizer(t) if normalizer is not None and \
            len(model_spec["inputs"]) == 1 else t
    for lspec in model_spec.get("layers") or []:
        layer = build_component("layer", lspec)
        ins = lspec.get("inputs") if isinstance(lspec, dict) else None
        ins = [ins] if isinstance(ins, str) else list(ins or [])
        args = [tensors[i] for i in ins]
        out = layer(args[0] if len(args) == 1 else args)
        tensors[lspec["name"]] = out
    outs = model_spec["outputs"]
    if isinstance(outs, dict):
        outputs = {k: tensors[v] for k, v in outs.items()}
    elif isinstance(outs, str):
        outputs = tensors[outs]
    else:
        outputs = [tensors[o] for o in outs]
        if len(outputs) == 1:
            outputs = outputs[0]
    ins = list(inputs.values())
    return keras.Model(ins[0] if len(ins) == 1 else inputs, outputs,
                       name=model_spec.get("name") or "functional")


def build_optimizer(value):
    if isinstance(value, dict):
        name, args, form = component_parts(value, reserved=())
        lr = args.get("learning_rate")
        if isinstance(lr, dict):
            args = {**args, "learning_rate": build_component("schedule", lr, reserved=())}
        cls = resolve("optimizer", name)
        return cls(**args)
    return build_component("optimizer", value)


def build_loss(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [build_component("loss", v) for v in value]
    if isinstance(value, dict) and "type" not in value and len(value) > 1:
        return {k: build_component("loss", v) for k, v in value.items()}
    obj = build_component("loss", value)
    return obj


def build_metrics(values):
    """Built-in names go to compile as written (history keys read "mae", "accuracy");
    registered names and mappings become objects."""
    import tfx
    builtin = set(tfx.keras.metrics.BUILTINS) | {"accuracy", "acc", "crossentropy", "ce"}
    return [m if isinstance(m, str) and m in builtin else build_component("metric", m)
            for m in values]


def build_callbacks(values):
    return [build_component("callback", c, reserved=()) for c in values]
