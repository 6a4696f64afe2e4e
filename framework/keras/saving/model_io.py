"""Model files: ``model.save`` / ``load_model``, ``save_weights`` / ``load_weights``.

A ``.tfx`` file is a zip of ``config.json`` (Keras 3's layout: module, class_name, config,
registered_name, build_config, compile_config), ``metadata.json`` (format, versions, date,
backend, and where each custom object came from) and ``model.weights.safetensors`` (weights
by stable key, optimizer state under ``optimizer/vars/<i>``). A path without suffix is a
folder with the same three entries. Loading resolves names only through ``custom_objects``,
``custom_object_scope``, the registry and tfx's built-ins, and raises ``ModelFormatError``
(or a subclass) for anything malformed. ``.keras`` and ``.weights.h5`` paths are Keras 3's own
formats, read and written by ``keras_format`` under the same rules.
"""
import datetime
import json
import os

from ... import registry as _reg
from ..._version import __version__
from ...errors import ModelFormatError
from . import archive, keras_format, lambdas
from . import config_checks as checks
from .archive import CONFIG, METADATA, WEIGHTS, UnsupportedFormatError
from .keras_format import KERAS_SUFFIX, KERAS_WEIGHTS_SUFFIX
from .serialization import UnknownObjectError, serialize_keras_object
from .weight_paths import (CONTAINERS_KEY, allocation_budget, arrays_of, assign_arrays,
                           variable_paths)

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "FORMAT",
           "FORMAT_VERSION"]

FORMAT = "tfx.model"
FORMAT_VERSION = 1
WEIGHTS_FORMAT = "tfx.weights"
WEIGHTS_SUFFIX = ".weights.safetensors"
OPTIMIZER_PREFIX = "optimizer/vars/"
OPTIMIZER_ORDER_KEY = "tfx.optimizer_variables"
_BUDGET_SLACK = 1 << 20         # weight values a rebuild may create beyond those in the file


def _bad(path, reason):
    return ModelFormatError(None, None, f"{path}: {reason}")


def _suffix(path):
    base = os.path.basename(os.path.normpath(path))
    for suffix in (WEIGHTS_SUFFIX, KERAS_WEIGHTS_SUFFIX):
        if base.endswith(suffix):
            return suffix
    return os.path.splitext(base)[1].lower()


def _foreign(suffix, doing):
    return (f"Keras 2's HDF5 weights files ({suffix}) cannot be {doing} by tfx: use a "
            ".weights.h5 (Keras 3) or .weights.safetensors file, or load a whole legacy .h5 "
            "model with load_model.")


# ---- saving ------------------------------------------------------------------------------------

def _optimizer_vars(model, include_optimizer):
    opt = getattr(model, "optimizer", None)
    if not include_optimizer or opt is None or not getattr(model, "compiled", False):
        return {}
    return {f"{OPTIMIZER_PREFIX}{i}": v for i, v in enumerate(opt.variables)}


def _weights_bytes(model, paths, opt_vars):
    arrays = arrays_of(paths.keys)
    opt_arrays = arrays_of(opt_vars, "optimizer variable")
    clash = set(arrays) & set(opt_arrays)
    if clash:
        raise ValueError(f"Weight key(s) {sorted(clash)} of the model clash with the "
                         "optimizer's variables: rename the layer called 'optimizer'.")
    arrays.update(opt_arrays)
    meta = {"format": WEIGHTS_FORMAT, "format_version": "1", "tfx_version": __version__,
            CONTAINERS_KEY: paths.containers_json()}
    if opt_vars:
        key_of = {id(v): k for k, v in paths.keys.items()}
        order = [key_of.get(id(v)) for v in getattr(model.optimizer, "_trainable_variables", [])]
        if all(order):
            meta[OPTIMIZER_ORDER_KEY] = json.dumps(order)
    build = model.get_build_config() if hasattr(model, "get_build_config") else None
    if build is not None:
        meta["build_config"] = json.dumps(checks.jsonable(build, "build_config"))
    return archive.encode_tensors(arrays, meta)


def _array_backend():
    from ...backend import xp
    return getattr(xp, "__name__", "numpy")


def model_entries(model, include_optimizer=True, save_lambda=False):
    """The three entries of a model file, as bytes."""
    checks.check_lambdas(model, save_lambda)
    checks.check_round_trips(model)
    config = serialize_keras_object(model)
    config["build_config"] = model.get_build_config()
    config["compile_config"] = model.get_compile_config()
    config = checks.jsonable(config, "config")
    registered, unregistered = checks.custom_sources(config)
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "tfx_version": __version__,
                "keras_version": "3", "backend": "tfx", "array_backend": _array_backend(),
                "date_saved": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"),
                "registered_objects": registered, "unregistered_objects": unregistered}
    weights = _weights_bytes(model, variable_paths(model),
                             _optimizer_vars(model, include_optimizer))
    return {CONFIG: archive.dump_json(config), METADATA: archive.dump_json(metadata),
            WEIGHTS: weights}


def save_model(model, filepath, overwrite=True, zipped=None, include_optimizer=True,
               save_lambda=False, **kwargs):
    """Save ``model`` to ``filepath``: ``x.tfx`` (one zip file), a suffix-less folder, or
    ``x.keras`` (Keras 3's own format, which Keras loads; needs h5py).

    Args:
        overwrite: replace an existing file (else FileExistsError).
        zipped: force a zip (True) or a folder (False); default from the suffix.
        include_optimizer: also store the optimizer's variables (the default).
        save_lambda: store the source of Lambda layers' Python lambdas (loading them then
            needs ``safe_mode=False``).
    """
    if kwargs:
        raise ValueError(f"Unknown argument(s) for model.save: {sorted(kwargs)}")
    from ..models.model import Model
    if not isinstance(model, Model):
        raise TypeError(f"save_model expects a tfx.keras Model, got {type(model).__name__}")
    path = os.fspath(filepath)
    suffix = _suffix(path)
    if suffix in (".h5", ".hdf5"):  # Keras' legacy format, still written by Keras 3
        if os.path.exists(path) and not overwrite:
            raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
        from .legacy_h5 import save_legacy_h5
        save_legacy_h5(model, path)
        return
    if suffix in (WEIGHTS_SUFFIX, KERAS_WEIGHTS_SUFFIX):
        raise ValueError(f"{path} names a weights file: use model.save_weights({path!r}).")
    if suffix not in ("", ".tfx", KERAS_SUFFIX):
        raise ValueError(f"Invalid filepath extension for saving: {path!r}. Use a .keras or "
                         ".tfx file (one zip) or a path with no extension (a folder).")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    if suffix == KERAS_SUFFIX:
        if zipped is False:
            raise ValueError("tfx writes .keras files as zips only (zipped=False is not "
                             "supported for them).")
        keras_format.save_keras(model, path, include_optimizer, save_lambda)
        return
    entries = model_entries(model, include_optimizer, save_lambda)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.write_container(path, entries, suffix == ".tfx" if zipped is None else bool(zipped))


# ---- loading -----------------------------------------------------------------------------------

def _read_metadata(path, data):
    meta = archive.parse_json(path, METADATA, data)
    if meta.get("format") != FORMAT:
        raise _bad(path, f"metadata.json names format {str(meta.get('format'))[:80]!r}, not "
                         f"{FORMAT!r}: not a tfx model file")
    version = meta.get("format_version")
    if type(version) is not int or version < 1:
        raise _bad(path, f"metadata.json has no valid format_version ({str(version)[:40]})")
    if version > FORMAT_VERSION:
        raise _bad(path, f"written in format version {version} by tfx "
                         f"{str(meta.get('tfx_version'))[:40]}; this tfx ({__version__}) reads "
                         f"up to version {FORMAT_VERSION}. Upgrade tfx to load it.")
    for key in ("registered_objects", "unregistered_objects"):
        table = meta.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise _bad(path, f"metadata.json: {key} must map names to strings")
    return meta


def _read_config(path, data):
    config = archive.parse_json(path, CONFIG, data)
    if not isinstance(config.get("class_name"), str) or not isinstance(config.get("config"),
                                                                       dict):
        raise _bad(path, "config.json must hold 'class_name' (a string) and 'config' (an "
                         "object)")
    for key in ("build_config", "compile_config"):
        if config.get(key) is not None and not isinstance(config[key], dict):
            raise _bad(path, f"config.json: {key} must be an object or null")
    return config


def _guarded(path, what, config, metadata, fn):
    """Run a rebuild step; any failure becomes a ModelFormatError naming ``what``."""
    try:
        return fn()
    except ModelFormatError:
        raise
    except UnknownObjectError as e:
        raise checks.missing_error(path, e, config, metadata) from None
    except Exception as e:
        raise ModelFormatError(None, None, f"{path}: {what} failed: {type(e).__name__}: "
                                           f"{str(e)[:500]}") from e


def _input_shape(build_config):
    shape = (build_config or {}).get("input_shape")
    return shape if isinstance(shape, list) else None


def _finish_build(model, build_config):
    """Build what ``build`` left unbuilt (a user ``build`` that only creates sub-layers) by
    running the model on stand-ins of the recorded input shape."""
    shape = _input_shape(build_config)
    if shape is None:
        return
    if not model.built:
        model.build_from_config(build_config)
    if all(l.built for l in model._flatten_layers()):
        return
    from ..layers.functional_call import output_spec
    output_spec(model, shape)
    model._build_input_shape = shape


def _rebuild(path, config, metadata, custom_objects, budget):
    from ..layers import deserialize as deserialize_layer
    from ..models.model import Model
    top = {k: config[k] for k in ("module", "class_name", "config", "registered_name")
           if k in config}

    def build():
        with allocation_budget(budget, path):
            model = deserialize_layer(top, custom_objects=custom_objects)
            if not isinstance(model, Model):
                raise _bad(path, f"config.json describes a {type(model).__name__}, not a model")
            _finish_build(model, config.get("build_config"))
        return model
    return _guarded(path, "rebuilding the model from config.json", config, metadata, build)


def _key_map(paths, arrays, weights_meta):
    """Exact keys; else container children matched by position when the structure agrees
    (a model rebuilt in code whose layers got other automatic names)."""
    if set(paths.keys) == set(arrays):
        return None
    try:
        saved = json.loads(weights_meta.get(CONTAINERS_KEY, "{}"))
    except ValueError:
        return None
    alt = paths.positional_keys(saved) if isinstance(saved, dict) else None
    return alt if alt is not None and set(alt.values()) == set(arrays) else None


def _deserialize_specs(spec, deserialize, custom_objects):
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "class_name" in spec:
        return deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, dict):
        return {k: _deserialize_specs(v, deserialize, custom_objects) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deserialize_specs(v, deserialize, custom_objects) for v in spec]
    raise ModelFormatError(None, None, f"compile_config holds {spec!r} where a loss or metric "
                                       "belongs")


def _compile(path, model, config, metadata, custom_objects):
    from .. import losses, metrics, optimizers
    cc = config["compile_config"]

    def run():
        opt = cc.get("optimizer")
        model.compile(
            optimizer=optimizers.deserialize(opt, custom_objects) if opt else "rmsprop",
            loss=_deserialize_specs(cc.get("loss"), losses.deserialize, custom_objects),
            loss_weights=cc.get("loss_weights"),
            metrics=_deserialize_specs(cc.get("metrics"), metrics.deserialize, custom_objects),
            weighted_metrics=_deserialize_specs(cc.get("weighted_metrics"), metrics.deserialize,
                                                custom_objects),
            run_eagerly=bool(cc.get("run_eagerly", False)),
            steps_per_execution=cc.get("steps_per_execution", 1))
    _guarded(path, "compiling the model from compile_config", config, metadata, run)


def _load_optimizer_state(path, model, paths, opt_arrays, weights_meta):
    opt = model.optimizer
    if not opt.built and len(opt_arrays) > len(opt.variables):
        variables = model.trainable_variables
        try:  # the order the saved optimizer was built in, so slot i meets variable i
            order = json.loads(weights_meta.get(OPTIMIZER_ORDER_KEY, "null"))
            if isinstance(order, list) and all(isinstance(k, str) and k in paths.keys
                                               for k in order):
                variables = [paths.keys[k] for k in order]
        except ValueError:
            pass
        opt.build(variables)
    named = {f"{OPTIMIZER_PREFIX}{i}": v for i, v in enumerate(opt.variables)}
    assign_arrays(path, named, opt_arrays, what="optimizer variables")


def read_metadata(filepath):
    """The checked ``metadata.json`` of a saved model (format, versions, date, the plugins
    that registered its custom names)."""
    path = os.fspath(filepath)
    if _suffix(path) == ".keras":
        import json
        from .archive import read_container
        data = read_container(path, need=("metadata.json",),
                              allowed=("config.json", "metadata.json", "model.weights.h5"))
        return json.loads(data["metadata.json"])
    return _read_metadata(path, archive.read_container(path)[METADATA])


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by ``model.save``, or a ``.keras`` file written by Keras 3.

    Args:
        custom_objects: ``{name: class or function}`` for custom parts not registered.
        compile: restore loss, metrics and optimizer (with its state) as saved.
        safe_mode: refuse files holding Python source (Lambda layers saved with
            ``save_lambda=True``). Set False only for files you trust.

    Raises ModelFormatError (or a subclass: MissingObjectError, UnsafeLambdaError,
    WeightsMismatchError) naming what is wrong with the file.
    """
    path = os.fspath(filepath)
    suffix = _suffix(path)
    if suffix in (".h5", ".hdf5"):  # Keras' legacy model format
        from .legacy_h5 import load_legacy_h5
        return load_legacy_h5(path, custom_objects, compile, safe_mode)
    if suffix in (WEIGHTS_SUFFIX, KERAS_WEIGHTS_SUFFIX):
        raise ValueError(f"{path} is a weights file: build the model in code and call "
                         "model.load_weights(...) instead.")
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                         "accessible .keras or .tfx file or tfx model folder.")
    if suffix == KERAS_SUFFIX or keras_format.is_keras_folder(path):
        return keras_format.load_keras(path, custom_objects, compile, safe_mode)
    entries = archive.read_container(path)
    metadata = _read_metadata(path, entries[METADATA])
    config = _read_config(path, entries[CONFIG])
    checks.refuse_lambdas(path, config, safe_mode)
    checks.check_input_shapes(path, config)
    arrays, weights_meta = archive.decode_tensors(path, entries[WEIGHTS])
    del entries
    opt_arrays = {k: arrays.pop(k) for k in list(arrays) if k.startswith(OPTIMIZER_PREFIX)}
    budget = sum(a.size for a in arrays.values()) + _BUDGET_SLACK
    with _reg.custom_object_scope(custom_objects or {}), lambdas.loading(safe_mode):
        model = _rebuild(path, config, metadata, custom_objects, budget)
        paths = variable_paths(model)
        assign_arrays(path, paths.keys, arrays, _key_map(paths, arrays, weights_meta))
        if compile and config.get("compile_config"):
            _compile(path, model, config, metadata, custom_objects)
            if opt_arrays:
                _load_optimizer_state(path, model, paths, opt_arrays, weights_meta)
    return model


# ---- weights files -----------------------------------------------------------------------------

def save_weights(model, filepath, overwrite=True, **kwargs):
    """Write the model's weights (by stable key) to ``*.weights.safetensors``, or in Keras'
    layout to ``*.weights.h5``, atomically."""
    if kwargs:
        raise ValueError(f"Unknown argument(s) for save_weights: {sorted(kwargs)}")
    path = os.fspath(filepath)
    if not path.endswith((WEIGHTS_SUFFIX, KERAS_WEIGHTS_SUFFIX)):
        raise ValueError(f"The filename must end in `{WEIGHTS_SUFFIX}` (or `"
                         f"{KERAS_WEIGHTS_SUFFIX}` for Keras). Received: filepath={path}")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    paths = variable_paths(model)
    if not paths.keys and not model.built:
        raise ValueError(f"Model {model.name!r} has no weights yet: call it on a batch or "
                         "build it (model.build(input_shape)) before save_weights.")
    if path.endswith(KERAS_WEIGHTS_SUFFIX):
        keras_format.save_keras_weights(model, path)
        return
    data = _weights_bytes(model, paths, {})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.atomic_write(path, lambda f: f.write(data))


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights saved by ``save_weights`` (or the weights of a ``.tfx`` model), or Keras'
    ``.weights.h5`` / ``.keras`` weights.

    Every key, shape and dtype must match (WeightsMismatchError names each difference);
    ``skip_mismatch=True`` loads what matches and warns about the rest.
    """
    if kwargs:
        raise ValueError(f"Unknown argument(s) for load_weights: {sorted(kwargs)}")
    path = os.fspath(filepath)
    suffix = _suffix(path)
    if suffix in (".h5", ".hdf5"):
        raise UnsupportedFormatError(f"{path}: {_foreign(suffix, 'read')}")
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}.")
    if suffix in (KERAS_SUFFIX, KERAS_WEIGHTS_SUFFIX):
        keras_format.load_keras_weights(model, path, skip_mismatch)
        return
    if suffix == WEIGHTS_SUFFIX:
        data = archive.read_file(path)
    elif os.path.isdir(path) or suffix == ".tfx":
        data = archive.read_container(path, need=(WEIGHTS,))[WEIGHTS]
    else:
        raise ValueError(f"The filename must end in `{WEIGHTS_SUFFIX}` (or be a .tfx model). "
                         f"Received: filepath={path}")
    arrays, meta = archive.decode_tensors(path, data)
    arrays = {k: v for k, v in arrays.items() if not k.startswith(OPTIMIZER_PREFIX)}
    paths = variable_paths(model)
    if not paths.keys and not model.built:
        try:
            build = json.loads(meta.get("build_config", "null"))
        except ValueError:
            build = None
        if _input_shape(build) is None:
            raise ValueError(f"Model {model.name!r} is not built and the file records no input "
                             "shape: call it on a batch or model.build(input_shape) first.")
        _finish_build(model, build)
        paths = variable_paths(model)
    assign_arrays(path, paths.keys, arrays, _key_map(paths, arrays, meta), skip_mismatch)
