"""Data helpers of ``keras.utils``: ``timeseries_dataset_from_array``, ``split_dataset`` and
``get_file`` (local files only: tfx never downloads)."""
import os
import shutil

import numpy as np  # host-side index arithmetic on the arrays users pass in

from ..core.tensor import TensorBase

__all__ = ["timeseries_dataset_from_array", "split_dataset", "get_file"]


def _host(x):
    return x.numpy() if isinstance(x, TensorBase) else np.asarray(x)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over ``data`` as a ``tfx.data.Dataset`` of batches: window ``i``
    holds ``data[s, s + r, ..., s + (sequence_length - 1) r]`` (``r`` = sampling_rate) and
    its target is ``targets[s]``."""
    from ..data import Dataset
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


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Two ``tfx.data.Dataset``s of samples from arrays, a tuple of arrays or a dataset
    (sizes: counts or fractions; one may be left out)."""
    from ..data import Dataset
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
    """A local copy of ``origin`` in the cache folder (``~/.keras/datasets`` by default).
    ``origin`` must be a local path or ``file://`` URL, or already cached: tfx does not
    download. ``extract=True`` unpacks an archive next to it and returns that folder."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".keras")
    folder = os.path.join(cache_dir, cache_subdir)
    os.makedirs(folder, exist_ok=True)
    fname = fname or os.path.basename(origin.rstrip("/"))
    target = os.path.join(folder, fname)
    source = origin[len("file://"):] if origin.startswith("file://") else origin
    if os.path.exists(source):
        if force_download or not os.path.exists(target) or \
                os.path.abspath(source) != os.path.abspath(target):
            shutil.copyfile(source, target)
    elif not os.path.exists(target) or force_download:
        raise OSError(f"get_file: {origin} is not a local file and tfx cannot download it "
                      f"(no network access). Place the file at {target} (or pass a local "
                      "path or file:// URL as `origin`).")
    expected = file_hash or md5_hash
    if expected:
        import hashlib
        algo = hash_algorithm if hash_algorithm != "auto" else (
            "sha256" if len(expected) == 64 else "md5")
        h = hashlib.new(algo)
        with open(target, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != expected:
            raise ValueError(f"get_file: {target} does not match the expected {algo} hash "
                             f"{expected}.")
    if extract or untar:
        out = target + "_extracted" if not untar else os.path.splitext(target)[0]
        if not os.path.exists(out):
            shutil.unpack_archive(target, out, None if archive_format == "auto" else
                                  archive_format)
        return out
    return target
