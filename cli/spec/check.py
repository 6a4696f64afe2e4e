"""Checking a spec: schema first, then every component name and argument against the live
registry (built-ins and loaded plugins). All problems are collected, none raised early."""
import inspect
import os

from pydantic import ValidationError

from .errors import SpecProblem, did_you_mean
from .schema import BackupSpec, DataSource, DataSpec, OutputSpec, Spec, TrainingSpec

__all__ = ["check", "component_parts", "KINDS"]

_MODELS = {(): Spec, ("data",): DataSpec, ("data", "train"): DataSource,
           ("data", "validation"): DataSource, ("data", "test"): DataSource,
           ("training",): TrainingSpec, ("training", "backup"): BackupSpec,
           ("output",): OutputSpec}
_TYPE_WORDS = {"int_type": "an integer", "int_parsing": "an integer", "float_type": "a number",
               "float_parsing": "a number", "bool_type": "true or false",
               "bool_parsing": "true or false", "string_type": "a string",
               "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping"}


def _pydantic_problems(err, data):
    out, seen = [], set()
    for e in err.errors():
        loc = _real_loc(e["loc"], data)
        t = e["type"]
        if t == "extra_forbidden":
            key = loc[-1]
            model = _MODELS.get(tuple(loc[:-1]))
            fields = list(model.model_fields) if model else []
            p = SpecProblem(loc, f"unknown key {key!r}", did_you_mean(key, fields), on_key=True)
        elif t == "missing":
            # Point at the section that lacks the key (its own key's line).
            p = SpecProblem(tuple(loc[:-1]), f"missing required key {loc[-1]!r}",
                            on_key=len(loc) > 1)
        elif t in _TYPE_WORDS:
            p = SpecProblem(loc, f"expected {_TYPE_WORDS[t]}, got {e.get('input')!r}")
        elif t == "literal_error":
            p = SpecProblem(loc, f"{e['msg'].lower()}, got {e.get('input')!r}")
        else:
            p = SpecProblem(loc, e["msg"][0].lower() + e["msg"][1:] +
                            (f", got {e.get('input')!r}" if "input" in e and
                             not isinstance(e.get("input"), (dict, list)) else ""))
        k = (p.loc, p.message)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def _real_loc(loc, data):
    """Drop pydantic's union-branch names from a location: keep only keys present in data."""
    real, cur = [], data
    for part in loc:
        if isinstance(cur, dict) and part in cur:
            real.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            real.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and part not in cur and \
                not any(ch in part for ch in "[],"):
            real.append(part)
            cur = None
        else:
            continue
    return tuple(real)


# ---- components ------------------------------------------------------------------------------

KINDS = {}


def _kind_table():
    """kind -> (builtins dict, registry kinds) from the live framework (imported on demand)."""
    if KINDS:
        return KINDS
    from tfx.keras import (activations, callbacks, constraints, initializers, layers, losses,
                           metrics, optimizers, regularizers)
    from tfx.keras.optimizers import schedules
    KINDS.update({
        "layer": (layers._builtins(), ("layer", "model")),
        "model": ({}, ("model",)),
        "loss": (losses.BUILTINS, ("loss", "object")),
        "metric": (metrics.BUILTINS, ("metric", "loss", "object")),
        "optimizer": (optimizers.BUILTINS, ("optimizer",)),
        "schedule": (schedules.BUILTINS, ("schedule",)),
        "callback": (getattr(callbacks, "BUILTINS", {}), ("callback",)),
        "activation": (activations.BUILTINS, ("activation", "object")),
        "initializer": (initializers.BUILTINS, ("initializer", "object")),
        "regularizer": (regularizers.BUILTINS, ("regularizer", "object")),
        "constraint": (constraints.BUILTINS, ("constraint", "object")),
        "data": ({}, ("data",)),
    })
    return KINDS


def resolve(kind, name):
    """The object a spec name means for ``kind``, or None."""
    import tfx.registry as reg
    builtins, kinds = _kind_table()[kind]
    if name in builtins:
        return builtins[name]
    e = reg.lookup(name)
    if e is not None and (e.kind in kinds or kind in ("layer",) and e.kind == "model"):
        return e.obj
    if e is not None and e.kind == "object":
        return e.obj
    return None


def candidates(kind):
    import tfx.registry as reg
    builtins, kinds = _kind_table()[kind]
    names = [n for n in builtins if not n.startswith("_")]
    names += [e.name.split(">", 1)[-1] for e in reg.entries() if e.kind in kinds]
    return names


def component_parts(value, reserved=("name", "inputs")):
    """(type name, args, form) of ``"Dense"``, ``{Dense: {...}}`` or ``{type: Dense, ...}``."""
    if isinstance(value, str):
        return value, {}, "str"
    if isinstance(value, dict):
        if "type" in value:
            args = {k: v for k, v in value.items() if k != "type"}
            return value["type"], args, "type"
        keys = [k for k in value if k not in reserved]
        if len(keys) == 1 and (isinstance(value[keys[0]], dict) or value[keys[0]] is None):
            extra = {k: value[k] for k in value if k in reserved}
            return keys[0], {**(value[keys[0]] or {}), **extra}, "single"
    return None, None, None


_LAYER_BASE_KWARGS = ["name", "trainable", "dtype", "input_shape", "batch_input_shape",
                      "batch_size", "input_dim", "activity_regularizer", "weights",
                      "autocast", "input_length"]
_ARG_KINDS = {"activation": "activation", "recurrent_activation": "activation",
              "layer": "layer", "backward_layer": "layer", "cell": "layer"}


def _arg_kind(arg):
    if arg in _ARG_KINDS:
        return _ARG_KINDS[arg]
    for suffix, kind in (("_initializer", "initializer"), ("_regularizer", "regularizer"),
                         ("_constraint", "constraint")):
        if arg.endswith(suffix):
            return kind
    return None


def _accepted(obj):
    """(parameter names, takes **kwargs) of a class constructor or function."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None, True
    names = [p for p in params if p != "self" and
             params[p].kind not in (inspect.Parameter.VAR_POSITIONAL,
                                    inspect.Parameter.VAR_KEYWORD)]
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return names, var_kw


def check_component(kind, value, loc, problems, reserved=("name", "inputs")):
    name, args, form = component_parts(value, reserved)
    if name is None and isinstance(value, dict):
        typed = [k for k in value if isinstance(k, str) and did_you_mean(k, ["type"])]
        if typed:  # {typo: Dense, units: 3}: the misspelt `type:` is the problem
            problems.append(SpecProblem(loc + (typed[0],), f"unknown key {typed[0]!r}",
                                        ["type"], on_key=True))
            return None
    if name is None:
        problems.append(SpecProblem(loc, f"expected a {kind} name or a mapping like "
                                    f"{{type: Name, ...}}, got {value!r}"))
        return None
    name_loc = loc + ((name,) if form == "single" else ("type",) if form == "type" else ())
    obj = resolve(kind, name)
    if obj is None:
        problems.append(SpecProblem(name_loc, f"unknown {kind} {name!r}",
                                    did_you_mean(name, candidates(kind)),
                                    on_key=form == "single"))
        return None
    arg_loc = loc + ((name,) if form == "single" else ())
    check_args(kind, name, obj, {k: v for k, v in args.items() if k not in reserved},
               arg_loc, problems, also=reserved)
    return obj


# Arguments Keras documents as integers that have no default to say so.
_INT_ARGS = {"units", "filters", "num_heads", "key_dim", "value_dim", "output_dim",
             "input_dim", "patience", "max_tokens", "num_tokens", "num_bins", "groups"}


def _type_problem(arg, value, param):
    """'expected ...' when a value cannot be of the argument's type (told by its default, or
    by ``_INT_ARGS``), else None. Components (dicts, names) and None pass."""
    default = param.default if param is not None else None
    if value is None or isinstance(value, dict) or _arg_kind(arg):
        return None
    got = f", got {value!r}"
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "expected true or false" + got
    if arg in _INT_ARGS:
        return None if isinstance(value, int) and not isinstance(value, bool) else \
            "expected an integer" + got
    if isinstance(default, (int, float)) and isinstance(value, (str, bool)):
        hint = " (YAML reads 1e-3 as text: write 1.0e-3)" if isinstance(value, str) and \
            _is_number(value) else ""
        return ("expected an integer" if type(default) is int else "expected a number") + \
            got + hint
    return None


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def check_args(kind, name, obj, args, loc, problems, also=()):
    """Every argument against ``obj``'s signature (``also``: keys the spec itself takes)."""
    if not args:
        return
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return
    names, var_kw = _accepted(obj)
    if names is None:
        return
    params = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj).parameters
    allowed = list(names)
    from tfx.keras.layers import Layer
    layer_like = inspect.isclass(obj) and issubclass(obj, Layer)
    if var_kw and layer_like:
        allowed += [k for k in _LAYER_BASE_KWARGS if k not in allowed]
    elif var_kw and inspect.isclass(obj):
        allowed += [k for k in ("name", "dtype", "reduction") if k not in allowed]
    for arg, value in args.items():
        if arg not in allowed and not (var_kw and not layer_like and not inspect.isclass(obj)):
            problems.append(SpecProblem(loc + (arg,), f"{name} has no argument {arg!r}",
                                        did_you_mean(arg, allowed + list(also)), on_key=True))
            continue
        wrong = _type_problem(arg, value, params.get(arg))
        if wrong:
            problems.append(SpecProblem(loc + (arg,), wrong))
        sub = _arg_kind(arg)
        if sub and value is not None and not callable(value):
            if isinstance(value, (str, dict)):
                check_component(sub, value, loc + (arg,), problems)


def check_model(model, problems):
    if isinstance(model, list):
        if not model:
            problems.append(SpecProblem(("model",), "the model has no layers", on_key=True))
        for i, layer in enumerate(model):
            check_component("layer", layer, ("model", i), problems)
        return
    if not isinstance(model, dict):
        return
    if "class" in model:
        extra = set(model) - {"class", "args"}
        for k in sorted(extra):
            problems.append(SpecProblem(("model", k), f"unknown key {k!r} beside 'class'",
                                        did_you_mean(k, ["class", "args"]), on_key=True))
        cls = resolve("layer", model["class"]) if isinstance(model["class"], str) else None
        if cls is None:
            problems.append(SpecProblem(("model", "class"),
                                        f"unknown model class {model['class']!r}",
                                        did_you_mean(str(model["class"]), candidates("model"))))
        else:
            check_args("model", model["class"], cls, model.get("args") or {},
                       ("model", "args"), problems)
        return
    allowed = {"inputs", "layers", "outputs", "name"}
    for k in sorted(set(model) - allowed):
        problems.append(SpecProblem(("model", k), f"unknown key {k!r} in a functional model",
                                    did_you_mean(k, sorted(allowed) + ["class"]), on_key=True))
    inputs = model.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        problems.append(SpecProblem(("model", "inputs"), "a functional model needs `inputs:` "
                                    "(name -> {shape: [...]})"))
        inputs = {}
    for iname, ispec in inputs.items():
        if not isinstance(ispec, dict) or "shape" not in ispec:
            problems.append(SpecProblem(("model", "inputs", iname),
                                        "an input needs {shape: [...]}"))
        for k in sorted(set(ispec) - {"shape", "dtype"} if isinstance(ispec, dict) else ()):
            problems.append(SpecProblem(("model", "inputs", iname, k),
                                        f"unknown key {k!r} in an input",
                                        did_you_mean(k, ["shape", "dtype"]), on_key=True))
    known = set(inputs)
    layers = model.get("layers") or []
    for i, layer in enumerate(layers):
        check_component("layer", layer, ("model", "layers", i), problems)
        if isinstance(layer, dict):
            lname = layer.get("name")
            ins = layer.get("inputs")
            ins = [ins] if isinstance(ins, str) else (ins or [])
            if not ins:
                problems.append(SpecProblem(("model", "layers", i),
                                            "a functional layer needs `inputs:`"))
            for src in ins:
                if src not in known:
                    problems.append(SpecProblem(("model", "layers", i, "inputs"),
                                                f"unknown input {src!r}",
                                                did_you_mean(src, sorted(known))))
            if lname:
                known.add(lname)
            else:
                problems.append(SpecProblem(("model", "layers", i),
                                            "a functional layer needs a `name:`"))
    outs = model.get("outputs")
    outs_list = list(outs.values()) if isinstance(outs, dict) else \
        ([outs] if isinstance(outs, str) else (outs or []))
    if not outs_list:
        problems.append(SpecProblem(("model",), "a functional model needs `outputs:`"))
    for o in outs_list:
        if o not in known:
            problems.append(SpecProblem(("model", "outputs"), f"unknown output {o!r}",
                                        did_you_mean(o, sorted(known))))


def _check_training(training, problems):
    if not isinstance(training, dict):
        return
    opt = training.get("optimizer")
    if opt is not None:
        o = check_component("optimizer", opt, ("training", "optimizer"), problems,
                            reserved=("learning_rate",) if isinstance(opt, dict) and
                            "type" not in opt else ())
        lr = opt.get("learning_rate") if isinstance(opt, dict) else None
        if isinstance(lr, dict):
            check_component("schedule", lr, ("training", "optimizer", "learning_rate"),
                            problems)
    loss = training.get("loss")
    if isinstance(loss, list):
        for i, l in enumerate(loss):
            check_component("loss", l, ("training", "loss", i), problems)
    elif isinstance(loss, dict) and "type" not in loss and len(loss) > 1 and \
            not any(isinstance(k, str) and did_you_mean(k, ["type"]) for k in loss):
        for k, l in loss.items():
            check_component("loss", l, ("training", "loss", k), problems)
    elif loss is not None:
        check_component("loss", loss, ("training", "loss"), problems)
    for i, m in enumerate(training.get("metrics") or []):
        if m in ("accuracy", "acc", "crossentropy", "ce"):
            continue
        check_component("metric", m, ("training", "metrics", i), problems)
    for i, c in enumerate(training.get("callbacks") or []):
        check_component("callback", c, ("training", "callbacks", i), problems)


def _check_data(data, base_dir, problems):
    if not isinstance(data, dict):
        return
    for split in ("train", "validation", "test"):
        src = data.get(split)
        if not isinstance(src, dict):
            continue
        path, loader = src.get("path"), src.get("loader")
        if (path is None) == (loader is None):
            problems.append(SpecProblem(("data", split), "give exactly one of `path:` or "
                                        "`loader:`"))
            continue
        if path is not None:
            full = path if os.path.isabs(path) else os.path.join(base_dir, path)
            if not os.path.exists(full):
                problems.append(SpecProblem(("data", split, "path"), f"no such file: {path}"))
            elif not full.endswith((".csv", ".npz", ".npy")):
                problems.append(SpecProblem(("data", split, "path"),
                                            "unsupported data file (use .csv, .npz or .npy)"))
            elif full.endswith(".csv") and src.get("target") is None:
                problems.append(SpecProblem(("data", split), "a CSV source needs `target:` "
                                            "(the target column or columns)"))
            elif full.endswith(".csv"):
                _check_columns(full, src, ("data", split), problems)
        else:
            check_component("data", {"type": loader, **(src.get("args") or {})},
                            ("data", split), problems, reserved=())


def _check_columns(path, src, loc, problems):
    """Target and feature columns against the CSV's header (its first line only)."""
    import csv
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = [h.strip() for h in next(csv.reader(f), [])]
    except (OSError, UnicodeDecodeError):
        return  # reading the data reports it
    for key in ("target", "features"):
        cols = src.get(key)
        many = isinstance(cols, list)
        for i, col in enumerate(cols if many else [cols] if cols is not None else []):
            if isinstance(col, str) and col not in header:
                problems.append(SpecProblem(loc + ((key, i) if many else (key,)),
                                            f"no column {col!r} in {src['path']}'s header",
                                            did_you_mean(col, header)))


def check(data, base_dir, load_plugins=True):
    """Validate raw spec data. Returns (Spec or None, problems)."""
    problems = []
    spec = None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as e:
        problems.extend(_pydantic_problems(e, data))
    if not isinstance(data, dict):
        return None, problems
    if load_plugins:
        from tfx.plugins import PluginError, load_plugin
        from ..runs import no_bytecode
        for i, p in enumerate(data.get("plugins") or []):
            try:
                with no_bytecode():
                    load_plugin(p, base_dir)
            except PluginError as e:
                problems.append(SpecProblem(("plugins", i), str(e)))
            except Exception as e:  # the plugin's own code failed: say where, briefly
                problems.append(SpecProblem(("plugins", i), f"plugin {p!r} failed to load: "
                                            f"{type(e).__name__}: {e}"))
    if "model" in data:
        check_model(data["model"], problems)
    _check_training(data.get("training") or {}, problems)
    _check_data(data.get("data"), base_dir, problems)
    return (spec if not problems else None), problems
