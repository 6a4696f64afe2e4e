"""Configs between Keras 3's ``config.json`` schema and tfx's.

Both use Keras 3's layout (``module``, ``class_name``, ``config``, ``registered_name``) and
mostly the same class names and arguments. What differs: module strings (``keras.layers``
against ``tfx.keras.layers.core``), dtype policies (a ``DTypePolicy`` object in Keras, a
dtype name in tfx), a functional model's single input or output (a bare ``[name, node,
tensor]`` in Keras), ``shared_object_id`` marks, and arguments one side has and the other
not. A Keras argument tfx lacks is dropped when it holds its inert value (``None``,
``False``, ...) or only affects random initialisation (``seed``); any other value refuses the
file, naming the class and the argument, rather than load a model that computes otherwise.

Nothing is imported because a file names it: a module string only picks one of tfx's
fixed tables.
"""
import inspect

from ...errors import ModelFormatError
from . import lambdas
from .serialization import builtin_objects

__all__ = ["to_keras", "from_keras", "KERAS_KINDS"]

# tfx package -> Keras' public module for that kind of object
KERAS_KINDS = {"layers": "keras.layers", "models": "keras", "optimizers": "keras.optimizers",
               "schedules": "keras.optimizers.schedules", "losses": "keras.losses",
               "metrics": "keras.metrics", "initializers": "keras.initializers",
               "regularizers": "keras.regularizers", "constraints": "keras.constraints",
               "activations": "keras.activations"}
_TFX_MODULE = {k: ("tfx.keras.optimizers.schedules" if k == "schedules" else f"tfx.keras.{k}")
               for k in KERAS_KINDS}
_POLICIES = ("DTypePolicy", "FloatDTypePolicy")
_FUNCTIONAL_MODULE = "keras.src.models.functional"
# Keras arguments that only pick random numbers: a loaded model's weights come from the file.
_SEED_KEYS = frozenset(["seed"])
_INERT = (None, False, "", (), [], {})
# Keras classes exported under another name than their class name (files hold the export).
_KERAS_EXPORT_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}


def _bad(path, reason):
    return ModelFormatError(None, None, f"{path}: {reason}")


def _is_object(d):
    return isinstance(d, dict) and isinstance(d.get("class_name"), str) and (
        "config" in d or "module" in d)


def _tfx_kind(module):
    """'layers', 'optimizers', ... for a tfx module string, else None."""
    if not isinstance(module, str) or not module.startswith("tfx.keras."):
        return None
    parts = module.split(".")[2:]
    if parts[:2] == ["optimizers", "schedules"]:
        return "schedules"
    return parts[0] if parts and parts[0] in KERAS_KINDS else None


def _keras_kind(module):
    """'layers', 'optimizers', ... for a Keras module string, else None."""
    if module == "keras":
        return "models"
    if not isinstance(module, str) or not module.startswith("keras."):
        return None
    parts = module.split(".")[1:]
    if parts and parts[0] == "src":
        parts = parts[1:]
    if "schedules" in parts:
        return "schedules"
    return parts[0] if parts and parts[0] in KERAS_KINDS else None


# ---- tfx -> Keras ------------------------------------------------------------------------------

def _policy(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def _layer_like(inner):
    return isinstance(inner, dict) and isinstance(inner.get("name"), str) and \
        "trainable" in inner and "dtype" in inner


def _single_ref(refs):
    """Keras writes a functional model's only input (output) as a bare reference."""
    if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list):
        return refs[0]
    return refs


def to_keras(obj):
    """A tfx config (any JSON value) in Keras 3's schema."""
    if isinstance(obj, list):
        return [to_keras(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if not _is_object(obj) or obj["class_name"] == "__keras_tensor__":
        return {k: to_keras(v) for k, v in obj.items()}
    if obj["class_name"] == lambdas._TAG:
        from .autoconfig import NotSerializableError
        raise NotSerializableError(
            "A Lambda layer's Python lambda cannot be written to a .keras file: Keras reads "
            "lambdas only as its own bytecode. Use a named function registered with "
            "@tfx.register() (under the same name on the Keras side), or save as .tfx.")
    out = {k: to_keras(v) for k, v in obj.items()}
    kind = _tfx_kind(obj.get("module"))
    inner = out.get("config")
    if kind is not None:
        name = obj["class_name"]
        out["module"] = KERAS_KINDS[kind]
        out["class_name"] = _KERAS_EXPORT_NAMES.get(name, name)
        out["registered_name"] = None
        if name == "Functional":
            out["module"], out["registered_name"] = _FUNCTIONAL_MODULE, "Functional"
    elif obj.get("module") == "__main__":
        out["module"] = None  # as Keras writes classes of a script
    if _layer_like(inner):
        inner = dict(inner)
        if isinstance(inner["dtype"], str):
            inner["dtype"] = _policy(inner["dtype"])
        # Keras layers take no input shape (a Sequential keeps build_input_shape instead)
        inner.pop("batch_input_shape", None)
        if isinstance(inner.get("layers"), list) and "input_layers" in inner:
            inner["input_layers"] = _single_ref(inner["input_layers"])
            inner["output_layers"] = _single_ref(inner["output_layers"])
        out["config"] = inner
    return out


# ---- Keras -> tfx ------------------------------------------------------------------------------

def _init_params(cls):
    """Argument names ``cls`` can be built with (following ``**kwargs`` up the bases), or
    None when some constructor takes any keyword."""
    from ..layers.layer import _ALLOWED_KWARGS, Layer
    names = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        try:
            params = inspect.signature(klass.__init__).parameters.values()
        except (TypeError, ValueError):
            return None
        names.update(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                             p.KEYWORD_ONLY))
        if klass is Layer:
            return names | _ALLOWED_KWARGS
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return names
    return None


def _fit_arguments(path, cls, class_name, inner):
    """Keras' arguments for ``cls``: those tfx lacks dropped when inert, refused otherwise."""
    accepted = _init_params(cls)
    if accepted is None:
        return inner
    out = {}
    for key, value in inner.items():
        if key in accepted:
            out[key] = value
        elif not (key in _SEED_KEYS or any(value is v or (type(value) is type(v) and value == v)
                                           for v in _INERT)):
            raise _bad(path, f"{class_name} argument {key}={str(value)[:80]} (from Keras) is "
                             "not supported by tfx")
    return out


def _policy_name(path, policy):
    name = policy.get("config", {}).get("name") if isinstance(policy.get("config"), dict) \
        else None
    if not isinstance(name, str):
        raise _bad(path, f"malformed dtype policy {str(policy)[:100]}")
    if "quant" in name or name.startswith(("int8", "int4", "float8")):
        raise _bad(path, f"dtype policy {name!r} is not supported by tfx (no quantization)")
    return name


def from_keras(obj, path="config.json"):
    """A Keras 3 config (any JSON value) in tfx's schema."""
    if isinstance(obj, list):
        return [from_keras(v, path) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if not _is_object(obj) or obj["class_name"] == "__keras_tensor__":
        return {k: from_keras(v, path) for k, v in obj.items() if k != "shared_object_id"}
    class_name = obj["class_name"]
    if class_name in _POLICIES:
        return _policy_name(path, obj)
    if class_name in ("__tensor__", "__numpy__"):  # an array argument: its values
        value = obj.get("config", {}).get("value") if isinstance(obj.get("config"), dict) \
            else None
        if not isinstance(value, (list, int, float)):
            raise _bad(path, f"malformed array value {str(obj)[:100]}")
        return value
    out = {k: from_keras(v, path) for k, v in obj.items() if k != "shared_object_id"}
    kind = _keras_kind(obj.get("module"))
    registered = obj.get("registered_name")
    builtin = kind is not None and registered in (None, class_name)
    inner = out.get("config")
    if builtin:
        out["module"] = _TFX_MODULE[kind]
        out["registered_name"] = None
        cls = builtin_objects(out["module"]).get(class_name)
        if inspect.isclass(cls) and isinstance(inner, dict) and kind != "models":
            inner = _fit_arguments(path, cls, class_name, inner)
    if isinstance(inner, dict) and "input_layers" in inner and isinstance(
            inner.get("layers"), list):
        inner = dict(inner)
        for key in ("input_layers", "output_layers"):
            refs = inner.get(key)
            if isinstance(refs, list) and refs and isinstance(refs[0], str):
                inner[key] = [refs]  # Keras' bare reference for a single tensor
    if inner is not None:
        out["config"] = inner
    return out
