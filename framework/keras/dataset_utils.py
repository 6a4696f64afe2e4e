"""Data helpers of ``keras.utils``: ``timeseries_dataset_from_array``, ``split_dataset`` and
``get_file``."""
import os
import shutil

import numpy as np  # host-side index arithmetic on the arrays users pass in

from ..core.tensor import TensorBase

__all__ = ["timeseries_dataset_from_array", "split_dataset", "get_file"]


def _host(x):
    return x.numpy() if isinstance(x, TensorBase) else np.asarray(x)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):  # noqa: A002
    """Sliding windows over ``data`` as a ``tfx.data.Dataset`` of batches: window ``i``
    holds ``data[s, s + r, ..., s + (sequence_length - 1) r]`` (``r`` = sampling_rate) and
    its target is ``targets[s]``. ``format``: "tf" only (Keras' "grain" needs Grain, which
    tfx does not use)."""
    from ..data import Dataset
    _check_format(format)
    if sequence_length < 1 or sampling_rate < 1 or sequence_stride < 1:
        raise ValueError("`sequence_length`, `sampling_rate` and `sequence_stride` must be "
                         f"positive. Received: sequence_length={sequence_length}, "
                         f"sampling_rate={sampling_rate}, sequence_stride={sequence_stride}")
    data = _host(data)
    start = 0 if start_index is None else start_index
    end = len(data) if end_index is None else end_index
    if targets is not None:
        targets = _host(targets)
        end = min(end, len(targets))
    span = (sequence_length - 1) * sampling_rate
    starts = np.arange(start, end - span, sequence_stride)
    if shuffle:
        rng = np.random.default_rng(seed)
        starts = starts[rng.permutation(len(starts))]
    offsets = np.arange(sequence_length) * sampling_rate
    windows = data[starts[:, None] + offsets[None, :]] if len(starts) else \
        np.zeros((0, sequence_length) + data.shape[1:], data.dtype)
    if targets is None:
        ds = Dataset.from_tensor_slices(windows)
    else:
        ds = Dataset.from_tensor_slices((windows, targets[starts]))
    return ds.batch(batch_size) if batch_size is not None else ds


def _check_format(format):  # noqa: A002
    if format == "grain":
        raise ValueError('format="grain" is not supported: tfx builds tfx.data datasets '
                         '(format="tf").')
    if format != "tf":
        raise ValueError(f'`format` should be either "tf" or "grain". Received: '
                         f'format={format}')


def _sizes(total, left_size, right_size):
    def count(v, name):
        if v is None:
            return None
        if isinstance(v, float):
            if not 0 < v < 1:
                raise ValueError(f"`{name}` as a fraction must be in (0, 1). Received: "
                                 f"{name}={v}")
            return int(round(v * total))
        if not isinstance(v, int) or v < 0:
            raise ValueError(f"`{name}` must be a non-negative int or a float fraction. "
                             f"Received: {name}={v}")
        return v
    left, right = count(left_size, "left_size"), count(right_size, "right_size")
    if left is None and right is None:
        raise ValueError("At least one of `left_size` or `right_size` must be specified.")
    if left is None:
        left = total - right
    if right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` ({left + right}) exceeds "
                         f"the number of samples ({total}).")
    return left, right


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Two ``tfx.data.Dataset``s of samples from arrays, a tuple of arrays or a dataset
    (sizes: counts or fractions; one may be left out). ``preferred_backend``: as Keras, any
    value but "torch" gives datasets of the TensorFlow kind (here tfx.data); "torch" is not
    supported."""
    from ..data import Dataset
    if preferred_backend == "torch":
        raise ValueError('preferred_backend="torch" is not supported: tfx splits into '
                         'tfx.data datasets.')
    if isinstance(dataset, Dataset):
        items = list(dataset.as_numpy_iterator())
        if items and isinstance(items[0], tuple):
            arrays = tuple(np.stack([it[k] for it in items]) for k in range(len(items[0])))
        else:
            arrays = np.stack(items) if items else np.zeros((0,))
    elif isinstance(dataset, (list, tuple)) and dataset and \
            all(hasattr(a, "shape") or isinstance(a, (list, np.ndarray)) for a in dataset):
        arrays = tuple(_host(a) for a in dataset)
    else:
        arrays = _host(dataset)
    first = arrays[0] if isinstance(arrays, tuple) else arrays
    total = len(first)
    left, right = _sizes(total, left_size, right_size)
    order = np.arange(total)
    if shuffle:
        order = np.random.default_rng(seed).permutation(total)
    parts = order[:left], order[total - right:] if right else order[:0]

    def take(idx):
        if isinstance(arrays, tuple):
            return Dataset.from_tensor_slices(tuple(a[idx] for a in arrays))
        return Dataset.from_tensor_slices(arrays[idx])
    return take(parts[0]), take(parts[1])


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """A local copy of ``origin`` in the cache folder (``$KERAS_HOME/datasets``, by default
    ``~/.keras/datasets``), downloaded once; ``origin`` may also be a local path or ``file://``
    URL. A download goes to a temporary file that is renamed only once complete and, given
    ``file_hash``, verified. ``extract=True`` unpacks an archive next to it and returns that
    folder."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if cache_dir is None:
        cache_dir = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".keras")
    folder = os.path.join(os.path.expanduser(cache_dir), cache_subdir)
    os.makedirs(folder, exist_ok=True)
    given = fname
    fname = fname or os.path.basename(origin.rstrip("/"))
    target, out = os.path.join(folder, fname), None
    if extract or untar:  # Keras 3's cache layout, so files it cached are found here too
        if given and "." not in fname:
            target, out = target + "_archive", target
        else:
            out = os.path.join(folder, fname[:fname.find(".")] if "." in fname else fname)
            out = out + "_extracted" if given or "." in fname else out
    source = origin[len("file://"):] if origin.startswith("file://") else origin
    expected = file_hash or md5_hash
    algo = hash_algorithm if hash_algorithm != "auto" else (
        "sha256" if expected and len(expected) == 64 else "md5")
    if os.path.exists(source):
        if force_download or not os.path.exists(target) or \
                os.path.abspath(source) != os.path.abspath(target):
            shutil.copyfile(source, target)
    elif not os.path.exists(target) or force_download:
        _download(origin, target)
    elif expected and _digest(target, algo) != expected:
        _download(origin, target)  # an outdated or partial copy: fetch it again, as Keras
    if expected and _digest(target, algo) != expected:
        raise ValueError(f"get_file: {target} does not match the expected {algo} hash "
                         f"{expected}: the file is corrupt or not the one expected.")
    if out is not None:
        if not os.path.exists(out):
            tmp = out + ".partial"
            shutil.rmtree(tmp, ignore_errors=True)
            try:  # "data": no member may land outside the folder (absolute paths, "..")
                shutil.unpack_archive(target, tmp, _archive_format(target, archive_format),
                                      filter="data")
            except TypeError:  # Python without extraction filters
                shutil.unpack_archive(target, tmp, _archive_format(target, archive_format))
            os.replace(tmp, out)
        return out
    return target


def _archive_format(path, archive_format):
    """shutil's format name for ``path`` (Keras' archives often have no extension)."""
    if archive_format not in ("auto", None):
        return {"tar": "gztar" if path.endswith("gz") else "tar"}.get(archive_format,
                                                                       archive_format)
    import tarfile
    import zipfile
    if zipfile.is_zipfile(path):
        return "zip"
    if tarfile.is_tarfile(path):
        return "tar" if not _gzipped(path) else "gztar"
    raise ValueError(f"get_file: {path} is not a zip or tar archive")


def _gzipped(path):
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _download(origin, target):
    import tempfile
    import urllib.error
    import urllib.request
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=60) as r:
            shutil.copyfileobj(r, out, 1 << 20)
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise OSError(f"get_file: could not download {origin} ({e}). Place the file at "
                      f"{target}, or pass a local path or file:// URL as `origin`.") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _digest(path, algo):
    import hashlib
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
