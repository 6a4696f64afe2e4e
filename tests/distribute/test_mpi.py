"""tfx.distribute.MPIStrategy with real processes: ``mpiexec -n 2`` runs this file's scenarios
(``python test_mpi.py SCENARIO OUT``); the tests read what each rank saved and compare it with
a single process. Skipped where mpi4py or mpiexec is missing (``pip install 'tfx[mpi]'``)."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
N, VAL, D = 96, 31, 8


def _mpiexec():
    local = Path(sys.executable).parent / "mpiexec"
    return str(local) if local.exists() else shutil.which("mpiexec")


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N + VAL, D)).astype(np.float32)
    y = (x @ rng.normal(size=(D, 1)) + 0.1 * rng.normal(size=(N + VAL, 1))).astype(np.float32)
    return x[:N], y[:N], x[N:], y[N:]


def _model(tfx, optimizer):
    model = tfx.keras.Sequential([tfx.keras.Input((D,)),
                                  tfx.keras.layers.Dense(16, activation="relu"),
                                  tfx.keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


# -- the scenarios, run on every rank -----------------------------------------------------------

def scenario_train(tfx, strategy, out):
    """Ranks seeded differently: fit, evaluate and a custom loop must still agree bitwise."""
    rank = strategy.rank
    x, y, _, _ = _data()
    tfx.keras.utils.set_random_seed(100 + rank)
    with strategy.scope():
        model = _model(tfx, tfx.keras.optimizers.Adam(0.01))
    before = model.get_weights()
    hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=True, validation_split=0.25,
                     verbose=0).history
    ev = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)

    custom = _model(tfx, "sgd")
    opt = tfx.keras.optimizers.SGD(0.1)
    strategy.broadcast_variables(custom.variables)
    xs, ys = x[rank::2], y[rank::2]
    for step in range(4):
        xb, yb = xs[step * 8:(step + 1) * 8], ys[step * 8:(step + 1) * 8]
        with tfx.GradientTape() as tape:
            loss = tfx.reduce_mean(tfx.square(custom(xb) - yb))
        grads = strategy.allreduce_gradients(tape.gradient(loss, custom.trainable_variables))
        opt.apply_gradients(zip(grads, custom.trainable_variables))
    reduced = [strategy.reduce("SUM", float(rank + 1)),
               strategy.run(lambda: strategy.reduce("MEAN", [[rank, 10.0 * rank]], axis=0)),
               strategy.reduce(tfx.distribute.ReduceOp.MEAN, [1 + rank, 3 + rank], axis=0)]
    np.savez(out / f"rank{rank}.npz", **_arrays("before", before),
             **_arrays("after", model.get_weights()), **_arrays("custom", custom.get_weights()),
             **_arrays("reduced", [np.asarray(r) for r in reduced]))
    (out / f"rank{rank}.json").write_text(json.dumps({"history": hist, "evaluate": ev}))


def scenario_equivalent(tfx, strategy, out):
    """Batch 8 on each of 2 ranks, to compare with batch 16 on one process."""
    x, y, xv, yv = _data()
    tfx.keras.utils.set_random_seed(7)
    with strategy.scope():
        model = _model(tfx, tfx.keras.optimizers.SGD(0.05))
    hist = model.fit(x, y, batch_size=8, epochs=3, shuffle=True, validation_data=(xv, yv),
                     verbose=0).history
    if strategy.is_chief:
        np.savez(out / "weights.npz", *model.get_weights())
        (out / "history.json").write_text(json.dumps(hist))


def _failing(tfx, strategy, out, fail):
    x, y, _, _ = _data()
    tfx.keras.utils.set_random_seed(1)
    with strategy.scope():
        model = _model(tfx, "sgd")
    cb = tfx.keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: setattr(cb, "epoch", epoch),
        on_train_batch_end=lambda batch, logs: strategy.rank == 1 and cb.epoch == 1 and
        batch == 2 and fail())
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[cb])
    if strategy.is_chief:
        model.save(str(out / "model.tfx"))


def scenario_dies(tfx, strategy, out):
    _failing(tfx, strategy, out, lambda: os._exit(3))


def scenario_hangs(tfx, strategy, out):
    _failing(tfx, strategy, out, lambda: time.sleep(120))


def scenario_backup(tfx, strategy, out, mode):
    """3 epochs with BackupAndRestore: ``full``, or ``interrupted`` (rank 1 dies in the last
    epoch) then ``resumed``."""
    x, y, _, _ = _data()
    # Another seed for the resumed run: only a restore (weights, optimizer, rank 0's random
    # streams) can make it end where the full run does.
    tfx.keras.utils.set_random_seed(4 if mode == "resumed" else 3)
    with strategy.scope():
        model = _model(tfx, tfx.keras.optimizers.Adam(0.01))
    callbacks = [tfx.keras.callbacks.BackupAndRestore(str(out / "backup"))]
    if mode == "interrupted":
        callbacks.append(tfx.keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: strategy.rank == 1 and epoch == 2 and
            os._exit(3)))
    hist = model.fit(x, y, batch_size=8, epochs=3, shuffle=True, verbose=0,
                     callbacks=callbacks)
    np.savez(out / f"{mode}{strategy.rank}.npz", *model.get_weights(), epochs=hist.epoch)


def scenario_stop(tfx, strategy, out):
    """Rank 1 alone asks to stop in the first epoch: both ranks end after it."""
    x, y, _, _ = _data()
    with strategy.scope():
        model = _model(tfx, "sgd")
    cb = tfx.keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: strategy.rank == 1 and batch == 1 and
        setattr(model, "stop_training", True))
    hist = model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[cb])
    (out / f"rank{strategy.rank}.json").write_text(json.dumps(hist.epoch))


def scenario_tiny_evaluate(tfx, strategy, out):
    x, y, _, _ = _data()
    with strategy.scope():
        model = _model(tfx, "sgd")
    model.evaluate(x[:1], y[:1], verbose=0)


def _arrays(prefix, arrays):
    return {f"{prefix}_{i}": a for i, a in enumerate(arrays)}


def _read(path, prefix):
    with np.load(path) as f:
        return [f[k] for k in sorted((k for k in f.files if k.startswith(prefix + "_")),
                                     key=lambda k: int(k.rsplit("_", 1)[1]))]


# -- the tests ----------------------------------------------------------------------------------

needs_mpi = pytest.mark.skipif(
    _mpiexec() is None or __import__("importlib").util.find_spec("mpi4py") is None,
    reason="needs mpi4py and mpiexec: pip install 'tfx[mpi]'")


class FakeComm:
    """Rank ``rank`` of ``size`` without MPI (collectives leave buffers as they are)."""

    def __init__(self, rank, size):
        self.rank, self.size = rank, size

    def bcast(self, buffers, what, root=0):
        pass


def _shards(rank, size, lockstep):
    from tfx.distribute.strategy import Shards
    return Shards(FakeComm(rank, size), lockstep)


@pytest.mark.parametrize("n", [12, 11, 2])
def test_shards_split_one_order_between_ranks(n):
    size = 3
    for lockstep in (True, False):
        parts = [_shards(r, size, lockstep).indices(n, shuffle=False) for r in range(size)]
        joined = np.concatenate(parts)
        if lockstep:  # equal shares; the order wraps around to fill the last slots
            assert {len(p) for p in parts} == {-(-n // size)}
            extra = np.arange(len(joined) - n)  # the first samples, read twice
            np.testing.assert_array_equal(np.sort(joined),
                                          np.sort(np.concatenate([np.arange(n), extra])))
        else:
            np.testing.assert_array_equal(np.sort(joined), np.arange(n))
        for r, part in enumerate(parts):
            np.testing.assert_array_equal(part, np.resize(np.arange(n), len(joined))[r::size])


def test_rank_zero_draws_the_shuffle_from_tfx_seeded_streams():
    import tfx
    from tfx.ops.random_ops import _generator
    tfx.keras.utils.set_random_seed(5)
    expected = _generator(None).permutation(10)
    tfx.keras.utils.set_random_seed(5)
    np.testing.assert_array_equal(_shards(0, 2, True).indices(10, shuffle=True), expected[0::2])


def test_each_step_of_two_ranks_is_half_of_one_rank_with_twice_the_batch():
    from tfx.keras.trainers.data import DataHandler
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    whole = [np.asarray(b[0]) for _, b in DataHandler(x, batch_size=4).steps()]
    ranks = [[np.asarray(b[0]) for _, b in DataHandler(
        x, batch_size=2, shards=_shards(r, 2, True)).steps()] for r in (0, 1)]
    assert len(ranks[0]) == len(ranks[1]) == len(whole) == 3
    for step, batch in enumerate(whole):
        both = np.concatenate([ranks[0][step], ranks[1][step]])
        np.testing.assert_array_equal(np.sort(both[:, 0]), np.sort(batch[:, 0]))


class _Batches:
    def __init__(self, n, sized=True):
        self.n, self.sized = n, sized

    def __iter__(self):
        return ((np.full((2, 1), i, np.float32), np.zeros((2, 1), np.float32))
                for i in range(self.n))

    def __len__(self):
        if not self.sized:
            raise TypeError("no len")
        return self.n


def test_batches_of_an_iterable_go_round_robin_to_the_ranks():
    from tfx.keras.trainers.data import DataHandler
    seen = {}
    for r in (0, 1):
        h = DataHandler(_Batches(5), shards=_shards(r, 2, True))
        seen[r] = [float(np.asarray(b[0])[0, 0]) for _, b in h.steps()]
    assert seen == {0: [0.0, 2.0], 1: [1.0, 3.0]}  # lockstep: the fifth batch is dropped
    h = DataHandler(_Batches(5), shards=_shards(0, 2, False))
    assert [float(np.asarray(b[0])[0, 0]) for _, b in h.steps()] == [0.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="steps_per_epoch"):
        DataHandler(_Batches(5, sized=False), shards=_shards(0, 2, True))


def test_launched_size_reads_the_launchers_environment():
    from tfx.distribute import launched_size
    assert launched_size({}) == 1
    assert launched_size({"PMI_SIZE": "4"}) == 4
    assert launched_size({"OMPI_COMM_WORLD_SIZE": "2"}) == 2


def test_pack_and_unpack_round_trip_in_buckets():
    from tfx.distribute import mpi
    arrays = [np.arange(6, dtype=np.float32).reshape(2, 3), np.arange(5, dtype=np.int64),
              np.ones((3, 3), np.float32), np.float16([1.5, 2.5]), np.array(7.0)]
    for raw in (False, True):
        buckets = mpi.pack(arrays, bucket_bytes=32, raw=raw)
        assert len(buckets) >= 3
        for a, b in zip(arrays, mpi.unpack(buckets, arrays)):
            assert a.dtype == b.dtype and a.shape == b.shape and b.flags.aligned
            np.testing.assert_array_equal(a, b)


def test_without_mpi4py_the_strategy_says_how_to_install_it(monkeypatch):
    import tfx
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r"pip install 'tfx\[mpi\]'"):
        tfx.distribute.MPIStrategy()


def test_default_strategy_and_scopes():
    import tfx
    from tfx.distribute.mpi import LocalCommunicator
    from tfx.distribute.strategy import Strategy
    default = tfx.distribute.get_strategy()
    assert not tfx.distribute.has_strategy() and default.num_replicas_in_sync == 1
    a, b = Strategy(LocalCommunicator()), Strategy(LocalCommunicator())
    with a.scope():
        assert tfx.distribute.get_strategy() is a and tfx.distribute.has_strategy()
        with pytest.raises(ValueError, match="Mixing"):
            with b.scope():
                pass
    assert tfx.distribute.get_strategy() is default
    # TensorFlow's default strategy gives these (a MEAN of integers is a float64).
    assert float(default.reduce("SUM", [1.0, 2.0], axis=0)) == 3.0
    np.testing.assert_array_equal(default.reduce("MEAN", [[1.0, 2.0], [3.0, 5.0]], axis=0),
                                  [2.0, 3.5])
    mean = default.reduce(tfx.distribute.ReduceOp.MEAN, [3, 4], axis=0)
    assert mean.dtype == tfx.float64 and float(mean) == 3.5
    assert default.run(lambda v: v * 2, args=(3,)) == 6
    with pytest.raises(ValueError, match="'MAX' is not a valid ReduceOp"):
        default.reduce("MAX", 1.0)


def _launch(args, collective_timeout="60", timeout=120):
    env = dict(os.environ, OMP_NUM_THREADS="1", TFX_NUM_THREADS="1",
               TFX_DISTRIBUTE_TIMEOUT=collective_timeout)
    start = time.monotonic()
    proc = subprocess.run([_mpiexec(), "-n", "2", *args], cwd=REPO, env=env, timeout=timeout,
                          capture_output=True, text=True)
    return proc, time.monotonic() - start


def _run(scenario, tmp_path, *extra, collective_timeout="60"):
    return _launch([sys.executable, str(HERE), scenario, str(tmp_path), *extra],
                   collective_timeout)


def _single_process_model(tfx, optimizer, seed):
    tfx.keras.utils.set_random_seed(seed)
    return _model(tfx, optimizer)


@needs_mpi
def test_ranks_hold_identical_weights_and_global_metrics(tmp_path):
    import tfx
    proc, _ = _run("train", tmp_path)
    assert proc.returncode == 0, proc.stderr
    r0, r1 = tmp_path / "rank0.npz", tmp_path / "rank1.npz"
    # Seeded differently, the ranks built different weights; rank 0's were broadcast.
    assert any(not np.array_equal(a, b) for a, b in zip(_read(r0, "before"), _read(r1, "before")))
    for prefix in ("after", "custom"):
        for a, b in zip(_read(r0, prefix), _read(r1, prefix)):
            assert a.tobytes() == b.tobytes()
    logs0, logs1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert logs0 == logs1
    assert set(logs0["history"]) == {"loss", "mae", "val_loss", "val_mae"}
    # evaluate's metrics cover both ranks' halves: one process on all the data agrees.
    x, y, _, _ = _data()
    model = _single_process_model(tfx, "sgd", 0)
    model.set_weights(_read(r0, "after"))
    ev = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    for k in ("loss", "mae"):
        np.testing.assert_allclose(logs0["evaluate"][k], ev[k], rtol=1e-5)
    total, mean_rows, int_mean = _read(r0, "reduced")
    assert total == 3.0
    np.testing.assert_array_equal(mean_rows, [0.5, 5.0])
    assert int_mean.dtype == np.float64 and int_mean == 2.5


@needs_mpi
def test_two_ranks_match_one_process_with_twice_the_batch(tmp_path):
    import tfx
    proc, _ = _run("equivalent", tmp_path)
    assert proc.returncode == 0, proc.stderr
    x, y, xv, yv = _data()
    model = _single_process_model(tfx, tfx.keras.optimizers.SGD(0.05), 7)
    hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=True, validation_data=(xv, yv),
                     verbose=0).history
    for a, b in zip(_read_all(tmp_path / "weights.npz"), model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    logged = json.loads((tmp_path / "history.json").read_text())
    for k, v in hist.items():
        np.testing.assert_allclose(logged[k], v, rtol=1e-5)


@needs_mpi
@pytest.mark.parametrize("scenario", ["dies", "hangs"])
def test_a_lost_rank_ends_the_job_without_a_model_file(tmp_path, scenario):
    # A dead rank: mpiexec ends the job. A hung one: the others' collectives time out.
    proc, seconds = _run(scenario, tmp_path, collective_timeout="3")
    assert proc.returncode != 0
    assert seconds < 40
    assert not list(tmp_path.iterdir())
    if scenario == "hangs":
        assert "waited 3 s for the allreduce of gradients" in proc.stderr
        assert "another rank has died or hung" in proc.stderr


@needs_mpi
def test_a_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path):
    full, cut = tmp_path / "full", tmp_path / "cut"
    full.mkdir(), cut.mkdir()
    assert _run("backup", full, "full")[0].returncode == 0
    assert _run("backup", cut, "interrupted")[0].returncode != 0
    assert (cut / "backup").is_dir() and not (cut / "interrupted0.npz").exists()
    proc, _ = _run("backup", cut, "resumed")
    assert proc.returncode == 0, proc.stderr
    for rank in (0, 1):
        with np.load(cut / f"resumed{rank}.npz") as f:
            assert list(f["epochs"]) == [2]  # both ranks ran only the epoch left
        for a, b in zip(_read_all(full / "full0.npz"), _read_all(cut / f"resumed{rank}.npz")):
            assert a.tobytes() == b.tobytes()
    assert not (cut / "backup").exists()  # removed by rank 0 when training ended


@needs_mpi
def test_a_stop_one_rank_asks_for_ends_every_rank_at_the_epoch_end(tmp_path):
    proc, _ = _run("stop", tmp_path)
    assert proc.returncode == 0, proc.stderr
    for rank in (0, 1):
        assert json.loads((tmp_path / f"rank{rank}.json").read_text()) == [0]


@needs_mpi
def test_an_evaluation_some_rank_gets_no_batch_of_is_an_error(tmp_path):
    proc, seconds = _run("tiny_evaluate", tmp_path)
    assert proc.returncode != 0 and seconds < 40
    assert "some rank evaluated no batch" in proc.stderr


def _read_all(path):
    with np.load(path) as f:
        return [f[k] for k in sorted((k for k in f.files if k.startswith("arr_")),
                                     key=lambda k: int(k[4:]))]


@needs_mpi
def test_cli_under_mpiexec_writes_one_run_folder(tmp_path):
    tfx_script = Path(sys.executable).parent / "tfx"
    command = [str(tfx_script)] if tfx_script.exists() else \
        [sys.executable, "-c", "from tfx.cli.app import main; main()"]
    out = tmp_path / "run"
    proc, _ = _launch([*command, "train", "configs/housing.yaml", "training.epochs=1", "-o",
                       str(out)], timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("run folder:") == 1
    assert proc.stdout.count("Epoch 1/1") == 1  # only rank 0 prints progress
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert {"model.tfx", "metrics.json", "history.csv", "spec.yaml"} <= \
        {p.name for p in out.iterdir()}


if __name__ == "__main__":
    import tfx
    scenario, folder = sys.argv[1], Path(sys.argv[2])
    globals()[f"scenario_{scenario}"](tfx, tfx.distribute.MPIStrategy(), folder, *sys.argv[3:])
