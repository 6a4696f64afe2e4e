"""Reading a spec's data sources: CSV with a header, .npz / .npy, or a registered loader."""
import csv
import hashlib
import itertools
import os

import numpy as np

__all__ = ["load_source", "sha256", "Split"]


class Split:
    """Features ``x`` (float32 matrix, or dict for several inputs) and targets ``y``."""

    def __init__(self, x, y, feature_names=None, target_names=None, files=()):
        self.x = x
        self.y = y
        self.feature_names = feature_names
        self.target_names = target_names
        self.files = list(files)
        self.stream = None  # streamed CSV: a function (batch_size, shuffle, seed) -> Dataset

    def dataset(self, batch_size, shuffle, seed):
        return self.stream(batch_size, shuffle, seed)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_csv(path, target, features, max_rows=None):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path}: the file is empty") from None
        rows = [r for r in itertools.islice(reader, max_rows) if r]
    header = [h.strip() for h in header]
    targets = [target] if isinstance(target, str) else list(target)
    missing = [t for t in targets if t not in header]
    if missing:
        raise ValueError(f"{path}: no column {missing[0]!r} in the header ({', '.join(header)})")
    feats = features or [h for h in header if h not in targets]
    missing = [c for c in feats if c not in header]
    if missing:
        raise ValueError(f"{path}: no column {missing[0]!r} in the header")
    idx = {h: i for i, h in enumerate(header)}
    try:
        table = np.array([[float(r[idx[c]]) for c in feats + targets] for r in rows],
                         dtype=np.float64)
    except ValueError as e:
        raise ValueError(f"{path}: non-numeric value ({e})") from None
    except IndexError:
        raise ValueError(f"{path}: a row has fewer columns than the header") from None
    x = table[:, :len(feats)].astype(np.float32)
    y = table[:, len(feats):].astype(np.float32)
    return Split(x, y, feats, targets)


_SAMPLE_ROWS = 1024  # what a streamed CSV shows eagerly: enough to build and check the model
_SHUFFLE_BUFFER = 10_000


def _csv_stream(path, split):
    """Batches of a CSV read in blocks through ``tfx.data`` (the columns of ``split``). The
    shuffle buffer draws the same order every epoch, so a resumed run repeats exactly."""
    with open(path, newline="", encoding="utf-8") as f:
        header = [h.strip() for h in next(csv.reader(f))]
    columns = split.feature_names + split.target_names
    select = [header.index(c) for c in columns]
    in_file = sorted(select)  # CsvDataset yields the selected columns in file order
    pos = [in_file.index(c) for c in select]
    n_feat = len(split.feature_names)

    def make(batch_size, shuffle, seed):
        import tfx
        ds = tfx.data.experimental.CsvDataset(path, [0.0] * len(columns), header=True,
                                              select_cols=in_file)

        def pair(*values):
            values = [values[i] for i in pos]
            return tfx.stack(values[:n_feat]), tfx.stack(values[n_feat:])
        ds = ds.map(pair)
        if shuffle:
            ds = ds.shuffle(_SHUFFLE_BUFFER, seed=seed if seed is not None else 0,
                            reshuffle_each_iteration=False)
        return ds.batch(batch_size)
    return make


def load_source(src, base_dir, max_rows=None):
    """A DataSource (schema model) -> Split; with ``max_rows``, only the first rows of a file
    (``tfx validate --shapes`` builds the model on the header and first rows)."""
    if src.loader is not None:
        from tfx.registry import lookup
        e = lookup(src.loader)
        if e is None:
            raise ValueError(f"unknown data loader {src.loader!r}")
        out = e.obj(**src.args)
        if isinstance(out, Split):
            return out
        x, y = out if isinstance(out, tuple) else (out["x"], out["y"])
        return Split(np.asarray(x, dtype=np.float32) if not isinstance(x, dict) else x,
                     np.asarray(y))
    path = src.path if os.path.isabs(src.path) else os.path.join(base_dir, src.path)
    if path.endswith(".csv"):
        stream = getattr(src, "stream", False)
        rows = _SAMPLE_ROWS if stream and max_rows is None else max_rows
        s = _read_csv(path, src.target, src.features, rows)
        if stream:
            s.stream = _csv_stream(path, s)
    elif path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as z:
            if src.x_key not in z or src.y_key not in z:
                raise ValueError(f"{src.path}: needs arrays {src.x_key!r} and {src.y_key!r}, "
                                 f"has {sorted(z.files)}")
            s = Split(z[src.x_key][:max_rows], z[src.y_key][:max_rows])
    elif path.endswith(".npy"):
        arr = np.load(path, allow_pickle=False, mmap_mode="r")[:max_rows]
        s = Split(arr[:, :-1].astype(np.float32), arr[:, -1:].astype(np.float32))
    else:
        raise ValueError(f"unsupported data file {src.path}")
    s.files = [path]
    return s
