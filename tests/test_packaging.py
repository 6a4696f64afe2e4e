"""The package installs as ``tfx`` (from framework/) and ``tfx.cli`` (from cli/)."""
import os
import subprocess
import sys

import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_subpackage_is_listed_in_pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = set()
    for top, pkg in (("framework", "tfx"), ("cli", "tfx.cli")):
        base = os.path.join(ROOT, top)
        for d, _, files in os.walk(base):
            if "__init__.py" in files:
                rel = os.path.relpath(d, base)
                found.add(pkg if rel == "." else pkg + "." + rel.replace(os.sep, "."))
    assert found == listed, f"missing: {found - listed}, stale: {listed - found}"


def test_console_script_version():
    out = subprocess.run([sys.executable, "-m", "tfx.cli.app", "--version"],
                         capture_output=True, text=True, check=True)
    import tfx
    assert out.stdout.strip() == f"tfx {tfx.__version__}"


def test_import_is_cheap_and_quiet():
    code = "import sys, tfx; print('numba' in sys.modules, 'cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]
    assert out.stderr == ""
