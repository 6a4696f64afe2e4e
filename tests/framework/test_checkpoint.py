"""tfx.train.Checkpoint / CheckpointManager: round trips, matching by object graph (not by
creation order), deferred restoration of layers and optimizer slots, crash safety, hostile
files, and TensorFlow's key names and status semantics."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tfx
from tfx.errors import DataLossError, NotFoundError
from tfx.keras.random import seed_generators

K = tfx.keras
RNG = np.random.RandomState(0)
X = RNG.randn(8, 3).astype("float32")
Y = RNG.randn(8, 2).astype("float32")


class Net(tfx.Module):
    def __init__(self, flip=False, extra=False):
        super().__init__()
        if flip:  # same structure, attributes and variables made in the other order
            self.b = tfx.Variable(np.zeros(3, "int64"))
            self.a = tfx.Variable(np.zeros((2, 2), "float64"))
        else:
            self.a = tfx.Variable(np.zeros((2, 2), "float64"))
            self.b = tfx.Variable(np.zeros(3, "int64"))
        self.items = [tfx.Variable(np.zeros((), "float32")),
                      {"flag": tfx.Variable(np.zeros(4, bool)), "empty": tfx.Variable(
                          np.zeros((0, 3), "float32"))}]
        if extra:
            self.c = tfx.Variable(1.0)


def _fill(net):
    net.a.assign([[1.5, -2.0], [3.25, 1e-300]])
    net.b.assign([2 ** 40, -1, 7])
    net.items[0].assign(0.1)
    net.items[1]["flag"].assign([True, False, True, True])


def _values(net):
    return [net.a.numpy(), net.b.numpy(), net.items[0].numpy(), net.items[1]["flag"].numpy(),
            net.items[1]["empty"].numpy()]


def test_values_round_trip_numbered_saves_and_write(tmp_path):
    net = Net()
    _fill(net)
    ck = tfx.train.Checkpoint(net=net)
    p1 = ck.save(str(tmp_path / "ck"))
    p2 = ck.save(tmp_path / "ck")
    assert (p1, p2) == (str(tmp_path / "ck-1"), str(tmp_path / "ck-2"))
    assert int(ck.save_counter.numpy()) == 2 and ck.save_counter.dtype == tfx.int64
    assert ck.write(str(tmp_path / "w")) == str(tmp_path / "w")
    assert int(ck.save_counter.numpy()) == 2
    assert tfx.train.latest_checkpoint(str(tmp_path)) == p2
    for path in (p2, str(tmp_path / "w")):
        other = Net(flip=True)
        status = tfx.train.Checkpoint(net=other).restore(path)
        for got, want in zip(_values(other), _values(net)):
            assert got.dtype == want.dtype and np.array_equal(got, want)
        status.assert_consumed().assert_existing_objects_matched().assert_nontrivial_match()
    # read() leaves save_counter alone: the saved counter stays unmatched, as TF.
    status = tfx.train.Checkpoint(net=Net()).read(p2)
    with pytest.raises(AssertionError, match=r"\(root\)\.save_counter"):
        status.assert_consumed()
    assert status.expect_partial() is status
    assert status.run_restore_ops() is None


def test_restored_checkpoint_keeps_counting(tmp_path):
    ck = tfx.train.Checkpoint(net=Net())
    ck.save(str(tmp_path / "ck"))
    path = ck.save(str(tmp_path / "ck"))
    again = tfx.train.Checkpoint(net=Net())
    again.restore(path)
    assert again.save(str(tmp_path / "ck")) == str(tmp_path / "ck-3")


def test_restore_none_and_bad_arguments(tmp_path):
    status = tfx.train.Checkpoint(net=Net()).restore(None)
    for check in (status.assert_consumed, status.assert_existing_objects_matched,
                  status.assert_nontrivial_match):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            check()
    with pytest.raises(ValueError, match="`Checkpoint` was expecting x to be a trackable"):
        tfx.train.Checkpoint(x=3)
    with pytest.raises(AttributeError, match="save_counter"):
        tfx.train.Checkpoint(save_counter=tfx.Variable(1))
    with pytest.raises(NotFoundError, match="You may be missing the checkpoint suffix"):
        tfx.train.Checkpoint(net=Net()).restore(str(tmp_path / "nope"))
    assert tfx.train.latest_checkpoint(str(tmp_path / "none")) is None
    tfx.train.CheckpointOptions(experimental_io_device=None, enable_async=False)


def test_status_assertions_name_what_did_not_match(tmp_path):
    path = tfx.train.Checkpoint(net=Net(extra=True)).save(str(tmp_path / "ck"))
    status = tfx.train.Checkpoint(net=Net()).restore(path)
    status.assert_existing_objects_matched().assert_nontrivial_match()
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint \(root\)\.net\.c"
                       r": variable with checkpoint_key: \"net/c/\.ATTRIBUTES/VARIABLE_VALUE\""):
        status.assert_consumed()

    live = Net(extra=True)
    small = tfx.train.Checkpoint(net=Net()).save(str(tmp_path / "small"))
    status = tfx.train.Checkpoint(net=live).restore(small)
    with pytest.raises(AssertionError, match=r"Found 1 Python objects that were not bound to "
                       r"checkpointed values.*Showing 1 of 1 unmatched objects"):
        status.assert_consumed()
    with pytest.raises(AssertionError, match="Found 1 Python objects"):
        status.assert_existing_objects_matched()

    status = tfx.train.Checkpoint(other=tfx.Variable(1.0)).read(small)
    with pytest.raises(AssertionError, match="Nothing except the root object matched"):
        status.assert_nontrivial_match()


def test_keys_and_status_semantics_match_tensorflow(tmp_path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")

    def build(lib, extra):
        m = lib.Module()
        m.a = lib.Variable([1.0, 2.0])
        m.lst = [lib.Variable(3.0), {"k": lib.Variable(4.0), "j.x/y": lib.Variable(5.0)}]
        m.sub = lib.Module()
        m.sub.v = lib.Variable(6.0)
        if extra:
            m.b = lib.Variable(7.0)
        return m

    outcomes = {}
    for name, lib in (("tfx", tfx), ("tf", tf)):
        path = lib.train.Checkpoint(m=build(lib, False)).save(str(tmp_path / name / "ck"))
        keys = [k for k, _ in lib.train.list_variables(path) if k != "_CHECKPOINTABLE_OBJECT_GRAPH"]
        shapes = {k: list(s) for k, s in lib.train.list_variables(path)}
        res = []
        for extra_live, use_read in ((False, False), (True, False), (False, True)):
            ck = lib.train.Checkpoint(m=build(lib, extra_live))
            status = ck.read(path) if use_read else ck.restore(path)
            for check in ("assert_consumed", "assert_existing_objects_matched",
                          "assert_nontrivial_match"):
                try:
                    getattr(status, check)()
                    res.append("ok")
                except AssertionError:
                    res.append("raised")
        outcomes[name] = (keys, shapes, res)
        assert lib.train.load_variable(path, "m/sub/v/.ATTRIBUTES/VARIABLE_VALUE") == 6.0
    assert outcomes["tfx"][0] == outcomes["tf"][0]
    assert outcomes["tfx"][2] == outcomes["tf"][2]
    assert {k: v for k, v in outcomes["tf"][1].items() if not k.startswith("_")} == \
        outcomes["tfx"][1]


class Sub(K.Model):
    def __init__(self, flip=False):
        super().__init__()
        if flip:
            self.head = K.layers.Dense(2)
            self.hidden = K.layers.Dense(4, activation="tanh")
        else:
            self.hidden = K.layers.Dense(4, activation="tanh")
            self.head = K.layers.Dense(2)

    def call(self, x):
        return self.head(self.hidden(x))


def _weights(m):
    return [m.hidden.kernel, m.hidden.bias, m.head.kernel, m.head.bias]


def _step(model, opt):
    with tfx.GradientTape() as tape:
        loss = tfx.reduce_mean((model(X) - Y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))


def test_restore_into_model_built_in_a_different_order(tmp_path):
    m1 = Sub()
    m1(X)
    path = tfx.train.Checkpoint(model=m1).save(str(tmp_path / "ck"))
    K.layers.Dense(7)(X)  # more layers made first: automatic names differ
    m2 = Sub(flip=True)
    m2(X)
    assert m2.hidden.name != m1.hidden.name
    tfx.train.Checkpoint(model=m2).restore(path).assert_consumed()
    for a, b in zip(_weights(m1), _weights(m2)):
        assert np.array_equal(a.numpy(), b.numpy())


def test_deferred_restoration_of_layers_built_after_restore(tmp_path):
    m1 = K.Sequential([K.layers.Dense(4, activation="relu"), K.layers.Dense(2)])
    want = m1(X).numpy()
    path = tfx.train.Checkpoint(model=m1).save(str(tmp_path / "ck"))
    m2 = K.Sequential([K.layers.Dense(4, activation="relu"), K.layers.Dense(2)])
    status = tfx.train.Checkpoint(model=m2).restore(path)
    assert not m2.built
    with pytest.raises(AssertionError, match=r"model\.layer-\d\.(kernel|bias)"):
        status.assert_consumed()
    status.assert_nontrivial_match()
    got = m2(X).numpy()  # built now: the checkpoint's values, before the first output
    assert np.array_equal(got, want)
    status.assert_consumed()
    assert "__setattr__" not in vars(tfx.Module)  # nothing pending: the hook is gone


def test_optimizer_slots_restored_next_step_equals_uninterrupted_run(tmp_path):
    m1, o1 = Sub(), K.optimizers.Adam(0.01)
    for _ in range(3):
        _step(m1, o1)
    path = tfx.train.Checkpoint(model=m1, optimizer=o1).save(str(tmp_path / "ck"))
    keys = dict(tfx.train.list_variables(path))
    assert keys["model/hidden/kernel/.OPTIMIZER_SLOT/optimizer/momentum"] == [3, 4]
    assert keys["optimizer/iterations/.ATTRIBUTES/VARIABLE_VALUE"] == []
    _step(m1, o1)  # the uninterrupted run

    m2, o2 = Sub(flip=True), K.optimizers.Adam(0.01)
    status = tfx.train.Checkpoint(model=m2, optimizer=o2).restore(path)
    with pytest.raises(AssertionError, match="OPTIMIZER_SLOT"):
        status.assert_consumed()
    _step(m2, o2)
    status.assert_consumed()
    for a, b in zip(_weights(m1), _weights(m2)):
        assert np.array_equal(a.numpy(), b.numpy())
    assert int(o2.iterations.numpy()) == 4
    from tfx.train.object_graph import slot_variables

    def slots(m, o):  # keyed by the variable's place in the model, not by creation order
        where = {id(v): i for i, v in enumerate(_weights(m))}
        return {(where[id(ref)], name): s.numpy() for ref, name, s in slot_variables(o)}

    s1, s2 = slots(m1, o1), slots(m2, o2)
    assert sorted(s1) == sorted(s2) and len(s1) == 8
    for k in s1:
        assert np.array_equal(s1[k], s2[k])


def _sequential():
    m = K.Sequential([K.Input((3,)), K.layers.Dense(5, activation="relu"), K.layers.Dense(2)])
    m.compile(optimizer=K.optimizers.RMSprop(0.01, momentum=0.5), loss="mse")
    return m


def _functional():
    i = K.Input((3,))
    h = K.layers.Reshape((3, 1))(i)
    h = K.layers.LSTM(4)(h)
    h = K.layers.BatchNormalization()(h)
    inner = K.Sequential([K.layers.Dense(3), K.layers.Dropout(0.2), K.layers.Dense(2)])
    m = K.Model(i, inner(h))
    m.compile(optimizer=K.optimizers.Adam(0.01), loss="mse")
    return m


@pytest.mark.parametrize("model", [_sequential, _functional])
def test_fit_after_restore_equals_uninterrupted_fit(tmp_path, model):
    m1 = model()
    m1.fit(X, Y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    ck = tfx.train.Checkpoint(model=m1, optimizer=m1.optimizer)
    path = ck.save(str(tmp_path / "ck"))
    # As in Keras, a checkpoint holds no seed streams: dropout's masks come from the layer's
    # SeedGenerator, carried over by hand here.
    seeds = [g.state.numpy() for g in seed_generators(m1)]
    m1.fit(X, Y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    K.layers.Dense(3)  # other automatic layer names from here on
    m2 = model()
    status = tfx.train.Checkpoint(model=m2, optimizer=m2.optimizer).restore(path)
    for g, s in zip(seed_generators(m2), seeds):
        g.state.assign(s)
    m2.fit(X, Y, epochs=1, batch_size=4, verbose=0, shuffle=False)  # traced steps
    status.assert_consumed()
    for a, b in zip(m1.weights + m1.optimizer.variables, m2.weights + m2.optimizer.variables):
        assert np.array_equal(a.numpy(), b.numpy())


def test_checkpoint_manager_keeps_max_to_keep(tmp_path):
    net = Net()
    ck = tfx.train.Checkpoint(net=net)
    d = str(tmp_path / "run")
    manager = tfx.train.CheckpointManager(ck, d, max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == []
    paths = []
    for i in range(5):
        net.items[0].assign(float(i))
        paths.append(manager.save())
    assert paths == [os.path.join(d, f"ckpt-{i}") for i in range(1, 6)]
    assert manager.checkpoints == paths[-2:] and manager.latest_checkpoint == paths[-1]
    assert sorted(os.listdir(d)) == ["checkpoint", "ckpt-4.data-00000-of-00001", "ckpt-4.index",
                                     "ckpt-5.data-00000-of-00001", "ckpt-5.index"]
    assert tfx.train.latest_checkpoint(d) == paths[-1]
    assert manager.save(checkpoint_number=100) == os.path.join(d, "ckpt-100")
    again = tfx.train.CheckpointManager(ck, d, max_to_keep=2)
    assert again.checkpoints == [paths[-1], os.path.join(d, "ckpt-100")]
    other = Net()
    assert tfx.train.CheckpointManager(tfx.train.Checkpoint(net=other), d, 2) \
        .restore_or_initialize() == os.path.join(d, "ckpt-100")
    assert other.items[0].numpy() == 4.0
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for "
                       "`max_to_keep`, got 0."):
        tfx.train.CheckpointManager(ck, d, max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed"):
        tfx.train.CheckpointManager(ck, d, 2, checkpoint_interval=5)
    called = []
    fresh = tfx.train.CheckpointManager(ck, str(tmp_path / "empty"), max_to_keep=None,
                                        init_fn=lambda: called.append(1))
    assert fresh.restore_or_initialize() is None and called == [1]


def test_checkpoint_manager_step_counter_and_interval(tmp_path):
    step = tfx.Variable(0, dtype=tfx.int64)
    ck = tfx.train.Checkpoint(step=step)
    manager = tfx.train.CheckpointManager(ck, str(tmp_path), max_to_keep=None,
                                          step_counter=step, checkpoint_interval=3)
    saved = []
    for i in range(8):
        step.assign(i)
        saved.append(manager.save())
    assert [os.path.basename(p) for p in saved if p] == ["ckpt-0", "ckpt-3", "ckpt-6"]


_CHILD = textwrap.dedent("""
    import sys, numpy as np, tfx
    net = tfx.Module()
    net.big = tfx.Variable(np.zeros(1_000_000, "float32"))
    net.step = tfx.Variable(0, dtype=tfx.int64)
    manager = tfx.train.CheckpointManager(tfx.train.Checkpoint(net=net), sys.argv[1],
                                          max_to_keep=3)
    i = 0
    while True:
        i += 1
        net.big.assign(np.full(1_000_000, i, "float32"))
        net.step.assign(i)
        manager.save()
        print(i, flush=True)
""")

_RESTORE = textwrap.dedent("""
    import os, sys, numpy as np, tfx
    net = tfx.Module()
    net.big = tfx.Variable(np.zeros(1_000_000, "float32"))
    net.step = tfx.Variable(0, dtype=tfx.int64)
    latest = tfx.train.latest_checkpoint(sys.argv[1])
    indexes = [f[:-len(".index")] for f in os.listdir(sys.argv[1]) if f.endswith(".index")]
    for name in sorted(indexes) + [os.path.basename(latest)]:  # every visible one is whole
        tfx.train.Checkpoint(net=net).restore(os.path.join(sys.argv[1], name)).assert_consumed()
        i = int(net.step.numpy())
        assert np.all(net.big.numpy() == i), "values of two different saves"
    print(i, latest)
""")


def test_checkpoint_of_a_killed_process_restores_in_a_new_one(tmp_path):
    d = str(tmp_path / "run")
    child = subprocess.Popen([sys.executable, "-c", _CHILD, d], stdout=subprocess.PIPE,
                             text=True)
    try:
        lines = [child.stdout.readline() for _ in range(4)]
        time.sleep(0.1)  # a save takes ~0.3 s (fsyncs): the kill lands inside one
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert all(line.strip() for line in lines), lines
    done = subprocess.run([sys.executable, "-c", _RESTORE, d], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    step, path = done.stdout.split()
    assert int(step) >= 4 and path.endswith(f"ckpt-{step}")
    assert len([f for f in os.listdir(d) if f.endswith(".index")]) <= 4


# ---- hostile and corrupt files -----------------------------------------------------------------

def _saved(tmp_path):
    net = Net()
    _fill(net)
    return tfx.train.Checkpoint(net=net).write(str(tmp_path / "ck"))


def _restore(path):
    return tfx.train.Checkpoint(net=Net()).restore(path)


def _edit_index(path, edit):
    with open(path + ".index") as f:
        index = json.load(f)
    edit(index)
    with open(path + ".index", "w") as f:
        json.dump(index, f)


def test_refuses_foreign_or_newer_index(tmp_path):
    path = _saved(tmp_path)
    raw = open(path + ".index", "rb").read()
    with open(path + ".index", "wb") as f:
        f.write(b"\x80\x04\x95" + raw)  # a pickle header: never unpickled
    with pytest.raises(DataLossError, match="not a tfx checkpoint"):
        _restore(path)
    with open(path + ".index", "wb") as f:
        f.write(raw)
    _edit_index(path, lambda ix: ix.update(format="other"))
    with pytest.raises(DataLossError, match="not a tfx checkpoint"):
        _restore(path)
    _edit_index(path, lambda ix: ix.update(format="tfx.train.Checkpoint", version=99))
    with pytest.raises(DataLossError, match="format version 99"):
        _restore(path)
    _edit_index(path, lambda ix: ix.update(version=1, nodes=[{"children": [["x", 7]]}]))
    with pytest.raises(DataLossError, match="malformed children"):
        _restore(path)


def test_refuses_altered_data_and_escaping_paths(tmp_path):
    path = _saved(tmp_path)
    data = path + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[-1] ^= 1
    open(data, "wb").write(bytes(raw))
    with pytest.raises(DataLossError, match="does not match the index"):
        _restore(path)
    _edit_index(path, lambda ix: ix["data"].update(file="../../etc/passwd"))
    with pytest.raises(DataLossError, match="not a plain file name"):
        _restore(path)


def test_refuses_missing_tensors_and_reports_shape_mismatch(tmp_path):
    import hashlib
    from safetensors.numpy import save
    path = _saved(tmp_path)
    data = save({"unrelated": np.zeros(2, "float32")})
    open(path + ".data-00000-of-00001", "wb").write(data)
    _edit_index(path, lambda ix: ix["data"].update(bytes=len(data),
                                                   sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(DataLossError, match="holds no tensor for 'net/a/.ATTRIBUTES"):
        _restore(path)

    path = _saved(tmp_path)
    small = Net()
    small.a = tfx.Variable(np.zeros((3, 2), "float64"))
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \(2, 2\) when "
                       r"attempting to restore variable with shape \(3, 2\).*net/a/"):
        tfx.train.Checkpoint(net=small).restore(path)
    small.a = tfx.Variable(np.zeros((2, 2), "float32"))
    with pytest.raises(ValueError, match="dtype float64.*dtype float32"):
        tfx.train.Checkpoint(net=small).restore(path)


def test_list_and_load_variables(tmp_path):
    path = _saved(tmp_path)
    names = dict(tfx.train.list_variables(path))
    assert names["net/a/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 2]
    assert names["net/items/1/empty/.ATTRIBUTES/VARIABLE_VALUE"] == [0, 3]
    assert list(names) == sorted(names)
    a = tfx.train.load_variable(path, "net/b/.ATTRIBUTES/VARIABLE_VALUE")
    assert a.dtype == np.int64 and a.tolist() == [2 ** 40, -1, 7]
    with pytest.raises(NotFoundError, match="Key net/a not found in checkpoint"):
        tfx.train.load_variable(path, "net/a")
    tfx.train.CheckpointManager(tfx.train.Checkpoint(net=Net()), str(tmp_path / "d"), 1).save()
    assert tfx.train.list_variables(str(tmp_path / "d"))[0][0].startswith("net/")


def test_root_object_and_attributes_added_after_restore(tmp_path):
    dense = K.layers.Dense(2)
    dense.build((None, 3))
    path = tfx.train.Checkpoint(dense, extra=tfx.Variable(5.0)).save(str(tmp_path / "ck"))
    assert [k for k, _ in tfx.train.list_variables(path)] == [
        "bias/.ATTRIBUTES/VARIABLE_VALUE", "extra/.ATTRIBUTES/VARIABLE_VALUE",
        "kernel/.ATTRIBUTES/VARIABLE_VALUE", "save_counter/.ATTRIBUTES/VARIABLE_VALUE"]
    later = tfx.train.Checkpoint(K.layers.Dense(2))
    status = later.restore(path)
    later.extra = tfx.Variable(0.0)  # a checkpoint attribute made after restore
    assert later.extra.numpy() == 5.0
    later.root(np.ones((1, 3), "float32"))  # the root layer built after restore
    status.assert_consumed()
    assert np.array_equal(later.root.kernel.numpy(), dense.kernel.numpy())


def test_keep_checkpoint_every_n_hours_keeps_old_ones_on_disk(tmp_path):
    ck = tfx.train.Checkpoint(net=Net())
    manager = tfx.train.CheckpointManager(ck, str(tmp_path), max_to_keep=1,
                                          keep_checkpoint_every_n_hours=1e-9)
    for _ in range(3):
        time.sleep(0.01)
        manager.save()
    assert manager.checkpoints == [str(tmp_path / "ckpt-3")]
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == [
        "ckpt-1.index", "ckpt-2.index", "ckpt-3.index"]


def test_refuses_a_foreign_state_file(tmp_path):
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-1"\n')
    with pytest.raises(DataLossError, match="not a tfx checkpoint state file"):
        tfx.train.latest_checkpoint(str(tmp_path))
    (tmp_path / "checkpoint").write_text('{"format": "tfx.train.CheckpointState", '
                                         '"model_checkpoint_path": 3}')
    with pytest.raises(DataLossError, match="not a tfx checkpoint state file"):
        tfx.train.CheckpointManager(tfx.train.Checkpoint(net=Net()), str(tmp_path), 2)


def test_load_checkpoint_reader_and_checkpoints_iterator(tmp_path):
    path = _saved(tmp_path)
    reader = tfx.train.load_checkpoint(path)
    shapes = reader.get_variable_to_shape_map()
    assert shapes["net/a/.ATTRIBUTES/VARIABLE_VALUE"] == [2, 2]
    assert reader.get_variable_to_dtype_map()["net/b/.ATTRIBUTES/VARIABLE_VALUE"] is tfx.int64
    assert reader.has_tensor("net/a/.ATTRIBUTES/VARIABLE_VALUE") and not reader.has_tensor("x")
    assert reader.get_tensor("net/a/.ATTRIBUTES/VARIABLE_VALUE")[1, 0] == 3.25
    with pytest.raises(NotFoundError):
        reader.get_tensor("x")
    manager = tfx.train.CheckpointManager(tfx.train.Checkpoint(net=Net()), str(tmp_path / "r"),
                                          max_to_keep=3)
    first = manager.save()
    seen = list(tfx.train.checkpoints_iterator(str(tmp_path / "r"), timeout=0.05))
    assert seen == [first]
