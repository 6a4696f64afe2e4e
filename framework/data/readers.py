"""File sources: ``list_files``, ``TextLineDataset``, ``CsvDataset`` and
``experimental.make_csv_dataset``. Files are read as streams, a block at a time."""
import collections
import csv
import glob
import gzip
import io
import math
import zlib

import numpy as np  # host-side element storage

from .. import dtypes as _dt
from ..core.tensor import TensorBase
from ..errors import InvalidArgumentError, NotFoundError
from .dataset import UNK, Dataset
from .specs import TensorSpec

_BLOCK = 1 << 20


def _names(value, what):
    """File names/patterns from a string, bytes, list of them or string tensor."""
    if isinstance(value, TensorBase):
        value = value.numpy()
        value = value.tolist() if isinstance(value, np.ndarray) else value
    if isinstance(value, (str, bytes)):
        value = [value]
    out = []
    for v in value:
        if isinstance(v, TensorBase):
            v = v.numpy()
        out.append(v.decode() if isinstance(v, bytes) else str(v))
    if not out and what:
        raise ValueError(f"`{what}` must not be empty.")
    return out


def list_files(file_pattern, shuffle, seed):
    files = []
    for pattern in _names(file_pattern, "file_pattern"):
        matched = sorted(glob.glob(pattern))
        if not matched:
            raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), "
                                       "dtype=bool)' to be true. Summarized data: b'No files "
                                       f"matched pattern: {pattern}'")
        files.extend(matched)
    ds = Dataset.from_tensor_slices(np.array([f.encode() for f in files], dtype=object))
    if shuffle is None or shuffle:
        ds = ds.shuffle(len(files), seed=seed)
    return ds


def _open(path, compression_type):
    kind = (compression_type or "").upper()
    try:
        if kind == "GZIP":
            return gzip.open(path, "rb")
        if kind == "ZLIB":
            with open(path, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        if kind:
            raise ValueError(f"Unsupported compression_type: {compression_type!r}")
        return open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None


def _lines(path, compression_type):
    """The file's lines as bytes, without their ``\\n`` / ``\\r\\n``."""
    with _open(path, compression_type) as f:
        rest = b""
        while True:
            block = f.read(_BLOCK)
            if not block:
                break
            parts = (rest + block).split(b"\n")
            rest = parts.pop()
            for line in parts:
                yield line[:-1] if line.endswith(b"\r") else line
        if rest:
            yield rest[:-1] if rest.endswith(b"\r") else rest


class _FileSource(Dataset):
    """Records of each file in turn, or interleaved ``num_parallel_reads`` at a time."""

    def __init__(self, filenames, num_parallel_reads):
        if isinstance(filenames, Dataset):
            self._files = filenames
        else:
            names = np.array([n.encode() for n in _names(filenames, "filenames")], dtype=object)
            self._files = Dataset.from_tensor_slices(names)
        self._reads = 1 if num_parallel_reads in (None, 1) else int(num_parallel_reads)

    def _card(self):
        return UNK

    def _iter(self, ctx):
        def one(name):
            return _Records(self, name)
        files = self._files
        ds = files.flat_map(one) if self._reads == 1 else files.interleave(
            one, cycle_length=self._reads if self._reads > 0 else None, block_length=1)
        return ds._iter(ctx)


class _Records(Dataset):
    def __init__(self, source, name):
        self._source = source
        self._name = name.numpy().decode()

    def _compute_spec(self):
        return self._source.element_spec

    def _iter(self, ctx):
        return self._source._records(self._name)


class _StringRecords(_FileSource):
    """Files read as scalar string records (lines, TFRecords), possibly compressed."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, num_parallel_reads)
        self._compression = compression_type
        self._spec_cache = TensorSpec([], _dt.string)


class TextLineDataset(_StringRecords):
    """The lines of one or more text files, as scalar strings without line endings."""

    def _records(self, path):
        for line in _lines(path, self._compression):
            yield (np.array(line, dtype=object),)


def _default_of(value, i):
    """(dtype, default or None) for one entry of ``record_defaults``."""
    if isinstance(value, _dt.DType) or value in (int, float, str, bytes):
        return _dt.as_dtype(value), None
    if isinstance(value, TensorBase):
        arr, d = np.asarray(value._v), value.dtype
    else:
        from ..core.tensor import convert_to_tensor
        t = convert_to_tensor(value)
        arr, d = np.asarray(t._v), t.dtype
    if d not in _CSV_TYPES:
        raise TypeError(f"Unsupported type {d.name} in record_defaults[{i}]: use int32, "
                        "int64, float32, float64 or string.")
    if arr.size == 0:
        return d, None
    if arr.size != 1:
        raise ValueError(f"record_defaults[{i}] must have at most one element.")
    v = arr.reshape(-1)[0]
    return d, (bytes(v) if d is _dt.string else v)


_CSV_TYPES = (_dt.int32, _dt.int64, _dt.float32, _dt.float64, _dt.string)


def _parse(field, d, i):
    try:
        if d is _dt.string:
            return field.encode("utf-8", "surrogateescape")
        if d.is_integer:
            v = int(field)
            if not d.min <= v <= d.max:
                raise ValueError
            return v
        return float(field)
    except ValueError:
        raise InvalidArgumentError(None, None, f"Field {i} in record is not a valid "
                                   f"{d.name}: {field}") from None


class CsvDataset(_FileSource):
    """Records of CSV files as tuples of scalars, one per selected column. Each entry of
    ``record_defaults`` is a dtype (the field is required) or a default value."""

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header=False, field_delim=",", use_quote_delim=True, na_value="",
                 select_cols=None, exclude_cols=None, name=None, _ignore_errors=False):
        super().__init__(filenames, None)
        self._types = [_default_of(v, i) for i, v in enumerate(record_defaults)]
        if select_cols is not None and exclude_cols is not None:
            raise ValueError("Either select_cols or exclude_cols should be empty")
        if select_cols is not None:
            cols = [int(c) for c in select_cols]
            if cols != sorted(set(cols)):
                raise InvalidArgumentError(None, None, "select_cols is not strictly "
                                           "increasing.")
            if len(cols) != len(self._types):
                raise ValueError("The number of record_defaults must match select_cols.")
        self._select = None if select_cols is None else [int(c) for c in select_cols]
        self._exclude = None if exclude_cols is None else set(int(c) for c in exclude_cols)
        self._compression, self._header = compression_type, bool(header)
        self._delim, self._quote, self._na = field_delim, use_quote_delim, na_value
        self._ignore_errors = _ignore_errors
        self._spec_cache = tuple(TensorSpec([], d) for d, _ in self._types)

    def _rows(self, path):
        text = (line.decode("utf-8", "surrogateescape") for line in
                _lines(path, self._compression))
        reader = csv.reader(text, delimiter=self._delim,
                            quoting=csv.QUOTE_MINIMAL if self._quote else csv.QUOTE_NONE,
                            quotechar='"' if self._quote else None)
        if self._header:
            next(reader, None)
        return reader

    def _columns(self, n):
        if self._select is not None:
            return self._select
        if self._exclude is not None:
            return [c for c in range(n) if c not in self._exclude]
        return list(range(n))

    def _records(self, path):
        types = self._types
        np_types = [d._np for d, _ in types]
        for row in self._rows(path):
            if not row:
                continue
            try:
                cols = self._columns(len(row))
                if len(cols) != len(types) or cols[-1] >= len(row):
                    raise InvalidArgumentError(None, None, f"Expect {len(types)} fields but "
                                               f"have {len(row)} in record")
                out = []
                for i, (c, (d, default)) in enumerate(zip(cols, types)):
                    field = row[c]
                    if field == "" or field == self._na:
                        if default is None:
                            raise InvalidArgumentError(None, None, f"Field {i} is required but "
                                                       "missing in record!")
                        v = default
                    else:
                        v = _parse(field, d, i)
                    out.append(np.array(v, dtype=np_types[i]))
            except InvalidArgumentError:
                if self._ignore_errors:
                    continue
                raise
            yield tuple(out)


# ---- make_csv_dataset --------------------------------------------------------------------------

_LADDER = (_dt.int32, _dt.int64, _dt.float32, _dt.float64, _dt.string)


def _fits(value, d):
    try:
        if d.is_integer:
            v = int(value)
            return d.min <= v <= d.max
        v = float(value)
        return d is _dt.float64 or not math.isfinite(v) or abs(v) <= _dt.float32.max
    except ValueError:
        return False


def _infer_types(files, names, header, delim, quote, na_value, rows, select):
    kinds = {c: 0 for c in select}
    seen = 0
    for path in files:
        reader = CsvDataset([path], [_dt.string] * len(names), header=header,
                            field_delim=delim, use_quote_delim=quote)._rows(path)
        for row in reader:
            if seen >= rows:
                break
            seen += 1
            for c in select:
                v = row[c] if c < len(row) else ""
                if v == "" or v == na_value:
                    continue
                while kinds[c] < len(_LADDER) - 1 and not _fits(v, _LADDER[kinds[c]]):
                    kinds[c] += 1
        if seen >= rows:
            break
    return [_LADDER[kinds[c]] for c in select]


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False,
                     encoding="utf-8"):
    """Batches of ``(features, label)`` (or ``features``) from CSV files: features is an
    OrderedDict of column name -> batch. Column types are inferred from the first
    ``num_rows_for_inference`` rows unless ``column_defaults`` are given."""
    files = []
    for pattern in _names(file_pattern, "file_pattern"):
        files.extend(sorted(glob.glob(pattern)))
    if not files:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header=True` to infer column "
                             "names.")
        first = CsvDataset([files[0]], [], field_delim=field_delim,
                           use_quote_delim=use_quote_delim)._rows(files[0])
        column_names = next(first, [])
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Cannot have duplicate column names.")
    if select_columns is None:
        select = list(range(len(column_names)))
    else:
        select = sorted(column_names.index(c) if isinstance(c, str) else int(c)
                        for c in select_columns)
    names = [column_names[c] for c in select]
    if label_name is not None and label_name not in names:
        raise ValueError(f"`label_name` provided must be one of the columns: {names}. "
                         f"Received: {label_name}.")
    if column_defaults is None:
        kinds = _infer_types(files, column_names, header, field_delim, use_quote_delim,
                             na_value, num_rows_for_inference, select)
        column_defaults = [b"" if d is _dt.string else np.zeros((), d._np)[()] for d in kinds]
        column_defaults = [np.array(v, dtype=object if d is _dt.string else d._np)
                           for v, d in zip(column_defaults, kinds)]
    elif select_columns is not None and len(column_defaults) == len(column_names):
        column_defaults = [column_defaults[c] for c in select]

    def read(name):
        return CsvDataset(name, column_defaults, compression_type=compression_type,
                          header=header, field_delim=field_delim,
                          use_quote_delim=use_quote_delim, na_value=na_value,
                          select_cols=select, _ignore_errors=ignore_errors)

    ds = Dataset.from_tensor_slices(np.array([f.encode() for f in files], dtype=object))
    if shuffle:
        ds = ds.shuffle(len(files), shuffle_seed)
    ds = ds.interleave(read, cycle_length=num_parallel_reads or 1, block_length=1)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    ds = ds.batch(batch_size, drop_remainder=num_epochs is None)

    def to_features(*columns):
        features = collections.OrderedDict(zip(names, columns))
        if label_name is not None:
            return features, features.pop(label_name)
        return features

    ds = ds.map(to_features)
    return ds.prefetch(-1 if prefetch_buffer_size is None else prefetch_buffer_size)


def _tfrecords(path, compression_type, name):
    """The records of a TFRecord file (length, masked CRC-32C of it, data, CRC of data); a
    truncated or corrupt file raises DataLossError naming it, as tf.data does."""
    import struct
    from ..errors import DataLossError
    from ..io import _masked_crc
    with _open(path, compression_type) as f:
        while True:
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise DataLossError(None, None, f"truncated record at the end of {path}")
            length, header_crc = struct.unpack("<QI", header)
            if _masked_crc(header[:8]) != header_crc:
                raise DataLossError(None, None, f"corrupted record (length CRC) in {path}")
            data = f.read(length)
            crc = f.read(4)
            if len(data) < length or len(crc) < 4:
                raise DataLossError(None, None, f"truncated record at the end of {path}")
            if _masked_crc(data) != struct.unpack("<I", crc)[0]:
                raise DataLossError(None, None, f"corrupted record (data CRC) in {path}")
            yield data


class TFRecordDataset(_StringRecords):
    """The records of one or more TFRecord files (``tf.io.TFRecordWriter``'s format), as
    scalar strings; ``compression_type`` "", "ZLIB" or "GZIP"."""

    def _records(self, path):
        for data in _tfrecords(path, self._compression, path):
            yield (np.array(data, dtype=object),)


class FixedLengthRecordDataset(_FileSource):
    """Records of ``record_bytes`` bytes from binary files, after ``header_bytes`` and
    before ``footer_bytes``; ``buffer_size`` is accepted (files are read in blocks)."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, num_parallel_reads)
        if int(record_bytes) <= 0:
            raise InvalidArgumentError(None, None, f"record_bytes must be > 0, got "
                                       f"{record_bytes}")
        self._record = int(record_bytes)
        self._header = int(header_bytes or 0)
        self._footer = int(footer_bytes or 0)
        self._compression = compression_type
        self._spec_cache = TensorSpec([], _dt.string)

    def _records(self, path):
        with _open(path, self._compression) as f:
            data = f.read()
        body = data[self._header:len(data) - self._footer]
        n = len(body) // self._record
        for i in range(n):
            yield (np.array(body[i * self._record:(i + 1) * self._record], dtype=object),)
