"""tfx.train.ExponentialMovingAverage, ClusterSpec, Coordinator, TrackableView/CheckpointView
against TensorFlow's (values to the bit where TF's arithmetic is reproduced)."""
import threading
import time

import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _ema_run(m, dtype, num_updates, steps=6):
    v = m.Variable(np.array([1., -2., 3.], dtype), name="v")
    counter = m.Variable(0, dtype=m.int64) if num_updates else None
    ema = m.train.ExponentialMovingAverage(0.99, num_updates=counter)
    out = []
    for i in range(steps):
        v.assign(v * 1.5 + float(i))
        ema.apply([v])
        if counter is not None:
            counter.assign_add(1)
        out.append(ema.average(v).numpy())
    return np.array(out), ema.average_name(v), ema.average(v).name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("num_updates", [False, True])
def test_ema_matches_tensorflow(dtype, num_updates):
    want = _ema_run(tf, dtype, num_updates)
    got = _ema_run(tfx, dtype, num_updates)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[0].dtype == want[0].dtype
    # TensorFlow makes slot names unique process-wide (a second run gets "_1"); tfx keeps
    # the name itself, which is what the first run in TensorFlow gives.
    assert got[1:] == ("v/ExponentialMovingAverage", "v/ExponentialMovingAverage:0")
    assert want[1].startswith(got[1]) and want[2].startswith(got[1])


def test_ema_inside_function():
    def run(m):
        v = m.Variable([1., 2.])
        ema = m.train.ExponentialMovingAverage(0.9, zero_debias=True)

        @m.function
        def step(x):
            v.assign_add(x)
            ema.apply([v])
            return ema.average(v).read_value()
        return np.array([step(m.constant([1., -1.])).numpy() for _ in range(4)])
    np.testing.assert_array_equal(run(tfx), run(tf))


def test_ema_refuses_tensors_in_functions_too():
    for m in (tf, tfx):
        ema = m.train.ExponentialMovingAverage(0.9)
        with pytest.raises(TypeError, match="non-Variable"):
            m.function(lambda x: ema.apply([x * 2.0]))(m.constant(1.))


def test_ema_errors_like_tensorflow():
    for m in (tf, tfx):
        ema = m.train.ExponentialMovingAverage(0.9)
        with pytest.raises(TypeError, match="non-Variable"):
            ema.apply([m.constant(1.)])
        with pytest.raises(TypeError, match="half, float, or double"):
            ema.apply([m.Variable([1], dtype=m.int32)])
        assert ema.average(m.Variable(1.)) is None
        assert ema.apply() is None


def test_ema_checkpoint_round_trip(tmp_path):
    v = tfx.Variable([1., 2.], name="v")
    ema = tfx.train.ExponentialMovingAverage(0.5)
    ema.apply([v])
    v.assign([3., 5.])
    ema.apply([v])
    path = tfx.train.Checkpoint(v=v, ema=ema).save(str(tmp_path / "ck"))
    keys = [k for k, _ in tfx.train.list_variables(path)]
    assert any("ExponentialMovingAverage" in k for k in keys), keys

    v2 = tfx.Variable([0., 0.], name="v")
    ema2 = tfx.train.ExponentialMovingAverage(0.5)
    ema2.apply([v2])
    tfx.train.Checkpoint(v=v2, ema=ema2).restore(path)
    np.testing.assert_array_equal(v2.numpy(), [3., 5.])
    np.testing.assert_array_equal(ema2.average(v2).numpy(), [2., 3.5])


CLUSTER = {"worker": ["w0:2222", "w1:2222"], "ps": ["ps0:2222"]}
SPARSE = {"worker": {1: "w1:2222", 3: "w3:2222"}}


def test_cluster_spec_matches_tensorflow():
    for spec in (CLUSTER, SPARSE, {}):
        a, b = tf.train.ClusterSpec(spec), tfx.train.ClusterSpec(spec)
        assert a.as_dict() == b.as_dict()
        assert a.jobs == b.jobs and bool(a) == bool(b) and repr(a) == repr(b)
        assert str(a.as_cluster_def()) == str(b.as_cluster_def())
        for job in a.jobs:
            assert a.num_tasks(job) == b.num_tasks(job)
            assert a.task_indices(job) == b.task_indices(job)
            assert a.job_tasks(job) == b.job_tasks(job)
            assert [a.task_address(job, i) for i in a.task_indices(job)] == \
                [b.task_address(job, i) for i in b.task_indices(job)]
    c = tfx.train.ClusterSpec(CLUSTER)
    assert tfx.train.ClusterSpec(c) == c == tfx.train.ClusterSpec(c.as_cluster_def())
    for m in (tf, tfx):
        spec = m.train.ClusterSpec(CLUSTER)
        with pytest.raises(ValueError, match="No such job"):
            spec.num_tasks("x")
        with pytest.raises(ValueError, match="No task with index 5"):
            spec.task_address("ps", 5)
        with pytest.raises(TypeError):
            m.train.ClusterSpec(5)
        with pytest.raises(TypeError, match="must be bytes or unicode"):
            m.train.ClusterSpec({"w": [1]})


def _coordinator_run(m, fail_with):
    coord = m.train.Coordinator()
    counts = [0, 0, 0]

    def worker(i):
        with coord.stop_on_exception():
            while not coord.should_stop():
                counts[i] += 1
                if i == 1 and counts[i] == 3 and fail_with is not None:
                    raise fail_with
                time.sleep(0.001)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    if fail_with is None:
        time.sleep(0.02)
        coord.request_stop()
    try:
        coord.join(threads, stop_grace_period_secs=5)
        return None, coord.joined
    except Exception as e:  # noqa: BLE001 - compared below
        return type(e).__name__, coord.joined


@pytest.mark.parametrize("kind", ["clean", "error", "out_of_range"])
def test_coordinator_matches_tensorflow(kind):
    def exc(m):
        return {"clean": None, "error": ValueError("boom"),
                "out_of_range": m.errors.OutOfRangeError(None, None, "done")}[kind]
    assert _coordinator_run(tfx, exc(tfx)) == _coordinator_run(tf, exc(tf))


def test_coordinator_stragglers_and_clear():
    coord = tfx.train.Coordinator()
    ev = threading.Event()
    t = threading.Thread(target=ev.wait, name="slow")
    t.start()
    coord.request_stop()
    with pytest.raises(RuntimeError, match="threads still running: slow"):
        coord.join([t], stop_grace_period_secs=0.01)
    ev.set()
    t.join()
    coord.clear_stop()
    assert not coord.should_stop() and not coord.joined
    coord.request_stop(ValueError("first"))
    coord.request_stop(KeyError("second"))
    with pytest.raises(ValueError, match="first"):
        coord.raise_requested_exception()
    with pytest.raises(ValueError):
        coord.join()
    with pytest.raises(KeyError):  # after join, a reported exception is raised at once
        coord.request_stop(KeyError("late"))
    assert coord.wait_for_stop(0.01)


def test_views_match_tensorflow(tmp_path):
    def build(m):
        mod = m.Module()
        mod.v = m.Variable(1.)
        mod.sub = m.Module()
        mod.sub.w = m.Variable([2.])
        return mod

    def shape_of(m, path):
        mod = build(m)
        p = m.train.Checkpoint(model=mod).save(path)
        cv = m.train.CheckpointView(p)
        names = {}
        for n in cv.descendants():
            for k, c in cv.children(n).items():
                names[c] = names.get(n, "") + "/" + k
        m2 = m.Module()
        m2.v = m.Variable(1.)
        m2.other = m.Variable(3.)
        matched, only_saved, only_live = cv.diff(m.train.Checkpoint(model=m2))
        tv = m.train.TrackableView(mod)
        return (sorted(names.values()), sorted(names.get(n, "") for n in matched),
                sorted(names[n] for n in only_saved), len(only_live),
                sorted(tv.children(mod)), len(tv.descendants()))
    assert shape_of(tfx, str(tmp_path / "a")) == shape_of(tf, str(tmp_path / "b"))


def test_server_def_prints_as_tensorflow():
    def text(m):
        return str(m.train.ServerDef(cluster=m.train.ClusterSpec(CLUSTER).as_cluster_def(),
                                     job_name="worker", task_index=1, protocol="grpc"))
    assert text(tfx) == text(tf)
