"""``tfx.saved_model.Asset``: a file a SavedModel carries (a vocabulary, a config), as
``tf.saved_model.Asset``.

``asset_path`` is a string Variable holding the file's path, so a ``tfx.function`` that reads
it (``tfx.io.read_file(asset.asset_path)``) reads a variable, not a constant frozen at trace
time. ``save`` copies the file into the SavedModel's ``assets/`` folder; ``load`` points the
restored ``asset_path`` at that copy, so the loaded functions read it wherever the folder was
moved.
"""
import os

from .. import dtypes as _dt
from ..core.variable import Variable

__all__ = ["Asset", "ASSETS_DIRECTORY"]

ASSETS_DIRECTORY = "assets"


class Asset:
    """A file tracked by the object that holds it (and saved with it)."""

    def __init__(self, path):
        if hasattr(path, "numpy"):
            path = path.numpy()
        if isinstance(path, bytes):
            path = path.decode("utf-8")
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Asset path must be a string or a path, got {type(path).__name__}")
        self._path = Variable(os.fspath(path), dtype=_dt.string, trainable=False,
                              name="asset_path")

    @property
    def asset_path(self):
        """The path (a scalar string Variable)."""
        return self._path

    def __repr__(self):
        return f"Asset({self._path.numpy().decode('utf-8', 'replace')!r})"
