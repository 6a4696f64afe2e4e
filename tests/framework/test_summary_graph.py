"""tfx.summary.graph / trace_on / trace_off / trace_export write GraphDefs that TensorBoard's
EventAccumulator reads; tfx.io.write_graph writes tfx's graph JSON."""
import json
import os
import warnings

import pytest

import tfx

EventAccumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator").EventAccumulator


def _graph_nodes(logdir):
    ea = EventAccumulator(str(logdir))
    ea.Reload()
    return [(n.name, n.op, list(n.input)) for n in ea.Graph().node]


@tfx.function
def affine(x, w):
    return tfx.matmul(x, w) + 1.0


@tfx.function
def double(x):
    return x * 2.0


def test_summary_graph(tmp_path):
    affine(tfx.ones([2, 3]), tfx.ones([3, 2]))
    w = tfx.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert tfx.summary.graph(affine)
    w.flush()
    nodes = _graph_nodes(tmp_path)
    assert ("x", "Placeholder", []) in nodes and ("w", "Placeholder", []) in nodes
    mm = [n for n in nodes if n[1] == "matmul"]
    assert mm and mm[0][2] == ["x", "w"]
    assert not tfx.summary.graph(affine)  # no default writer
    with pytest.raises(TypeError):
        tfx.summary.graph(42)


def test_trace_export_collects_run_functions(tmp_path):
    x = tfx.ones([2, 2])
    affine(x, x)   # traced before trace_on: still recorded when it runs
    tfx.summary.trace_on(graph=True)
    affine(x, x)
    with tfx.GradientTape() as tape:   # the taped path records too
        tape.watch(x)
        y = double(x)
    tape.gradient(y, x)
    w = tfx.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        tfx.summary.trace_export("trace", step=0)
    w.flush()
    names = [n[0] for n in _graph_nodes(tmp_path)]
    assert any(n.startswith("affine/") for n in names)
    assert any(n.startswith("double/") for n in names)
    # tracing stopped: the wrapped methods are back
    from tfx.graph.function import _Trace
    assert _Trace.run.__name__ == "run"


def test_trace_errors_and_off(tmp_path):
    tfx.summary.trace_on()
    tfx.summary.trace_off()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = tfx.summary.create_file_writer(str(tmp_path))
        with w.as_default():
            tfx.summary.trace_export("t", step=1)
    assert any("trace_on" in str(c.message) for c in caught)
    tfx.summary.trace_on()
    with pytest.raises(ValueError, match="step"):
        tfx.summary.trace_export("t")


def test_write_graph(tmp_path):
    double(tfx.constant([1., 2.]))
    path = tfx.io.write_graph(double, str(tmp_path / "sub"), "g.json")
    assert path == os.path.join(str(tmp_path / "sub"), "g.json")
    doc = json.load(open(path))
    ops = [n["op"] for n in doc["node"]]
    assert "Placeholder" in ops and "multiply" in ops
    compact = tfx.io.write_graph(doc, str(tmp_path), "c.json", as_text=False)
    assert json.load(open(compact)) == doc and "\n" not in open(compact).read()
    tfx.test.assert_equal_graph_def(doc, double)
