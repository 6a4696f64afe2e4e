"""tfx.config.optimizer (read back as TensorFlow does), experimental_connect_to_* (a clear
error: tfx has no cluster), tfx.debugging.experimental.enable_dump_debug_info (warns, no-op)."""
import warnings

import pytest

import tfx


def _snapshot(m):
    m.config.optimizer.set_experimental_options({"constant_folding": False,
                                                 "min_graph_nodes": 3})
    opts = m.config.optimizer.get_experimental_options()
    jits = [m.config.optimizer.get_jit()]
    for value in (True, "autoclustering", False):
        m.config.optimizer.set_jit(value)
        jits.append(m.config.optimizer.get_jit())
    return opts, jits


def test_optimizer_options_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    assert _snapshot(tfx) == _snapshot(tf)


def test_connect_to_cluster_is_a_clear_error():
    spec = tfx.train.ClusterSpec({"worker": ["w0:2222"]})
    with pytest.raises(tfx.errors.UnimplementedError, match="one process"):
        tfx.config.experimental_connect_to_cluster(spec)
    with pytest.raises(tfx.errors.UnimplementedError, match="no remote"):
        tfx.config.experimental_connect_to_host("grpc://host:8470")


def test_dump_debug_info_warns_and_changes_nothing(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert tfx.debugging.experimental.enable_dump_debug_info(
            str(tmp_path), tensor_debug_mode="FULL_HEALTH") is None
    assert any("enable_check_numerics" in str(c.message) for c in caught)
    assert float(tfx.reduce_sum(tfx.ones([3]))) == 3.0
    tfx.debugging.experimental.disable_dump_debug_info()
    assert not list(tmp_path.iterdir())


def test_execution_controls_and_local_cluster():
    with tfx.experimental.async_scope():
        x = tfx.ones([2]) * 2.0
    tfx.experimental.async_clear_error()
    with tfx.experimental.function_executor_type("SINGLE_THREADED_EXECUTOR"):
        y = tfx.function(lambda v: v + 1.0)(x)
    assert y.numpy().tolist() == [3.0, 3.0]
    with pytest.raises(tfx.errors.UnimplementedError, match="one process"):
        tfx.test.create_local_cluster(1, 1)
