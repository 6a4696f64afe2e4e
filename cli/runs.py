"""Run folders: one per training run, never overwritten, holding everything to judge it."""
import contextlib
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys

__all__ = ["new_run_dir", "write_json", "write_text", "environment", "atomic_write",
           "no_bytecode"]


@contextlib.contextmanager
def no_bytecode():
    """Importing the user's plugin files leaves no __pycache__ beside them: a run writes only
    into its run folder."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = before


def atomic_write(path, data, mode="w"):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path, obj):
    atomic_write(path, json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")


def write_text(path, text):
    atomic_write(path, text)


def new_run_dir(parent, name, output=None, overwrite=False):
    """``parent/name-YYYYmmdd-HHMMSS`` (suffixed if taken), or ``output`` if given and empty."""
    if output is not None:
        if os.path.isdir(output) and os.listdir(output):
            if not overwrite:
                raise FileExistsError(f"output folder {output} is not empty (use --overwrite "
                                      "to replace it, or --resume to continue the run in it)")
            # Only a run folder is replaced, and wholly: a stale backup left in it would
            # otherwise be resumed, and old plots would sit beside the new run's.
            if not os.path.exists(os.path.join(output, "run.json")):
                raise FileExistsError(f"output folder {output} is not empty and is not a tfx "
                                      "run folder: --overwrite replaces only run folders")
            shutil.rmtree(output)
        os.makedirs(output, exist_ok=True)
        return output
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(parent, f"{name}-{stamp}")
    path, i = base, 1
    while os.path.exists(path):
        i += 1
        path = f"{base}-{i}"
    os.makedirs(path)
    return path


def _git_commit(cwd):
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _version(dist):
    # The installed distribution's version: importing Numba only to read it costs ~0.5 s.
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment(spec_dir, seed, threads=None):
    import numpy
    import tfx
    numba_version = _version("numba")
    return {"tfx": tfx.__version__, "python": sys.version.split()[0],
            "platform": platform.platform(), "numpy": numpy.__version__,
            "numba": numba_version, "backend": "numpy", "seed": seed,
            "threads": threads or os.cpu_count(), "git_commit": _git_commit(spec_dir),
            "argv": sys.argv}
