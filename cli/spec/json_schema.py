"""``tfx schema``: the spec's JSON Schema, generated from the pydantic models and the live
registry, so editors (yaml-language-server) complete layer, loss, optimizer and callback
names and their arguments, plugins included."""
import inspect

from .check import _LAYER_BASE_KWARGS, _arg_kind, _kind_table
from .schema import Spec

__all__ = ["build_schema"]


def _json_type(default, annotation):
    for probe in (annotation, type(default) if default is not inspect.Parameter.empty
                  else None):
        if probe is bool:
            return {"type": "boolean"}
        if probe is int:
            return {"type": "integer"}
        if probe is float:
            return {"type": "number"}
        if probe is str:
            return {"type": "string"}
        if probe in (list, tuple):
            # Keras accepts a scalar for most tuple arguments (strides: 2, kernel_size: 3).
            return {"type": ["array", "integer", "number"]}
        if probe is dict:
            return {"type": "object"}
    return {}


def _doc(obj):
    d = inspect.cleandoc(obj.__dict__.get("__doc__") or "") if inspect.isclass(obj) else \
        (inspect.getdoc(obj) or "")
    return d.split("\n\n", 1)[0].replace("\n", " ")[:300]


def _args_schema(obj, layer_like):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return {"type": "object"}
    props, required, var_kw = {}, [], False
    for name, p in params.items():
        if name == "self" or p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
            continue
        # Arguments that take components (activation, *_initializer, a schedule as the
        # learning rate) accept names and mappings as well as their default's type.
        prop = {} if name == "learning_rate" or _arg_kind(name) else \
            _json_type(p.default, p.annotation)
        if p.default is not p.empty and isinstance(p.default, (bool, int, float, str)):
            prop["default"] = p.default
        props[name] = prop
        if p.default is p.empty:
            required.append(name)
    if var_kw and layer_like:
        for k in _LAYER_BASE_KWARGS:
            props.setdefault(k, {})
    out = {"type": "object", "properties": props,
           "additionalProperties": bool(var_kw and not layer_like)}
    if required:
        out["required"] = required
    return out


def _component_schema(kind, names_objs, reserved=()):
    """``Name`` | ``{Name: {args}}`` | ``{type: Name, args...}`` for every component of a kind."""
    from tfx.keras.layers import Layer
    variants = [{"type": "string", "enum": sorted(names_objs)}]
    for name, obj in sorted(names_objs.items()):
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        layer_like = inspect.isclass(obj) and issubclass(obj, Layer)
        args = _args_schema(obj, layer_like)
        doc = _doc(obj)
        typed = {"type": "object", "description": doc,
                 "properties": {"type": {"const": name}, **args.get("properties", {}),
                                **{r: {} for r in reserved}},
                 "required": ["type"] + args.get("required", []),
                 "additionalProperties": args["additionalProperties"]}
        single = {"type": "object", "description": doc, "properties": {name: args},
                  "required": [name], "additionalProperties": False}
        variants += [typed, single]
    return {"anyOf": variants}


def _components(kind):
    import tfx.registry as reg
    builtins, kinds = _kind_table()[kind]
    out = {n: o for n, o in builtins.items() if not n.startswith("_")}
    for e in reg.entries():
        if e.kind in kinds:
            out[e.name.split(">", 1)[-1]] = e.obj
    return out


def build_schema():
    schema = Spec.model_json_schema()
    schema["title"] = "tfx spec"
    props = schema["properties"]
    layer = _component_schema("layer", _components("layer"), reserved=("name", "inputs"))
    props["model"] = {
        "description": props["model"].get("description", ""),
        "anyOf": [
            {"type": "array", "items": layer},
            {"type": "object", "properties": {
                "inputs": {"type": "object"}, "layers": {"type": "array", "items": layer},
                "outputs": {}, "name": {"type": "string"}}, "additionalProperties": False},
            {"type": "object", "properties": {
                "class": {"type": "string", "enum": sorted(_components("model"))},
                "args": {"type": "object"}}, "required": ["class"],
             "additionalProperties": False}]}
    training = schema["$defs"]["TrainingSpec"]["properties"]
    training["optimizer"] = _component_schema("optimizer", _components("optimizer"))
    training["loss"] = {"anyOf": [_component_schema("loss", _components("loss")),
                                  {"type": "array"}, {"type": "object"}, {"type": "null"}]}
    training["metrics"] = {"type": "array",
                           "items": _component_schema("metric", _components("metric"))}
    training["callbacks"] = {"type": "array",
                             "items": _component_schema("callback", _components("callback"))}
    return schema
