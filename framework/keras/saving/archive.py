"""The bytes of model files: a zip (``.tfx``) or a folder holding three entries, written
atomically, read back with every entry checked before anything is parsed.

Nothing here executes file content: JSON and safetensors only, sizes capped, zip entries
limited to the three expected names, compression ratios bounded (zip bombs), declared tensor
headers validated before the safetensors package decodes the data.
"""
import json
import os
import shutil
import stat
import tempfile
import zipfile

from ...errors import ModelFormatError
from .serialization import UnknownObjectError

__all__ = ["CONFIG", "METADATA", "WEIGHTS", "MissingObjectError", "UnsafeLambdaError",
           "UnsupportedFormatError", "atomic_write", "write_container", "read_container",
           "encode_tensors", "decode_tensors"]

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.safetensors"
ENTRIES = (CONFIG, METADATA, WEIGHTS)

# Caps: generous for real models, small enough that a hostile file cannot exhaust memory.
JSON_CAP = {CONFIG: 32 << 20, METADATA: 1 << 20}
WEIGHTS_CAP = 1 << 40
MAX_RATIO = 500            # uncompressed / compressed size of a deflated entry
HEADER_CAP = 64 << 20      # safetensors JSON header
MAX_DEPTH = 100            # JSON nesting: real configs stay far below
_SAFETENSORS_DTYPES = {"BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64", "F16",
                       "BF16", "F32", "F64", "C64"}


class MissingObjectError(UnknownObjectError, ModelFormatError):
    """A name in a model file resolves to nothing this session knows (custom_objects, the
    registry, tfx's built-ins). Both an ``UnknownObjectError`` and a ``ModelFormatError``."""

    def __init__(self, message):
        ModelFormatError.__init__(self, None, None, message)


class UnsafeLambdaError(ModelFormatError, ValueError):
    """A file holds Python source (a saved lambda) and ``safe_mode`` forbids running it."""

    def __init__(self, message):
        ModelFormatError.__init__(self, None, None, message)


class UnsupportedFormatError(ModelFormatError, ValueError):
    """A file of a format tfx does not read (yet): ``.keras``, HDF5."""

    def __init__(self, message):
        ModelFormatError.__init__(self, None, None, message)


def _bad(path, reason):
    return ModelFormatError(None, None, f"{path}: {reason}")


# ---- writing ---------------------------------------------------------------------------------

def _umask_mode(mode):
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path, write):
    """``write(fileobj)`` into a temporary file beside ``path``, fsync, then rename over it:
    a reader (or a crash) sees the old file or the new one, never a part of either."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, _umask_mode(0o666))
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _zip_entries(zf, entries):
    for name, data in entries.items():
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        # Weights stay uncompressed (floats barely compress); JSON deflates well.
        info.compress_type = zipfile.ZIP_STORED if name == WEIGHTS else zipfile.ZIP_DEFLATED
        zf.writestr(info, data)


def write_container(path, entries, zipped):
    """Write ``{name: bytes}`` as a zip file or as a folder, atomically."""
    if zipped:
        def write(f):
            with zipfile.ZipFile(f, "w", allowZip64=True) as zf:
                _zip_entries(zf, entries)
        atomic_write(path, write)
        return
    write_folder(path, entries, ENTRIES, "a tfx model")


def write_folder(path, entries, known, what):
    """``{name: bytes}`` as the folder ``path``, atomically: written beside it, then renamed
    into place. An existing folder of ``what`` (only names in ``known``) is replaced; any
    other folder is refused."""
    path = os.path.abspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise FileExistsError(f"Cannot save {what} folder at {path}: a file is there.")
    if os.path.isdir(path):
        extra = [n for n in os.listdir(path) if n not in known]
        if extra:
            raise FileExistsError(f"Refusing to replace the folder {path}: it holds files that "
                                  f"are not part of {what} ({', '.join(sorted(extra)[:5])}). "
                                  "Save to a new path.")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
    try:
        os.chmod(tmp, _umask_mode(0o777))
        for name, data in entries.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, name)), exist_ok=True)
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        _fsync_dir(tmp)
        if os.path.isdir(path):
            # A folder cannot be renamed over another: move the old one aside first. A crash
            # between the two renames leaves both complete folders on disk, never a mixed one.
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".old",
                                   dir=parent)
            os.rmdir(old)
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(parent)


# ---- reading ---------------------------------------------------------------------------------

def _cap(name):
    return JSON_CAP.get(name, WEIGHTS_CAP)


def _check_zip_info(path, info, file_size, allowed=ENTRIES):
    name = info.filename
    if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or \
            ":" in name:
        raise _bad(path, f"zip entry {name!r} points outside the archive (path traversal)")
    if name not in allowed:
        raise _bad(path, f"unexpected zip entry {name!r}; a model file of this kind holds "
                         f"only {', '.join(allowed)}")
    if info.flag_bits & 0x1:
        raise _bad(path, f"zip entry {name!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _bad(path, f"zip entry {name!r} uses compression method {info.compress_type}; "
                         "only stored and deflated entries are read")
    if info.file_size > _cap(name):
        raise _bad(path, f"zip entry {name!r} declares {info.file_size} bytes, over the "
                         f"{_cap(name)}-byte limit")
    if info.compress_size > file_size:
        raise _bad(path, f"zip entry {name!r} declares {info.compress_size} compressed bytes "
                         f"but the file has only {file_size}")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise _bad(path, f"stored zip entry {name!r} has inconsistent sizes")
    ratio = info.file_size // max(info.compress_size, 1)
    if info.file_size > 4096 and ratio > MAX_RATIO:
        raise _bad(path, f"zip entry {name!r} expands {ratio}-fold (limit {MAX_RATIO}): "
                         "refusing a possible zip bomb")


def _read_zip(path, allowed=ENTRIES):
    file_size = os.path.getsize(path)
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise _bad(path, "not a tfx model file (not a zip archive)")
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
        except Exception as e:  # noqa: BLE001 - BadZipFile, struct, unicode, overflow errors
            raise _bad(path, f"corrupted zip archive ({type(e).__name__}: {e})") from None
        with zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise _bad(path, "duplicate zip entries")
            out = {}
            for info in infos:
                _check_zip_info(path, info, file_size, allowed)
                try:
                    with zf.open(info) as entry:
                        data = entry.read(info.file_size + 1)
                except Exception as e:  # noqa: BLE001 - zipfile/zlib raise many kinds
                    raise _bad(path, f"zip entry {info.filename!r} is corrupted "
                                     f"({type(e).__name__}: {e})") from None
                if len(data) != info.file_size:
                    raise _bad(path, f"zip entry {info.filename!r} is truncated")
                out[info.filename] = data
    return out


def _read_folder(path, allowed=ENTRIES):
    out = {}
    for name in allowed:
        p = os.path.join(path, name)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            raise _bad(path, f"{name} is not a regular file (links and devices are refused)")
        if st.st_size > _cap(name):
            raise _bad(path, f"{name} has {st.st_size} bytes, over the {_cap(name)}-byte limit")
        with open(p, "rb") as f:
            data = f.read(st.st_size + 1)
        if len(data) != st.st_size:
            raise _bad(path, f"{name} changed while it was read")
        out[name] = data
    return out


def read_file(path, cap=WEIGHTS_CAP):
    """The bytes of one regular file (devices and files over ``cap`` are refused)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise _bad(path, "not a regular file")
        if st.st_size > cap:
            raise _bad(path, f"{st.st_size} bytes, over the {cap}-byte limit")
        with open(path, "rb") as f:
            return f.read(st.st_size)
    except OSError as e:
        raise _bad(path, f"cannot be read ({e})") from None


def read_container(path, need=ENTRIES, allowed=ENTRIES):
    """``{name: bytes}`` of a model zip or folder holding only ``allowed`` entries;
    ModelFormatError for anything amiss."""
    try:
        out = _read_folder(path, allowed) if os.path.isdir(path) else _read_zip(path, allowed)
    except OSError as e:
        raise _bad(path, f"cannot be read ({e})") from None
    missing = [n for n in need if n not in out]
    if missing:
        raise _bad(path, f"missing {', '.join(missing)} (truncated or not a tfx model)")
    return out


def parse_json(path, name, data):
    """A JSON object from bytes; ModelFormatError on bad text, bad UTF-8 or deep nesting."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _bad(path, f"{name} is not valid JSON ({type(e).__name__}: {e})"[:500]) from None
    if not isinstance(obj, dict):
        raise _bad(path, f"{name} must hold a JSON object, not {type(obj).__name__}")
    if _depth(obj) > MAX_DEPTH:
        raise _bad(path, f"{name} nests deeper than {MAX_DEPTH} levels")
    return obj


def _depth(obj):
    """Nesting depth, iteratively: walkers of a config may then recurse safely."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            stack.extend((v, d + 1) for v in o)
    return deepest


def dump_json(obj):
    return json.dumps(obj, indent=1, allow_nan=True).encode("utf-8")


# ---- safetensors -----------------------------------------------------------------------------

def encode_tensors(arrays, metadata=None):
    """``{key: numpy array}`` -> safetensors bytes (``metadata``: str -> str)."""
    from safetensors.numpy import save
    return save(arrays, metadata=metadata)


def _header(path, data):
    if len(data) < 8:
        raise _bad(path, "weights are truncated (no safetensors header)")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8 or n > HEADER_CAP:
        raise _bad(path, f"weights header declares {n} bytes; the data holds {len(data) - 8}")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _bad(path, f"weights header is not valid JSON ({e})"[:500]) from None
    if not isinstance(header, dict):
        raise _bad(path, "weights header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in meta.items()):
        raise _bad(path, "weights metadata must map strings to strings")
    for key, spec in header.items():
        ok = isinstance(spec, dict) and spec.get("dtype") in _SAFETENSORS_DTYPES and \
            isinstance(spec.get("shape"), list) and \
            all(type(d) is int and d >= 0 for d in spec["shape"]) and \
            isinstance(spec.get("data_offsets"), list) and len(spec["data_offsets"]) == 2 and \
            all(type(o) is int and 0 <= o <= len(data) for o in spec["data_offsets"])
        if not ok:
            raise _bad(path, f"weights header entry {key!r} is malformed: {str(spec)[:200]}")
    return header, meta


def tensor_specs(path, data):
    """``({key: (dtype code, shape)}, metadata)`` from the header, without decoding data."""
    header, meta = _header(path, data)
    return {k: (v["dtype"], tuple(v["shape"])) for k, v in header.items()}, meta


def decode_tensors(path, data):
    """``({key: numpy array}, metadata)``; ModelFormatError if the bytes are inconsistent."""
    _, meta = _header(path, data)
    from safetensors.numpy import load
    try:
        arrays = load(bytes(data))
    except Exception as e:  # noqa: BLE001 - SafetensorError and numpy errors alike
        raise _bad(path, f"weights data is corrupted ({type(e).__name__}: {e})"[:500]) from None
    return arrays, meta
