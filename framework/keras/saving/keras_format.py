"""Keras 3 model files (``.keras``) and weights files (``.weights.h5``), read and written.

A ``.keras`` file is a zip of ``config.json`` (Keras 3's schema: see ``keras_config``),
``metadata.json`` (``keras_version``, ``date_saved``) and ``model.weights.h5``, an HDF5 file
laid out as Keras lays it out (see ``keras_paths``): ``layers/dense/vars/0`` and so on, the
optimizer's variables under ``optimizer/vars/<i>`` in Keras' slot order. A ``.weights.h5``
file is that HDF5 file alone.

The safety rules are those of ``.tfx`` files: names resolve only through ``custom_objects``,
scopes, the registry and tfx's built-ins; nothing named by a file is imported; Lambda code is
never run from a Keras file; HDF5 is read through h5py (which stores data only) with links,
external storage and non-numeric data refused and every size bounded before it is read.
h5py is optional: ``pip install "tfx[keras]"``.
"""
import datetime
import io
import os
import warnings
import zipfile

import numpy as np  # host arrays for the HDF5 file (conversion at the edge)

from ... import registry as _reg
from ..._version import __version__
from ...errors import ModelFormatError
from . import archive, lambdas
from . import config_checks as checks
from .keras_config import from_keras, to_keras
from .keras_paths import keras_paths, keras_trainable_variables
from .serialization import serialize_keras_object
from .weight_paths import allocation_budget, assign_arrays

__all__ = ["save_keras", "load_keras", "save_keras_weights", "load_keras_weights",
           "KERAS_SUFFIX", "KERAS_WEIGHTS_SUFFIX"]

KERAS_SUFFIX = ".keras"
KERAS_WEIGHTS_SUFFIX = ".weights.h5"
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
ENTRIES = (CONFIG, METADATA, WEIGHTS)
KERAS_VERSION = "3.15.1"   # the Keras release whose file layout this module writes
OPTIMIZER = "optimizer/"
MAX_H5_OBJECTS = 1 << 20   # groups + datasets: real models hold far fewer
MAX_H5_DEPTH = 64
MAX_H5_RATIO = 500         # logical bytes of compressed datasets / file bytes
_SLACK = 1 << 20           # weight values a rebuild may create beyond those in the file


def _bad(path, reason):
    return ModelFormatError(None, None, f"{path}: {reason}")


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError('Keras files (.keras, .weights.h5) need h5py: pip install '
                          '"tfx[keras]" (or pip install h5py).') from None
    return h5py


# ---- optimizer slots: tfx's build order <-> Keras' ----------------------------------------------

def _slot_owners(opt, built_on):
    """For each optimizer variable, (index in ``built_on`` of the variable it is a slot of,
    slot name), or (None, None) for iteration, learning rate and other scalars. Slots are
    named ``<variable path>_<slot>`` (``add_variable_from_reference``)."""
    prefixes = [v.path.replace("/", "_").replace(":", "_") + "_" for v in built_on]
    out = []
    for var in opt.variables:
        name = var._name
        best = [j for j, p in enumerate(prefixes) if name.startswith(p)]
        if not best:
            out.append((None, None))
            continue
        longest = max(len(prefixes[j]) for j in best)
        best = [j for j in best if len(prefixes[j]) == longest]
        if len(best) > 1:
            raise ValueError(f"Optimizer variable {name!r} could belong to several model "
                             "variables (their paths coincide): give the layers distinct names.")
        out.append((best[0], name[longest:]))
    return out


def keras_slot_order(model, opt):
    """``opt.variables`` rearranged into the positions Keras gives them: Keras builds the
    optimizer on its own order of ``trainable_variables``. None when the two sets differ."""
    built_on = list(getattr(opt, "_trainable_variables", ()))
    variables = list(opt.variables)
    if not built_on:
        return variables
    keras_order = keras_trainable_variables(model)
    if [id(v) for v in keras_order] == [id(v) for v in built_on]:
        return variables
    if sorted(id(v) for v in keras_order) != sorted(id(v) for v in built_on):
        return None
    owners = _slot_owners(opt, built_on)
    by_slot = {(j, slot): v for v, (j, slot) in zip(variables, owners) if j is not None}
    index = {id(v): j for j, v in enumerate(built_on)}
    return [v if j is None else by_slot[(index[id(keras_order[j])], slot)]
            for v, (j, slot) in zip(variables, owners)]


# ---- writing -----------------------------------------------------------------------------------

def _host(var):
    return np.array(var.numpy(), order="C", copy=None)


def _keras_array(owner, var):
    """A variable's value as Keras stores it. tfx's Normalization keeps its statistics in
    the broadcast shape ``(1, features)``; Keras keeps only the kept axes."""
    a = _host(var)
    axis = getattr(owner, "axis", None)
    if type(owner).__name__ == "Normalization" and owner.__module__.startswith("tfx.") and \
            a.ndim and isinstance(axis, tuple):
        kept = {ax % a.ndim for ax in axis}
        a = a.reshape([d for i, d in enumerate(a.shape) if i in kept])
    return a


def _nonunit(shape):
    return [d for d in shape if d != 1]


def _fit_arrays(named, arrays):
    """Arrays reshaped where they differ from the variable only by axes of length 1 (Keras'
    and tfx's layouts of the same statistics), integers cast to the variable's integer type
    (Keras' counters are int32 or int64 by backend) when the values fit."""
    for key, var in named.items():
        a = arrays.get(key)
        if a is None:
            continue
        shape, want = tuple(var._v.shape), var._dtype._np
        if a.shape != shape and a.size == var._v.size and _nonunit(a.shape) == _nonunit(shape):
            a = a.reshape(shape)
        if a.dtype != want and a.dtype.kind in "iu" and np.dtype(want).kind in "iu" and (
                a.size == 0 or (np.iinfo(want).min <= a.min() and a.max() <= np.iinfo(want).max)):
            a = a.astype(want)
        arrays[key] = a
    return arrays


def h5_bytes(model, include_optimizer):
    """``model.weights.h5``'s bytes for ``model`` (and its optimizer's state)."""
    h5py = _h5py()
    opt = getattr(model, "optimizer", None)
    with_opt = include_optimizer and opt is not None and getattr(model, "compiled", False)
    paths = keras_paths(model, include_optimizer=with_opt)
    arrays = {k: _keras_array(paths.owners[k], v) for k, v in paths.variables.items()
              if not k.startswith(OPTIMIZER)}
    if with_opt:
        order = keras_slot_order(model, opt)
        if order is None:
            warnings.warn("The optimizer was built on other variables than the model's "
                          "trainable ones: its state is not saved.", stacklevel=4)
            paths.groups = {k: v for k, v in paths.groups.items() if not k.startswith(OPTIMIZER)}
        else:
            arrays.update({f"{OPTIMIZER}vars/{i}": _host(v) for i, v in enumerate(order)})
    for key, a in arrays.items():
        if a.dtype == object or a.dtype.kind not in "biuf":
            raise TypeError(f"Cannot save weight {key!r} of dtype {a.dtype} to HDF5.")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for group, name in paths.groups.items():
            f.require_group(group).attrs["name"] = name
        for key, a in arrays.items():
            f.create_dataset(key, data=a)
    return buf.getvalue()


def keras_entries(model, include_optimizer=True, save_lambda=False):
    checks.check_lambdas(model, save_lambda)
    checks.check_round_trips(model)
    config = serialize_keras_object(model)
    config["build_config"] = model.get_build_config()
    config["compile_config"] = model.get_compile_config()
    config = to_keras(checks.jsonable(config, "config"))
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime(
        "%Y-%m-%d@%H:%M:%S"), "tfx_version": __version__}
    return {METADATA: archive.dump_json(metadata), CONFIG: archive.dump_json(config),
            WEIGHTS: h5_bytes(model, include_optimizer)}


def save_keras(model, path, include_optimizer=True, save_lambda=False):
    """Write ``model`` as a Keras 3 ``.keras`` zip, atomically."""
    entries = keras_entries(model, include_optimizer, save_lambda)

    def write(f):
        with zipfile.ZipFile(f, "w", allowZip64=True) as zf:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_STORED if name == WEIGHTS else \
                    zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.atomic_write(path, write)


def save_keras_weights(model, path):
    """Write ``model``'s weights (not its optimizer's) as Keras' ``.weights.h5``."""
    data = h5_bytes(model, include_optimizer=False)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    archive.atomic_write(path, lambda f: f.write(data))


# ---- reading HDF5 ------------------------------------------------------------------------------

def _dataset_array(path, key, ds, budget):
    h5py = _h5py()
    dt = ds.dtype
    if dt.kind not in "biuf" or dt.fields is not None or h5py.check_dtype(vlen=dt) or \
            h5py.check_dtype(enum=dt) or dt.itemsize > 16:
        raise _bad(path, f"HDF5 dataset {key!r} holds {dt}: only numbers are read")
    if ds.attrs.get("dtype") is not None:
        raise _bad(path, f"HDF5 dataset {key!r} is stored as {ds.attrs.get('dtype')!r}, "
                         "which tfx does not read")
    if ds.external or ds.is_virtual:
        raise _bad(path, f"HDF5 dataset {key!r} keeps its data outside the file")
    if ds.shape is None or len(ds.shape) > 32:
        raise _bad(path, f"HDF5 dataset {key!r} has no valid shape")
    nbytes = int(np.prod(ds.shape, dtype=np.int64)) * dt.itemsize
    if nbytes > budget[0]:
        raise _bad(path, f"HDF5 dataset {key!r} declares {nbytes} bytes, more than the file "
                         "can hold")
    budget[0] -= nbytes
    try:
        a = ds[()]
    except Exception as e:  # noqa: BLE001 - h5py raises OSError, ValueError, KeyError ...
        raise _bad(path, f"HDF5 dataset {key!r} is corrupted ({type(e).__name__}: {e})"[:500]
                   ) from None
    a = np.asarray(a)
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def read_h5(path, data):
    """``{dataset path: array}`` of an HDF5 weights file; ModelFormatError for anything but
    groups and numeric datasets, or for sizes the file cannot back."""
    h5py = _h5py()
    if not data.startswith(b"\x89HDF\r\n\x1a\n"):
        raise _bad(path, "the weights are not an HDF5 file")
    # Declared sizes count against 500 times the file's size: compressed data expands, and
    # a dataset never written reads as fill values of whatever size it declares.
    budget = [len(data) * MAX_H5_RATIO]
    arrays, count, seen = {}, [0], set()
    try:
        f = h5py.File(io.BytesIO(data), "r")
    except Exception as e:  # noqa: BLE001 - OSError and friends for corrupt files
        raise _bad(path, f"the weights are not a valid HDF5 file ({type(e).__name__}: {e})"
                   [:500]) from None
    with f:
        def walk(group, prefix, depth):
            if depth > MAX_H5_DEPTH:
                raise _bad(path, f"HDF5 groups nest deeper than {MAX_H5_DEPTH} levels")
            for name in group:
                count[0] += 1
                if count[0] > MAX_H5_OBJECTS:
                    raise _bad(path, f"the HDF5 file holds more than {MAX_H5_OBJECTS} objects")
                key = f"{prefix}{name}"
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    raise _bad(path, f"HDF5 entry {key!r} is a link ({type(link).__name__}); "
                                     "links are refused")
                obj = group.get(name)
                if obj.id in seen:  # hard links to one object: cycles, repeated data
                    raise _bad(path, f"HDF5 entry {key!r} links to an object seen before")
                seen.add(obj.id)
                if isinstance(obj, h5py.Group):
                    walk(obj, key + "/", depth + 1)
                elif isinstance(obj, h5py.Dataset):
                    arrays[key] = _dataset_array(path, key, obj, budget)
                else:
                    raise _bad(path, f"HDF5 entry {key!r} is neither a group nor a dataset")
        try:
            walk(f, "", 0)
        except ModelFormatError:
            raise
        except Exception as e:  # noqa: BLE001 - a corrupt tree surfaces as many kinds
            raise _bad(path, f"the HDF5 file is corrupted ({type(e).__name__}: {e})"[:500]
                       ) from None
    return arrays


# ---- loading -----------------------------------------------------------------------------------

def is_keras_folder(path):
    """A folder as ``keras.Model.save(path, zipped=False)`` writes it."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, WEIGHTS)) and \
        not os.path.exists(os.path.join(path, archive.WEIGHTS))


def _read_entries(path, need=ENTRIES):
    if not os.path.isdir(path):
        with open(path, "rb") as f:
            if f.read(4) != b"PK\x03\x04":
                raise _bad(path, "not a Keras model file (not a zip archive)")
    return archive.read_container(path, need=need, allowed=ENTRIES)


def _read_config(path, data, safe_mode):
    """config.json in tfx's schema; Keras' bytecode lambdas refused whatever ``safe_mode``."""
    from .model_io import _read_config as read
    raw = read(path, data)
    if _has_bytecode(raw):
        checks.refuse_lambdas(path, raw, safe_mode)
        raise _bad(path, "a Lambda layer holds Python bytecode (Keras' way of saving a "
                         "lambda): tfx never runs bytecode from a file. Rebuild that layer "
                         "with a named function registered on both sides.")
    config = from_keras(raw, path)
    checks.refuse_lambdas(path, config, safe_mode)
    checks.check_input_shapes(path, config)
    return config


def _has_bytecode(config):
    return any(d.get("class_name") == lambdas._TAG and isinstance(d.get("config"), dict) and
               "code" in d["config"] for _, d in checks.walk(config))


def _load_optimizer_state(path, model, opt_arrays):
    opt = model.optimizer
    if not opt.built and len(opt_arrays) > len(opt.variables):
        opt.build(model.trainable_variables)
    order = keras_slot_order(model, opt)
    if order is None or len(order) != len(opt_arrays):
        warnings.warn(f"{path}: the saved optimizer has {len(opt_arrays)} variables, this one "
                      f"{len(opt.variables)}: its state was not loaded.", stacklevel=4)
        return
    named = {f"{OPTIMIZER}vars/{i}": v for i, v in enumerate(order)}
    assign_arrays(path, named, _fit_arrays(named, opt_arrays), what="optimizer variables")


def _split(arrays):
    opt = {k: arrays.pop(k) for k in list(arrays) if k.startswith(OPTIMIZER)}
    # A LossScaleOptimizer's vars already hold its inner optimizer's (Keras writes them twice).
    opt = {k: v for k, v in opt.items() if not k.startswith(OPTIMIZER + "inner_optimizer/")}
    return arrays, opt


def load_keras(path, custom_objects=None, compile=True, safe_mode=True):
    """A tfx model from a Keras 3 ``.keras`` file (zip, or a folder of the same entries)."""
    from .model_io import _compile, _rebuild
    _h5py()
    entries = _read_entries(path)
    archive.parse_json(path, METADATA, entries[METADATA])
    config = _read_config(path, entries[CONFIG], safe_mode)
    arrays, opt_arrays = _split(read_h5(path, entries[WEIGHTS]))
    del entries
    budget = sum(a.size for a in arrays.values()) + _SLACK
    with _reg.custom_object_scope(custom_objects or {}), lambdas.loading(safe_mode):
        model = _rebuild(path, config, {}, custom_objects, budget)
        named = keras_paths(model, include_optimizer=False).variables
        assign_arrays(path, named, _fit_arrays(named, arrays))
        if compile and config.get("compile_config"):
            _compile(path, model, config, {}, custom_objects)
            if opt_arrays:
                _load_optimizer_state(path, model, opt_arrays)
    return model


def load_keras_weights(model, path, skip_mismatch=False):
    """Load a ``.weights.h5`` file (or a ``.keras`` file's weights) into ``model``; the
    optimizer's state too when the file has it and the model is compiled, as Keras does."""
    _h5py()
    if path.endswith(KERAS_SUFFIX):
        data = _read_entries(path, need=(WEIGHTS,))[WEIGHTS]
    else:
        data = archive.read_file(path)
    arrays, opt_arrays = _split(read_h5(path, data))
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built: call it on a batch or "
                         "model.build(input_shape) before loading Keras weights.")
    named = keras_paths(model, include_optimizer=False).variables
    with allocation_budget(sum(a.size for a in arrays.values()) + _SLACK, path):
        assign_arrays(path, named, _fit_arrays(named, arrays), skip_mismatch=skip_mismatch)
    if opt_arrays and getattr(model, "compiled", False) and model.optimizer is not None:
        _load_optimizer_state(path, model, opt_arrays)
