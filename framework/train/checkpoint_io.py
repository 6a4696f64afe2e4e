"""Checkpoint files: ``<prefix>.index`` (JSON: the object graph) and
``<prefix>.data-00000-of-00001`` (safetensors: the values).

The names are TensorFlow's, the contents tfx's own. Both files are written to temporary files
and renamed, the index last: a reader (or a crash) never sees an index whose data is not
complete. The index records the data file's size and SHA-256, so an overwrite interrupted
between the two renames is refused rather than read. Loading parses JSON and safetensors
only: nothing in a file is executed, and every field is checked before it is used.
"""
import hashlib
import json
import os

from ..errors import DataLossError, NotFoundError

__all__ = ["FORMAT", "VERSION", "write_checkpoint", "read_index", "read_values",
           "SavedCheckpoint", "index_path", "data_path"]

FORMAT = "tfx.train.Checkpoint"
VERSION = 1
INDEX_CAP = 256 << 20
DATA_SUFFIX = ".data-00000-of-00001"


def index_path(prefix):
    return prefix + ".index"


def data_path(prefix):
    return prefix + DATA_SUFFIX


def _archive():
    # The byte-level helpers (atomic rename, capped reads, checked safetensors headers) are
    # the model files'; one implementation serves both.
    from ..keras.saving import archive
    return archive


def write_checkpoint(prefix, nodes, arrays):
    """Write ``arrays`` ({key: numpy array}) and the index holding ``nodes``; returns
    ``prefix``."""
    archive = _archive()
    folder = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(folder, exist_ok=True)
    data = archive.encode_tensors(arrays, {"format": FORMAT})
    archive.atomic_write(data_path(prefix), lambda f: f.write(data))
    index = {"format": FORMAT, "version": VERSION,
             "data": {"file": os.path.basename(data_path(prefix)), "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()},
             "nodes": nodes}
    text = json.dumps(index, separators=(",", ":")).encode("utf-8")
    archive.atomic_write(index_path(prefix), lambda f: f.write(text))
    return prefix


def _bad(prefix, reason):
    return DataLossError(None, None, f"Unable to read checkpoint {prefix}: {reason}")


def _require(cond, prefix, reason):
    if not cond:
        raise _bad(prefix, reason)


def _is_int(x):
    return type(x) is int and x >= 0


class SavedCheckpoint:
    """A parsed index: ``nodes`` (each ``{"children": [[name, id]], "variable": {...},
    "slots": [[original id, name, slot id]]}``) and the data file's description."""

    def __init__(self, prefix, index):
        self.prefix = prefix
        self.nodes = index["nodes"]
        self.data = index["data"]
        self.children = [{name: child for name, child in node.get("children", ())}
                         for node in self.nodes]

    def variables(self):
        """``{key: (shape tuple, dtype name)}`` in file order."""
        return {n["variable"]["key"]: (tuple(n["variable"]["shape"]), n["variable"]["dtype"])
                for n in self.nodes if "variable" in n}


def read_index(prefix):
    """The checked index of the checkpoint at ``prefix``; NotFoundError when there is none,
    DataLossError when it is not a tfx checkpoint index or is inconsistent."""
    path = index_path(prefix)
    if not os.path.isfile(path):
        raise NotFoundError(None, None, f"Error when restoring from checkpoint at {prefix}: "
                            f"no checkpoint index {path}. Please double-check that the path is "
                            "correct. You may be missing the checkpoint suffix (e.g. the '-1' "
                            "in 'path/to/ckpt-1').")
    archive = _archive()
    try:
        raw = archive.read_file(path, cap=INDEX_CAP)
    except archive.ModelFormatError as e:
        raise _bad(prefix, str(e)) from None
    try:
        index = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _bad(prefix, f"the index is not a tfx checkpoint (not JSON: {e})"[:300]) from None
    _require(isinstance(index, dict) and index.get("format") == FORMAT, prefix,
             f"the index is not a tfx checkpoint (no \"format\": \"{FORMAT}\")")
    version = index.get("version")
    _require(type(version) is int, prefix, "the index has no integer version")
    _require(version <= VERSION, prefix, f"the index has format version {version}; this tfx "
             f"reads version {VERSION} and older (written by a newer tfx?)")
    data = index.get("data")
    _require(isinstance(data, dict) and isinstance(data.get("file"), str) and
             _is_int(data.get("bytes")) and isinstance(data.get("sha256"), str), prefix,
             "the index does not describe its data file")
    _require(os.path.basename(data["file"]) == data["file"] and data["file"] not in ("", ".",
             ".."), prefix, f"the data file name {data['file']!r} is not a plain file name")
    nodes = index.get("nodes")
    _require(isinstance(nodes, list) and nodes, prefix, "the index has no object graph")
    _check_nodes(prefix, nodes)
    return SavedCheckpoint(prefix, index)


def _check_nodes(prefix, nodes):
    n = len(nodes)
    keys = set()
    for i, node in enumerate(nodes):
        _require(isinstance(node, dict), prefix, f"node {i} is not an object")
    for i, node in enumerate(nodes):
        children = node.get("children", [])
        _require(isinstance(children, list) and all(
            isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and _is_int(c[1])
            and c[1] < n for c in children), prefix, f"node {i} has malformed children")
        var = node.get("variable")
        if var is not None:
            _require(isinstance(var, dict) and isinstance(var.get("key"), str) and
                     isinstance(var.get("dtype"), str) and isinstance(var.get("shape"), list)
                     and all(_is_int(d) for d in var["shape"]), prefix,
                     f"node {i} has a malformed variable entry")
            _require(var["key"] not in keys, prefix, f"key {var['key']!r} appears twice")
            keys.add(var["key"])
        slots = node.get("slots", [])
        _require(isinstance(slots, list) and all(
            isinstance(s, list) and len(s) == 3 and _is_int(s[0]) and s[0] < n and
            isinstance(s[1], str) and _is_int(s[2]) and s[2] < n and
            "variable" in nodes[s[2]] for s in slots), prefix, f"node {i} has malformed slots")


def read_values(saved):
    """``{key: numpy array}`` of a checkpoint, each checked against its index entry."""
    archive = _archive()
    prefix = saved.prefix
    path = os.path.join(os.path.dirname(prefix), saved.data["file"])
    if not os.path.isfile(path):
        raise _bad(prefix, f"the data file {path} is missing")
    try:
        raw = archive.read_file(path)
    except archive.ModelFormatError as e:
        raise _bad(prefix, str(e)) from None
    _require(len(raw) == saved.data["bytes"] and
             hashlib.sha256(raw).hexdigest() == saved.data["sha256"], prefix,
             f"the data file {path} does not match the index (truncated, altered, or an "
             "interrupted overwrite)")
    try:
        arrays, _ = archive.decode_tensors(path, raw)
    except archive.ModelFormatError as e:
        raise _bad(prefix, str(e)) from None
    for key, (shape, dtype) in saved.variables().items():
        a = arrays.get(key)
        _require(a is not None, prefix, f"the data file holds no tensor for {key!r}")
        _require(tuple(a.shape) == shape and a.dtype.name == dtype, prefix,
                 f"tensor {key!r} has shape {tuple(a.shape)} dtype {a.dtype.name} in the data "
                 f"file but shape {shape} dtype {dtype} in the index")
    return arrays
