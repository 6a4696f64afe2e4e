"""Keras' legacy HDF5 model files (``model.save("m.h5")``, ``load_model("m.h5")``), which
Keras 3 still writes and reads: the architecture as JSON in the file's ``model_config``
attribute, the compile settings in ``training_config``, and each layer's weights under
``model_weights/<layer>`` in the order its ``weight_names`` attribute gives.

Reading never runs code from the file: class names resolve through tfx's built-ins and the
registry (as for .keras files), and only numeric datasets of sizes the file can back are read.
"""
import io
import json

import numpy as np  # host arrays for the HDF5 file (conversion at the edge)

from ... import registry as _reg
from . import archive, lambdas
from . import config_checks as checks
from .keras_config import from_keras, to_keras
from .keras_format import KERAS_VERSION, _bad, _dataset_array, _h5py
from .serialization import serialize_keras_object

__all__ = ["save_legacy_h5", "load_legacy_h5"]


def _weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def save_legacy_h5(model, path):
    """Write ``model`` (architecture, compile settings, weights) as a Keras legacy .h5 file,
    atomically."""
    h5py = _h5py()
    checks.check_lambdas(model, False)
    config = to_keras(checks.jsonable(serialize_keras_object(model), "config"))
    compile_config = model.get_compile_config()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["model_config"] = json.dumps({"class_name": config["class_name"],
                                              "config": config["config"]})
        if compile_config:
            cc = to_keras(checks.jsonable(compile_config, "compile_config"))
            training = {k: v for k, v in cc.items() if k != "optimizer"}
            training["optimizer_config"] = {k: cc["optimizer"][k] for k in ("class_name",
                                                                            "config")}
            f.attrs["training_config"] = json.dumps(training)
        group = f.create_group("model_weights")
        group.attrs["backend"] = "tensorflow"
        group.attrs["keras_version"] = KERAS_VERSION
        layers = list(model.layers)
        group.attrs["layer_names"] = np.asarray([l.name.encode() for l in layers])
        for layer in sorted(layers, key=lambda l: l.name):
            weights = _weights(layer)
            names = [f"{model.name}/{layer.name}/{w.name.split('/')[-1].split(':')[0]}"
                     for w in weights]
            lg = group.create_group(layer.name)
            lg.attrs["weight_names"] = np.asarray([n.encode() for n in names])
            for name, w in zip(names, weights):
                lg.create_dataset(name, data=np.asarray(w.numpy()))
    archive.atomic_write(path, lambda f: f.write(buf.getvalue()))


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _with_modules(config, module):
    """Keras' legacy files name a model's layers by class alone; the .keras schema tfx reads
    gives each its module: add it (layers of nested models included)."""
    if not isinstance(config, dict):
        return config
    out = dict(config)
    if "class_name" in out and "module" not in out:
        out["module"] = module
    inner = out.get("config")
    if isinstance(inner, dict) and isinstance(inner.get("layers"), list):
        inner = dict(inner)
        inner["layers"] = [_with_modules(layer, "keras.layers" if not (
            isinstance(layer, dict) and layer.get("class_name") in ("Sequential", "Functional",
                                                                    "Model")) else "keras")
                           for layer in inner["layers"]]
        out["config"] = inner
    return out


def load_legacy_h5(path, custom_objects=None, compile=True, safe_mode=True):
    """A tfx model from a Keras legacy .h5 model file."""
    from .model_io import _compile, _rebuild
    h5py = _h5py()
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.startswith(b"\x89HDF\r\n\x1a\n"):
        raise _bad(path, "not an HDF5 file")
    try:
        f = h5py.File(io.BytesIO(data), "r")
    except Exception as e:  # noqa: BLE001 - h5py raises many kinds
        raise _bad(path, f"unreadable HDF5 ({type(e).__name__}: {e})"[:300]) from None
    with f:
        if "model_config" not in f.attrs:
            raise _bad(path, "no model_config attribute: this is a weights file, not a model "
                             "(use model.load_weights)")
        config = archive.parse_json(path, "model_config", _text(f.attrs["model_config"])
                                    .encode())
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise _bad(path, "model_config must hold a 'class_name' and a 'config'")
        config = from_keras(_with_modules(config, "keras"), path)
        checks.refuse_lambdas(path, config, safe_mode)
        training = None
        if "training_config" in f.attrs:
            training = archive.parse_json(path, "training_config",
                                          _text(f.attrs["training_config"]).encode())
        if "model_weights" not in f:
            raise _bad(path, "no model_weights group")
        group = f["model_weights"]
        budget = [len(data)]
        stored = {}
        for name in [_text(n) for n in group.attrs.get("layer_names", [])]:
            if name not in group:
                raise _bad(path, f"layer {name!r} is listed but has no weights group")
            lg = group[name]
            keys = [_text(n) for n in lg.attrs.get("weight_names", [])]
            stored[name] = [_dataset_array(path, k, lg[k], budget) for k in keys]
    top = {"class_name": config["class_name"], "config": config["config"]}
    if training:
        cc = dict(training)
        cc["optimizer"] = from_keras(cc.pop("optimizer_config", None), path)
        top["compile_config"] = from_keras(cc, path)
    with _reg.custom_object_scope(custom_objects or {}), lambdas.loading(safe_mode):
        model = _rebuild(path, top, {}, custom_objects, len(data))
        with_weights = [l for l in model.layers if _weights(l)]
        saved = [(n, v) for n, v in stored.items() if v]
        if len(with_weights) != len(saved):
            raise _bad(path, f"the file holds weights for {len(saved)} layers, the model has "
                             f"{len(with_weights)} layers with weights")
        for layer, (name, values) in zip(with_weights, saved):
            weights = _weights(layer)
            if len(values) != len(weights) or any(tuple(v.shape) != tuple(w.shape)
                                                  for v, w in zip(values, weights)):
                raise _bad(path, f"layer {layer.name!r}: the file holds "
                                 f"{[tuple(v.shape) for v in values]} under {name!r}, the "
                                 f"model needs {[tuple(w.shape) for w in weights]}")
            for w, v in zip(weights, values):
                w.assign(v.astype(w.dtype.name, copy=False))
        if compile and top.get("compile_config"):
            _compile(path, model, top, {}, custom_objects)
    return model
