"""The benchmark scripts run end to end (``--quick``) and print their rows; no timing checks."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def quick_outputs():
    """Both scripts' stdout, from ``--quick`` runs started side by side to halve the wait."""
    procs = {name: subprocess.Popen([sys.executable, str(BENCHMARKS / name), "--quick"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("op_overhead.py", "startup.py")}
    outputs = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        outputs[name] = (proc.returncode, out, err)
    return outputs


def run_script(outputs, name):
    returncode, out, err = outputs[name]
    assert returncode == 0, err[-2000:]
    return out


def test_op_overhead_quick_prints_both_ops_and_goals(quick_outputs):
    out = run_script(quick_outputs, "op_overhead.py")
    for text in ("a + b", "taped a*b + a, grads", "NumPy µs", "tfx µs", "tfx/PyTorch",
                 "≤ 1.00x", "≤ 0.70x"):
        assert text in out, out


def test_startup_quick_prints_tfx_and_numpy_rows(quick_outputs):
    out = run_script(quick_outputs, "startup.py")
    for text in ("import tfx", "import numpy", "< 0.15 s, < 40 MiB"):
        assert text in out, out
    assert "n/a" not in out.split("import tfx")[1].splitlines()[0], out


@pytest.fixture
def timing(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import _timing
    return _timing


def test_plain_table_without_rich(timing, monkeypatch, capsys):
    for name in ("rich", "rich.console", "rich.table", "rich.text"):
        monkeypatch.setitem(sys.modules, name, None)  # None: importing it raises ImportError
    timing.print_table("T", ["name", "µs"], [["row [x]", "1.5"], ["other", None]], ["a note"])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["T", "name      µs", "-------  ---", "row [x]  1.5", "other      —",
                     "a note", ""]


def test_median_us_and_formatting(timing):
    us = timing.median_us("x = 1 + 1", {}, repeat=3, min_time=0.001)
    assert 0 < us < 1000
    assert timing.fmt_ratio(1.0, 2.0) == "0.50x"
    assert timing.fmt_ratio(1.0, None) == "—"
    assert timing.goal_met(0.7, 0.7) == "yes" and timing.goal_met(0.71, 0.7) == "NO"
    assert timing.goal_met(None, 1.0) == "—"
    assert timing.optional_import("surely_not_a_module_xyz") == (None, "not installed")
