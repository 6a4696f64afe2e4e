"""Reading the datasets' files safely: ``.npz`` members with object arrays, and pickled
CIFAR batches, through an unpickler that refuses every global but NumPy's array rebuilders."""
import io
import pickle
import zipfile

import numpy as np

from ..dataset_utils import get_file

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# What NumPy arrays (and their dtypes) pickle as; nothing else may be named by a file.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file: "
                                     "only lists, dicts, bytes and NumPy arrays are read")


def safe_unpickle(f, encoding="ASCII"):
    return _ArraysOnly(f, encoding=encoding).load()


def fetch(fname, origin=None, file_hash=None, cache_subdir="datasets"):
    return get_file(fname, origin=origin or BASE + fname, file_hash=file_hash,
                    cache_subdir=cache_subdir)


def load_npz(path):
    """Every member of an ``.npz`` file as an array; object arrays unpickled safely."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            with z.open(member) as raw:
                f = io.BytesIO(raw.read())
            version = np.lib.format.read_magic(f)
            shape, fortran, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                                     else np.lib.format.read_array_header_2_0(f))
            if dtype.hasobject:
                arr = safe_unpickle(f, encoding="latin1")
                if not isinstance(arr, np.ndarray):
                    raise ValueError(f"{path}: member {member} is not an array")
            else:
                count = int(np.prod(shape, dtype=np.int64))
                arr = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype, count=count)
                arr = arr.reshape(shape, order="F" if fortran else "C").copy()
            out[key] = arr
    return out


def shuffled(rng, *arrays):
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]
