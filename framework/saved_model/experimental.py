"""``tfx.saved_model.experimental``: ``VariablePolicy`` and SavedModel fingerprints
(``read_fingerprint``), as ``tf.saved_model.experimental``."""
import enum
import json
import os

from ..structures.string_hash import fingerprint64
from .saver import GRAPH_FILE, VARIABLES_FILE

__all__ = ["VariablePolicy", "Fingerprint", "read_fingerprint"]


class VariablePolicy(enum.Enum):
    """How variables' devices are saved (``SaveOptions(experimental_variable_policy=...)``);
    tfx saves values only, so every policy writes the same folder."""
    NONE = None
    SAVE_VARIABLE_DEVICES = "save_variable_devices"
    EXPAND_DISTRIBUTED_VARIABLES = "expand_distributed_variables"


class Fingerprint:
    """Hashes of a SavedModel's parts: two folders with equal fields hold the same program
    (``graph_def_program_hash``), signatures, object tree and variable values."""

    def __init__(self, saved_model_checksum=None, graph_def_program_hash=None,
                 signature_def_hash=None, saved_object_graph_hash=None, checkpoint_hash=None,
                 version=None):
        self.saved_model_checksum = saved_model_checksum
        self.graph_def_program_hash = graph_def_program_hash
        self.signature_def_hash = signature_def_hash
        self.saved_object_graph_hash = saved_object_graph_hash
        self.checkpoint_hash = checkpoint_hash
        self.version = version

    def singleprint(self):
        """The four content hashes joined with '/' (TensorFlow's single-string form)."""
        return "/".join(str(h) for h in (self.graph_def_program_hash, self.signature_def_hash,
                                         self.saved_object_graph_hash, self.checkpoint_hash))

    def __eq__(self, other):
        return isinstance(other, Fingerprint) and vars(self) == vars(other)

    def __repr__(self):
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items())
        return f"Fingerprint({fields})"


def _hash_json(value):
    return fingerprint64(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())


def read_fingerprint(export_dir):
    """The Fingerprint of the SavedModel at ``export_dir`` (FarmHash Fingerprint64 of each
    part). FileNotFoundError when the folder holds no SavedModel, as TensorFlow."""
    path = os.path.join(os.fspath(export_dir), GRAPH_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SavedModel Fingerprint Error: Could not find fingerprint in "
                                f"directory: {export_dir}")
    with open(path, "rb") as f:
        raw = f.read()
    doc = json.loads(raw.decode("utf-8"))
    with open(os.path.join(os.fspath(export_dir), VARIABLES_FILE), "rb") as f:
        checkpoint = fingerprint64(f.read())
    return Fingerprint(fingerprint64(raw),
                       _hash_json([doc.get("functions"), doc.get("concrete_functions")]),
                       _hash_json(doc.get("signatures")), _hash_json(doc.get("root")),
                       checkpoint, 1)
