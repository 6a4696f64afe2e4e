"""``tfx train``: spec -> run folder with model, history, metrics, plots and the resolved spec."""
import os
import time

import yaml

from . import runs
from .spec.errors import SpecErrors, SpecProblem

__all__ = ["run_training", "prepare"]


class Prepared:
    """Everything built from a spec, before training."""


def prepare(loaded, seed_override=None, max_rows=None):
    """Data read, model built and compiled; ``max_rows`` reads only the first rows of each
    data file (a dry build)."""
    import tfx
    from .build import (build_callbacks, build_loss, build_metrics, build_model,
                        build_optimizer)
    from .datasets import load_source
    spec = loaded.spec
    seed = seed_override if seed_override is not None else spec.seed
    if seed is not None:
        tfx.keras.utils.set_random_seed(int(seed))
    p = Prepared()
    p.seed = seed
    problems = []
    if spec.device == "gpu" and not tfx.config.list_physical_devices("GPU"):
        problems.append(SpecProblem(("device",), "gpu requested, but no GPU is visible (install "
                                    "tfx[gpu] with CuPy on a machine with a CUDA GPU, or use "
                                    "device: cpu)"))
        raise SpecErrors(problems, loaded.source)
    tfx.config.set_default_device(spec.device)  # "auto": the GPU when one is visible
    splits = {}
    for name in ("train", "validation", "test"):
        src = getattr(spec.data, name)
        if src is None:
            continue
        try:
            splits[name] = load_source(src, loaded.base_dir, max_rows)
        except (ValueError, OSError) as e:
            problems.append(SpecProblem(("data", name), str(e)))
    if problems:
        raise SpecErrors(problems, loaded.source)
    p.splits = splits
    train = splits["train"]
    if train.stream is not None:
        for key, bad in ((("data", "validation_split"), spec.data.validation_split),
                         (("training", "class_weight"), spec.training.class_weight)):
            if bad:
                problems.append(SpecProblem(key, "needs the training data in memory; with "
                                                 "data.train.stream give data.validation a "
                                                 "file instead" if key[1] ==
                                                 "validation_split" else
                                                 "is not supported with data.train.stream"))
        if problems:
            raise SpecErrors(problems, loaded.source)
    normalizer = None
    if spec.data.standardize:
        normalizer = tfx.keras.layers.Normalization(name="standardize")
        # a streamed file is adapted over all its rows, block by block
        normalizer.adapt(train.x if train.stream is None else
                         train.dataset(4096, False, None).map(lambda x, y: x))
    try:
        p.model = build_model(spec, train.x, normalizer)
    except Exception as e:  # a dry build failing is a spec problem: say which layer
        problems.append(SpecProblem(_locate_layer(loaded, e), f"the model does not build: "
                                    f"{type(e).__name__}: {e}"))
        raise SpecErrors(problems, loaded.source) from None
    t = spec.training
    p.optimizer = build_optimizer(t.optimizer)
    p.loss = build_loss(t.loss)
    p.metrics = build_metrics(t.metrics)
    p.callbacks = build_callbacks(t.callbacks)
    p.model.compile(optimizer=p.optimizer, loss=p.loss, metrics=p.metrics,
                    loss_weights=t.loss_weights)
    return p


def _locate_layer(loaded, exc):
    """Point a build error at the layer it came from (named in the message, or tagged)."""
    model = loaded.data.get("model")
    layers = model if isinstance(model, list) else (model.get("layers") or []
                                                    if isinstance(model, dict) else [])
    msg = str(exc)
    from .spec.check import component_parts
    for i, l in enumerate(layers):
        name, args, form = component_parts(l)
        lname = args.get("name") if args else None
        if lname and lname in msg:
            return (("model", i) if isinstance(model, list) else ("model", "layers", i))
    idx = getattr(exc, "_tfx_layer_index", None)
    if idx is not None:
        return ("model", idx) if isinstance(model, list) else ("model", "layers", idx)
    return ("model",)


def run_training(loaded, output=None, overwrite=False, seed=None, console=None, resume=None):
    """Train as the spec says and fill a run folder. Returns the run folder path (None on the
    ranks other than 0 of a distributed run) and the final metrics. With ``resume`` (a run
    folder), training continues from that run's last backup, at the batch it reached."""
    import tfx
    spec = loaded.spec
    p = prepare(loaded, seed)
    # tfx.distribute: every rank trains, only rank 0 (the chief) writes the run folder.
    chief = tfx.distribute.get_strategy().is_chief
    if resume is not None:
        run_dir = _check_resumable(loaded, p, resume)
    else:
        run_dir = _start_run_folder(loaded, p, output, overwrite) if chief else None

    t = spec.training
    train = p.splits["train"]
    val = p.splits.get("validation")
    callbacks = []
    if chief:
        # The backup comes first, so an epoch is in the backup before it is in history.csv.
        callbacks += [_RunBackup(os.path.join(run_dir, "backup"), t.backup),
                      _RunHistory(os.path.join(run_dir, "history.csv")),
                      _RunLog(os.path.join(run_dir, "train.log"))]
    callbacks += list(p.callbacks)
    if spec.output.tensorboard and chief:
        try:
            from tfx.keras.callbacks import TensorBoard
            callbacks.append(TensorBoard(log_dir=os.path.join(run_dir, "tensorboard")))
        except (ImportError, AttributeError):
            pass
    start = time.perf_counter()
    if train.stream is not None:  # batches read from the file while training
        data = dict(x=train.dataset(t.batch_size, spec.data.shuffle, p.seed), y=None)
    else:
        data = dict(x=train.x, y=train.y, batch_size=t.batch_size,
                    validation_split=spec.data.validation_split if val is None else 0.0,
                    shuffle=spec.data.shuffle, class_weight=t.class_weight)
    history = p.model.fit(**data, epochs=t.epochs, verbose=t.verbose, callbacks=callbacks,
                          validation_data=(val.x, val.y) if val is not None else None,
                          steps_per_epoch=t.steps_per_epoch, validation_freq=t.validation_freq)
    train_seconds = time.perf_counter() - start
    metrics = {"train": {k: v[-1] for k, v in history.history.items()
                         if not k.startswith("val_")},
               "validation": {k[4:]: v[-1] for k, v in history.history.items()
                              if k.startswith("val_")} or None,
               "train_seconds": round(train_seconds, 3)}
    test = p.splits.get("test")
    if test is not None:
        metrics["test"] = p.model.evaluate(test.x, test.y, batch_size=t.batch_size,
                                           verbose=0, return_dict=True)
    if not chief:
        return None, metrics
    full = callbacks[1].history  # every epoch, the ones before a resume included
    metrics["train"] = {k: v[-1] for k, v in full.items() if not k.startswith("val_")}
    metrics["validation"] = {k[4:]: v[-1] for k, v in full.items()
                             if k.startswith("val_")} or None
    runs.write_json(os.path.join(run_dir, "metrics.json"), metrics)
    p.model.save(os.path.join(run_dir, "model.tfx"))
    if spec.output.plots:
        from . import plots
        plots.learning_curves(full, os.path.join(run_dir, "learning_curves.svg"))
        split, x, y = _held_out(p.splits, spec.data.validation_split)
        y_pred = p.model.predict(x, batch_size=256, verbose=0)
        if not isinstance(y_pred, (list, dict)):
            if _is_classification(loaded, y_pred):
                plots.confusion_matrix(y, y_pred, os.path.join(run_dir, "confusion_matrix.svg"),
                                       split)
            else:
                plots.predicted_vs_true(y, y_pred, os.path.join(run_dir,
                                                                "predicted_vs_true.svg"), split)
    return run_dir, metrics


def _held_out(splits, validation_split):
    """(name, x, y) of the data the plots judge: the test split, else the validation split,
    else the samples ``validation_split`` held out of the training data (Keras takes the last
    ones), else the training data."""
    for name in ("test", "validation"):
        if splits.get(name) is not None:
            return name, splits[name].x, splits[name].y
    train = splits["train"]
    if not validation_split:
        return "train", train.x, train.y
    from tfx import nest
    n = len(train.y) if not isinstance(train.y, dict) else len(next(iter(train.y.values())))
    start = int(n * (1.0 - validation_split))
    tail = lambda a: nest.map_structure(lambda v: v[start:], a)  # noqa: E731
    return "validation", tail(train.x), tail(train.y)


def _start_run_folder(loaded, p, output, overwrite):
    """The run folder with what is known before training: the spec, seed, environment."""
    spec = loaded.spec
    run_dir = runs.new_run_dir(spec.output.dir, spec.output.name or loaded.name, output,
                               overwrite)
    with open(loaded.path, encoding="utf-8") as f:
        runs.write_text(os.path.join(run_dir, "spec.yaml"), f.read())
    runs.write_json(os.path.join(run_dir, "run.json"),
                    {"spec_path": os.path.abspath(loaded.path), "spec_dir": loaded.base_dir,
                     "seed": p.seed})
    runs.write_text(os.path.join(run_dir, "overrides.txt"),
                    "".join(o + "\n" for o in loaded.overrides))
    resolved = spec.model_dump(mode="json")
    resolved["seed"] = p.seed
    runs.write_text(os.path.join(run_dir, "config.resolved.yaml"),
                    yaml.safe_dump(resolved, sort_keys=False))
    env = runs.environment(loaded.base_dir, p.seed)
    from .datasets import sha256
    env["data_sha256"] = {os.path.relpath(f, loaded.base_dir): sha256(f)
                          for s in p.splits.values() for f in s.files}
    runs.write_json(os.path.join(run_dir, "environment.json"), env)
    return run_dir


class ResumeRefused(Exception):
    """``--resume`` on a run whose resolved spec differs from the one given now."""


def _resolved(loaded, seed):
    resolved = loaded.spec.model_dump(mode="json")
    resolved["seed"] = seed
    return resolved


def _check_resumable(loaded, p, run_dir):
    import difflib
    path = os.path.join(run_dir, "config.resolved.yaml")
    if not os.path.exists(path):
        raise ResumeRefused(f"{run_dir} is not a tfx run folder (no config.resolved.yaml)")
    with open(path, encoding="utf-8") as f:
        before = yaml.safe_load(f)
    now = _resolved(loaded, p.seed)
    # How often backups are taken does not change what is trained.
    for resolved in (before, now):
        resolved.get("training", {}).pop("backup", None)
    if before != now:
        a = yaml.safe_dump(before, sort_keys=False).splitlines()
        b = yaml.safe_dump(now, sort_keys=False).splitlines()
        diff = "\n".join(difflib.unified_diff(a, b, "run's resolved spec", "this spec",
                                                lineterm=""))
        raise ResumeRefused(f"refusing to resume {run_dir}: the resolved spec differs from "
                            f"the one it was trained with:\n{diff}")
    if os.path.exists(os.path.join(run_dir, "model.tfx")) and \
            not os.path.exists(os.path.join(run_dir, "backup")):
        raise ResumeRefused(f"{run_dir} has finished training: nothing to resume (train it "
                            "again into a new run folder with `tfx rerun`)")
    return run_dir


def _history_from_csv(path):
    import csv
    if not os.path.exists(path):
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {int(r["epoch"]): {k: float(v) for k, v in r.items() if k != "epoch" and v != ""}
            for r in rows}


def _run_history_class():
    from tfx.keras.callbacks import Callback

    class RunHistory(Callback):
        """history.csv, rewritten atomically at each epoch end and keyed by epoch, so a
        resumed run continues it (an epoch redone after a kill replaces its earlier row)."""

        def __init__(self, path):
            super().__init__()
            self.path = path
            self.rows = _history_from_csv(path)

        def on_epoch_end(self, epoch, logs=None):
            self.rows = {e: r for e, r in self.rows.items() if e < epoch}
            self.rows[epoch] = dict(logs or {})
            keys = []
            for r in self.rows.values():
                keys += [k for k in r if k not in keys]
            lines = [",".join(["epoch"] + keys)]
            for e in sorted(self.rows):
                lines.append(",".join([str(e)] + [f"{self.rows[e][k]:.8g}" if k in self.rows[e]
                                                  else "" for k in keys]))
            runs.write_text(self.path, "\n".join(lines) + "\n")

        @property
        def history(self):
            out = {}
            for e in sorted(self.rows):
                for k, v in self.rows[e].items():
                    out.setdefault(k, []).append(v)
            return out

    return RunHistory


def _RunLog(path):  # noqa: N802 - builds the callback lazily, like _RunHistory
    import datetime
    from tfx.keras.callbacks import Callback

    class RunLog(Callback):
        """train.log: one line per event, appended (a resumed run continues the log)."""

        def _write(self, text):
            stamp = datetime.datetime.now().isoformat(timespec="seconds")
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"{stamp} {text}\n")

        def on_train_begin(self, logs=None):
            self._write(f"training starts: {self.params.get('epochs')} epochs, "
                        f"{self.params.get('steps')} steps per epoch")
            # The run's backup (called before this) has set where a resumed run goes on.
            epoch, at = self.model._initial_epoch, self.model._resume_at
            if epoch or at:
                where = f"epoch {(epoch or 0) + 1}, batch {at[0] + 1 if at else 1}"
                self._write(f"resumed from the backup: {where}")
                print(f"resuming from the run's backup at {where}", flush=True)

        def on_epoch_end(self, epoch, logs=None):
            vals = " - ".join(f"{k}: {v:.6g}" for k, v in (logs or {}).items()
                              if isinstance(v, (int, float)))
            self._write(f"epoch {epoch + 1}: {vals}")

        def on_train_end(self, logs=None):
            self._write("training ends")

    return RunLog()


def _RunHistory(path):  # noqa: N802 - builds the callback lazily (tfx.keras loads on demand)
    return _run_history_class()(path)


def _RunBackup(path, every):  # noqa: N802 - builds the callback lazily, like _RunHistory
    from tfx.keras.callbacks import BackupAndRestore

    class RunBackup(BackupAndRestore):
        """BackupAndRestore at each epoch end and, mid-epoch, every ``every_batches`` batches
        or ``every_seconds`` seconds, whichever comes first: a run killed mid-epoch resumes
        at the batch of its last backup, not at the start of the epoch."""

        def __init__(self):
            super().__init__(path)
            self._batches = 0
            self._last = time.monotonic()
            if every.every_batches or every.every_seconds:
                self.on_train_batch_end = self._maybe_save

        def _maybe_save(self, batch, logs=None):
            self._note_batch(batch)
            self._batches += 1
            if (every.every_batches and self._batches >= every.every_batches) or \
                    (every.every_seconds and time.monotonic() - self._last >= every.every_seconds):
                self._save()

        def _save(self):
            super()._save()
            self._batches = 0
            self._last = time.monotonic()

    return RunBackup()


def _is_classification(loaded, y_pred):
    loss = loaded.data.get("training", {}).get("loss")
    name = loss if isinstance(loss, str) else (loss or {}).get("type", "") \
        if isinstance(loss, dict) else ""
    return "crossentropy" in str(name).lower() or "hinge" in str(name).lower()
