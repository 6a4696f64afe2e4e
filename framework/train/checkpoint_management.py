"""``CheckpointManager``, the ``checkpoint`` state file of a directory, and reading saved
values without building objects (``list_variables``, ``load_variable``).

The state file is JSON (``{"model_checkpoint_path": "ckpt-3", "all_model_checkpoint_paths":
[...], ...}``), written atomically; paths in it are relative to its directory.
"""
import json
import os
import time

from ..errors import DataLossError, NotFoundError
from .checkpoint_io import data_path, index_path, read_index, read_values

__all__ = ["CheckpointManager", "latest_checkpoint", "get_checkpoint_state", "list_variables",
           "load_variable", "load_checkpoint", "checkpoints_iterator", "CheckpointReader",
           "CheckpointState"]

STATE_FILE = "checkpoint"
_STATE_FORMAT = "tfx.train.CheckpointState"


class CheckpointState:
    """The parsed state file: ``model_checkpoint_path``, ``all_model_checkpoint_paths``
    (absolute), their timestamps and ``last_preserved_timestamp``."""

    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths,
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self):
        return (f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r}, "
                f"all_model_checkpoint_paths={self.all_model_checkpoint_paths!r})")


def _state_path(directory):
    return os.path.join(os.fspath(directory), STATE_FILE)


def _resolve(directory, name):
    return name if os.path.isabs(name) else os.path.join(directory, name)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The directory's ``CheckpointState``, or None when it has no state file."""
    directory = os.fspath(checkpoint_dir)
    path = os.path.join(directory, latest_filename or STATE_FILE)
    if not os.path.isfile(path):
        return None
    from ..keras.saving import archive
    try:
        raw = archive.read_file(path, cap=16 << 20)
        state = json.loads(raw.decode("utf-8"))
    except (archive.ModelFormatError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise DataLossError(None, None, f"{path} is not a tfx checkpoint state file "
                            f"({type(e).__name__}: {e})"[:400]) from None
    ok = isinstance(state, dict) and state.get("format") == _STATE_FORMAT and \
        isinstance(state.get("model_checkpoint_path"), str) and \
        isinstance(state.get("all_model_checkpoint_paths"), list) and \
        all(isinstance(p, str) for p in state["all_model_checkpoint_paths"]) and \
        isinstance(state.get("all_model_checkpoint_timestamps", []), list) and \
        all(isinstance(t, (int, float)) for t in state.get("all_model_checkpoint_timestamps", []))
    if not ok:
        raise DataLossError(None, None, f"{path} is not a tfx checkpoint state file")
    last = state.get("last_preserved_timestamp")
    return CheckpointState(_resolve(directory, state["model_checkpoint_path"]),
                           [_resolve(directory, p) for p in state["all_model_checkpoint_paths"]],
                           state.get("all_model_checkpoint_timestamps", []),
                           last if isinstance(last, (int, float)) else None)


def _write_state(directory, paths, timestamps, last_preserved):
    from ..keras.saving import archive
    rel = [os.path.relpath(p, directory) if os.path.dirname(os.path.abspath(p)) ==
           os.path.abspath(directory) else p for p in paths]
    state = {"format": _STATE_FORMAT, "model_checkpoint_path": rel[-1],
             "all_model_checkpoint_paths": rel, "all_model_checkpoint_timestamps": timestamps,
             "last_preserved_timestamp": last_preserved}
    text = json.dumps(state, indent=1).encode("utf-8")
    archive.atomic_write(_state_path(directory), lambda f: f.write(text))


def _record_latest(path):
    """``Checkpoint.save``: the directory's state names ``path`` as its latest."""
    _write_state(os.path.dirname(os.path.abspath(path)), [os.path.abspath(path)],
                 [time.time()], time.time())


def _exists(prefix):
    return os.path.isfile(index_path(prefix))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (None if there is none)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not _exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def _prefix_of(ckpt_dir_or_file):
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return latest
    return path


def list_variables(ckpt_dir_or_file):
    """``[(key, shape list)]`` of the values in a checkpoint (a prefix or a directory),
    sorted by key."""
    saved = read_index(_prefix_of(ckpt_dir_or_file))
    return sorted((k, list(shape)) for k, (shape, _) in saved.variables().items())


def load_variable(ckpt_dir_or_file, name):
    """The saved value under ``name`` (a key from ``list_variables``) as a NumPy array."""
    if name.endswith(":0"):
        name = name[:-2]
    saved = read_index(_prefix_of(ckpt_dir_or_file))
    if name not in saved.variables():
        raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
    return read_values(saved)[name]


class CheckpointReader:
    """Saved values by key without building objects (what ``load_checkpoint`` returns)."""

    def __init__(self, prefix):
        self._saved = read_index(prefix)
        self._arrays = None

    def get_variable_to_shape_map(self):
        return {k: list(shape) for k, (shape, _) in self._saved.variables().items()}

    def get_variable_to_dtype_map(self):
        from .. import dtypes
        return {k: dtypes.as_dtype(d) for k, (_, d) in self._saved.variables().items()}

    def has_tensor(self, name):
        return name in self._saved.variables()

    def get_tensor(self, name):
        if not self.has_tensor(name):
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        if self._arrays is None:
            self._arrays = read_values(self._saved)
        return self._arrays[name]


def load_checkpoint(ckpt_dir_or_file):
    """A ``CheckpointReader`` of a checkpoint prefix (or a directory's latest)."""
    return CheckpointReader(_prefix_of(ckpt_dir_or_file))


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yield each new latest checkpoint of ``checkpoint_dir`` as it appears; stop after
    ``timeout`` seconds without one (unless ``timeout_fn()`` returns False)."""
    last = None
    while True:
        start = time.time()
        while True:
            path = latest_checkpoint(checkpoint_dir)
            if path is not None and path != last:
                break
            if timeout is not None and time.time() - start > timeout:
                if timeout_fn is None or timeout_fn():
                    return
                start = time.time()
            time.sleep(min(1.0, timeout) if timeout else 1.0)
        last = path
        yield path
        wait = min_interval_secs - (time.time() - start)
        if wait > 0:
            time.sleep(wait)


def _delete(prefix):
    for path in (index_path(prefix), data_path(prefix)):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


class CheckpointManager:
    """Numbered checkpoints in one directory, keeping the newest ``max_to_keep``
    (``tf.train.CheckpointManager``).

    Args: ``checkpoint`` (a ``Checkpoint``), ``directory``, ``max_to_keep`` (None keeps all),
    ``keep_checkpoint_every_n_hours`` (also keep one checkpoint per this many hours),
    ``checkpoint_name`` (file prefix, ``ckpt``), ``step_counter`` (numbers checkpoints and
    drives ``checkpoint_interval``), ``checkpoint_interval`` (save only every this many
    steps), ``init_fn`` (called by ``restore_or_initialize`` when there is no checkpoint).
    """

    def __init__(self, checkpoint, directory, max_to_keep=5, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None, last_checkpoint_step=None):
        from .checkpoint import Checkpoint
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"Expected a tf.train.Checkpoint, got {type(checkpoint)}.")
        if max_to_keep is not None and (not isinstance(max_to_keep, int) or max_to_keep <= 0):
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = last_checkpoint_step
        self._paths, self._timestamps = [], []
        self._last_preserved = time.time()
        state = get_checkpoint_state(self._directory)
        if state is not None:
            stamps = state.all_model_checkpoint_timestamps
            if len(stamps) != len(state.all_model_checkpoint_paths):
                stamps = [time.time()] * len(state.all_model_checkpoint_paths)
            for path, stamp in zip(state.all_model_checkpoint_paths, stamps):
                if _exists(path):
                    self._paths.append(path)
                    self._timestamps.append(stamp)
            if state.last_preserved_timestamp is not None:
                self._last_preserved = state.last_preserved_timestamp

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def checkpoints(self):
        """The prefixes of the managed checkpoints, oldest first."""
        return list(self._paths)

    @property
    def latest_checkpoint(self):
        return self._paths[-1] if self._paths else None

    def _step(self):
        return int(self._step_counter.numpy()) if hasattr(self._step_counter, "numpy") \
            else int(self._step_counter)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Save a checkpoint numbered ``checkpoint_number`` (default: ``step_counter``'s value,
        else ``save_counter``'s after incrementing it); delete the oldest beyond
        ``max_to_keep``. Returns the prefix, or None when ``checkpoint_interval`` skips it."""
        if self._checkpoint_interval is not None and check_interval:
            step = self._step()
            if self._last_checkpoint_step is not None and \
                    step - self._last_checkpoint_step < self._checkpoint_interval:
                return None
        if checkpoint_number is not None and hasattr(checkpoint_number, "numpy"):
            checkpoint_number = int(checkpoint_number.numpy())
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        if checkpoint_number is None:
            checkpoint_number = self._step() if self._step_counter is not None else \
                int(counter.numpy())
        path = self._checkpoint.write(f"{self._prefix}-{checkpoint_number}", options)
        if self._step_counter is not None:
            self._last_checkpoint_step = self._step()
        now = time.time()
        if path in self._paths:
            i = self._paths.index(path)
            del self._paths[i], self._timestamps[i]
        self._paths.append(path)
        self._timestamps.append(now)
        self._sweep()
        _write_state(self._directory, self._paths, self._timestamps, self._last_preserved)
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._paths) > self._max_to_keep:
            path, stamp = self._paths.pop(0), self._timestamps.pop(0)
            if self._keep_every is not None and \
                    stamp - self._last_preserved >= self._keep_every * 3600:
                self._last_preserved = stamp  # kept on disk, no longer managed
                continue
            _delete(path)

    def restore_or_initialize(self):
        """Restore the latest checkpoint and return its path; without one, call ``init_fn``
        (if given) and return None."""
        latest = self.latest_checkpoint
        if latest is not None:
            self._checkpoint.restore(latest)
            return latest
        if self._init_fn is not None:
            self._init_fn()
        return None
