"""The ``tfx`` console script (a Typer app). Commands import the framework lazily so that
``tfx --help`` stays fast."""
import contextlib
import os
import sys
from typing import List, Optional

import typer

from tfx._version import __version__

app = typer.Typer(
    name="tfx",
    help="Build, train and evaluate models from YAML specs.\n\n"
         "Example: tfx train configs/housing.yaml training.epochs=3",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
plugins_app = typer.Typer(help="List, create and check plugins.", no_args_is_help=True)
app.add_typer(plugins_app, name="plugins")

EXIT_SPEC = 2
EXIT_FAIL = 1


def _version_callback(value: bool):
    if value:
        typer.echo(f"tfx {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback,
                                       is_eager=True, help="Print the version and exit.")):
    """tfx: a deep-learning framework with TensorFlow's API, and a YAML model builder."""


def _err(text):
    from rich.console import Console
    Console(file=sys.stderr, highlight=False, soft_wrap=True).print(text, markup=False)


def _load(spec, overrides, plugins, errors):
    from .spec.errors import SpecErrors, format_problems
    from .spec.load import load_spec
    try:
        return load_spec(spec, overrides, plugins)
    except SpecErrors as e:
        text = format_problems(e.problems, e.source, as_json=errors == "json")
        (typer.echo(text) if errors == "json" else _err(text))
        raise typer.Exit(EXIT_SPEC)


_DEVICE_HELP = "auto (the GPU when one is visible), cpu or gpu (model files work on both)"


def _use_device(device):
    """Place what follows on ``device``; a GPU asked for but not visible is a usage error."""
    if device not in ("auto", "cpu", "gpu"):
        _err(f"error: --device must be auto, cpu or gpu, not {device!r}")
        raise typer.Exit(EXIT_SPEC)
    import tfx
    if device == "gpu" and not tfx.config.list_physical_devices("GPU"):
        _err("error: --device gpu, but no GPU is visible (install tfx[gpu] with CuPy on a "
             "machine with a CUDA GPU, or use --device cpu)")
        raise typer.Exit(EXIT_SPEC)
    tfx.config.set_default_device(device)


@app.command()
def train(spec: str = typer.Argument(..., help="the YAML spec"),
          overrides: Optional[List[str]] = typer.Argument(
              None, help="dotted overrides, e.g. training.epochs=3 model.0.Dense.units=64"),
          output: Optional[str] = typer.Option(None, "--output", "-o",
                                               help="run folder (must be empty)"),
          overwrite: bool = typer.Option(
              False, help="replace the earlier run folder given as --output"),
          seed: Optional[int] = typer.Option(None, help="override the spec's seed"),
          device: Optional[str] = typer.Option(
              None, help="auto (the GPU when one is visible), cpu or gpu; overrides the "
                         "spec's device"),
          plugin: Optional[List[str]] = typer.Option(None, "--plugin",
                                                     help="extra plugin file or module"),
          errors: str = typer.Option("text", help="how to print spec errors: text or json"),
          resume: Optional[str] = typer.Option(
              None, "--resume", help="continue this run folder from its last backup, at the "
                                     "batch it reached (refused if the resolved spec "
                                     "differs)"),
          distributed: Optional[bool] = typer.Option(
              None, "--distributed/--no-distributed",
              help="data-parallel on every MPI rank (default: on when mpiexec started more "
                   "than one rank)")):
    """Train a model from a spec and write a run folder.

    Example: tfx train configs/housing.yaml training.epochs=3
    """
    overrides = list(overrides or [])
    if device is not None:
        overrides.append(f"device={device}")
    loaded = _load(spec, overrides, plugin or [], errors)
    from .spec.errors import SpecErrors, format_problems
    from .train import ResumeRefused, run_training
    strategy = _distribution(distributed)
    from tfx.debugging import enable_gradient_explanations
    enable_gradient_explanations()  # a None gradient during a run says why
    try:
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            run_dir, metrics = run_training(loaded, output=output, overwrite=overwrite,
                                            seed=seed, resume=resume)
    except SpecErrors as e:  # found while building (data, a dry build of the model)
        text = format_problems(e.problems, e.source, as_json=errors == "json")
        (typer.echo(text) if errors == "json" else _err(text))
        _exit(strategy, EXIT_SPEC)
    except (FileExistsError, ResumeRefused) as e:
        _err(f"error: {e}")
        _exit(strategy, EXIT_SPEC)
    except KeyboardInterrupt:
        _err("interrupted: the run folder holds a backup of the last epoch end or of the "
             f"batches since (training.backup); continue with `tfx train {spec} --resume "
             "RUN_FOLDER`")
        _exit(strategy, 130)
    except Exception as e:  # a failure during training: one line, exit 1, no traceback
        if os.environ.get("TFX_FULL_TRACEBACK") == "1":
            raise
        _err(f"error: training failed: {type(e).__name__}: {e}")
        _exit(strategy, EXIT_FAIL)
    if run_dir is not None:  # None on the ranks of a distributed run other than rank 0
        typer.echo(f"run folder: {run_dir}")


def _distribution(flag):
    """An MPIStrategy when asked for, or when mpiexec started several ranks; else None."""
    from tfx.distribute import launched_size
    if flag is False or (flag is None and launched_size() <= 1):
        return None
    try:
        from tfx.distribute import MPIStrategy
        return MPIStrategy()
    except ImportError as e:
        _err(f"error: {e}")
        raise typer.Exit(EXIT_SPEC)


def _exit(strategy, code):
    # A rank that just exits leaves the others waiting in a collective: end them all.
    if strategy is not None and strategy.num_replicas_in_sync > 1:
        strategy.abort(f"rank {strategy.rank} failed (exit status {code}); ending the job.",
                       code)
    raise typer.Exit(code)


@app.command()
def validate(spec: str = typer.Argument(..., help="the YAML spec"),
             overrides: Optional[List[str]] = typer.Argument(
                 None, help="dotted overrides (applied to every spec), or more specs: "
                            "tfx validate configs/*.yaml"),
             shapes: bool = typer.Option(False, "--shapes",
                                         help="also build the model on the data's shape"),
             plugin: Optional[List[str]] = typer.Option(None, "--plugin"),
             errors: str = typer.Option("text", help="text or json")):
    """Check a spec (schema, names, arguments, files); with --shapes, a dry build.

    Several specs are checked in one process (plugins one spec loads stay loaded for the
    next); with --errors json every problem of every spec is in one JSON list.
    """
    import json
    from .spec.errors import SpecErrors, format_problems
    from .spec.load import load_spec
    rest = list(overrides or [])
    specs = [spec] + [o for o in rest if "=" not in o and o.endswith((".yaml", ".yml"))]
    overrides = [o for o in rest if o not in specs]
    found, failed = [], False
    for path in specs:
        try:
            loaded = load_spec(path, overrides, plugin or [])
            if shapes:
                from .train import prepare
                prepare(loaded, max_rows=256).model.summary()
        except SpecErrors as e:
            failed = True
            if errors == "json":
                found += [p.as_dict() for p in e.problems]
            else:
                _err(format_problems(e.problems, e.source))
            continue
        if errors != "json":
            typer.echo(f"{path}: OK")
    if errors == "json":
        typer.echo(json.dumps(found, indent=2))
    if failed:
        raise typer.Exit(EXIT_SPEC)


def _model_path(target):
    if os.path.isdir(target) and os.path.exists(os.path.join(target, "model.tfx")):
        return os.path.join(target, "model.tfx"), target
    return target, None


def _run_spec(run_dir):
    """The spec a run was trained from, with its overrides, paths resolved as they were."""
    import json
    from .spec.errors import SpecErrors, format_problems
    from .spec.load import load_spec
    with open(os.path.join(run_dir, "overrides.txt"), encoding="utf-8") as f:
        overrides = [l for l in f.read().splitlines() if l]
    with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
        info = json.load(f)
    try:
        return load_spec(os.path.join(run_dir, "spec.yaml"), overrides,
                         base_dir=info["spec_dir"])
    except SpecErrors as e:
        _err(format_problems(e.problems, e.source))
        raise typer.Exit(EXIT_SPEC)


def _load_model(path, plugin, run_dir=None):
    """A model file, or a run folder's model compiled from the run's own spec (so a
    configured loss such as create_huber(2.0) keeps its threshold)."""
    from tfx.plugins import load_plugins
    from .runs import no_bytecode
    with no_bytecode():
        load_plugins(plugin or [], os.getcwd())
    import tfx
    loaded = _run_spec(run_dir) if run_dir is not None else None
    try:
        model = tfx.keras.models.load_model(path, compile=loaded is None)
    except Exception as e:
        _err(f"error: cannot load {path}: {e}")
        raise typer.Exit(EXIT_FAIL)
    if loaded is not None:
        from .build import build_loss, build_metrics
        t = loaded.spec.training
        model.compile(optimizer="sgd", loss=build_loss(t.loss), metrics=build_metrics(t.metrics),
                      loss_weights=t.loss_weights)
    return model


def _guard(fn):
    """Run a command body; a failure is one line on stderr and exit 1, not a traceback."""
    try:
        return fn()
    except typer.Exit:
        raise
    except Exception as e:
        if os.environ.get("TFX_FULL_TRACEBACK") == "1":
            raise
        _err(f"error: {type(e).__name__}: {e}")
        raise typer.Exit(EXIT_FAIL)


def _eval_data(run_dir, data):
    import numpy as np
    if data is not None:
        if data.endswith(".npz"):
            with np.load(data, allow_pickle=False) as z:
                return z["x"], z["y"]
        if data.endswith(".csv"):
            raise typer.BadParameter("for a CSV, evaluate a run folder (its spec names the "
                                     "target column) or pass an .npz with x and y")
    if run_dir is None:
        raise typer.BadParameter("--data is required when MODEL is a model file")
    loaded = _run_spec(run_dir)
    from .datasets import load_source
    spec = loaded.spec
    src = spec.data.test or spec.data.validation or spec.data.train
    s = load_source(src, loaded.base_dir)
    return s.x, s.y


@app.command("eval")
def eval_(model: str = typer.Argument(..., help="a model file or a run folder"),
          data: Optional[str] = typer.Option(None, help=".npz with x and y"),
          as_json: bool = typer.Option(False, "--json", help="print JSON"),
          plugin: Optional[List[str]] = typer.Option(None, "--plugin"),
          device: str = typer.Option("cpu", help=_DEVICE_HELP)):
    """Evaluate a saved model: metrics as a table or JSON."""
    _use_device(device)
    path, run_dir = _model_path(model)
    m = _load_model(path, plugin, run_dir)
    x, y = _eval_data(run_dir, data)
    result = _guard(lambda: m.evaluate(x, y, verbose=0, return_dict=True))
    if as_json:
        import json
        typer.echo(json.dumps(result, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"{path}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.items():
        table.add_row(k, f"{v:.6g}")
    Console().print(table)


@app.command()
def predict(model: str = typer.Argument(..., help="a model file or a run folder"),
            data: str = typer.Option(..., help=".npz (x), .npy or .csv of features"),
            output: Optional[str] = typer.Option(None, "--output", "-o", help="CSV to write"),
            plugin: Optional[List[str]] = typer.Option(None, "--plugin"),
            device: str = typer.Option("cpu", help=_DEVICE_HELP)):
    """Predict with a saved model; writes CSV (stdout without --output)."""
    import numpy as np
    _use_device(device)
    path, run_dir = _model_path(model)
    m = _load_model(path, plugin, run_dir)
    if data.endswith(".npz"):
        with np.load(data, allow_pickle=False) as z:
            x = z["x"]
    elif data.endswith(".npy"):
        x = np.load(data, allow_pickle=False)
    else:
        x = np.loadtxt(data, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    y = np.asarray(_guard(lambda: m.predict(x.astype(np.float32), verbose=0)))
    y2 = y.reshape(len(y), -1)
    lines = ["," .join(f"pred_{i}" for i in range(y2.shape[1]))]
    lines += [",".join(f"{v:.8g}" for v in row) for row in y2]
    text = "\n".join(lines) + "\n"
    if output:
        from .runs import write_text
        write_text(output, text)
        typer.echo(f"wrote {len(y2)} predictions to {output}")
    else:
        typer.echo(text, nl=False)


@app.command()
def inspect(model: str = typer.Argument(..., help="a model file or run folder"),
            plugin: Optional[List[str]] = typer.Option(None, "--plugin")):
    """Show a saved model's summary, metadata and compile config (as saved)."""
    import json
    import zipfile
    path, run_dir = _model_path(model)
    if run_dir is not None:
        _run_spec(run_dir)  # loads the run's plugins
    from tfx.plugins import load_plugins
    from .runs import no_bytecode
    with no_bytecode():
        load_plugins(plugin or [], os.getcwd())
    import tfx
    from tfx.keras.saving import model_io
    try:
        m = tfx.keras.models.load_model(path, compile=False)
        meta = model_io.read_metadata(path)
    except Exception as e:
        _err(f"error: cannot load {path}: {e}")
        raise typer.Exit(EXIT_FAIL)
    m.summary()
    typer.echo("metadata: " + json.dumps(meta, indent=2))
    if os.path.isdir(path):
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    else:
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
    typer.echo("compile config: " + json.dumps(config.get("compile_config"), indent=2))


@app.command()
def schema(plugin: Optional[List[str]] = typer.Option(None, "--plugin",
                                                     help="include this plugin's components")):
    """Print the spec's JSON Schema (for yaml-language-server and editors), with every
    built-in and loaded plugin component and its arguments."""
    import json
    from tfx.plugins import env_plugins, load_entry_point_plugins, load_plugins
    from .spec.json_schema import build_schema
    from .runs import no_bytecode
    with no_bytecode():
        load_entry_point_plugins()
        load_plugins(list(plugin or []) + env_plugins(), os.getcwd())
    typer.echo(json.dumps(build_schema(), indent=1))


def _read_run(run_dir):
    import json
    import yaml
    if not os.path.exists(os.path.join(run_dir, "config.resolved.yaml")):
        _err(f"error: {run_dir} is not a tfx run folder")
        raise typer.Exit(EXIT_SPEC)
    with open(os.path.join(run_dir, "config.resolved.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    metrics = {}
    if os.path.exists(os.path.join(run_dir, "metrics.json")):
        with open(os.path.join(run_dir, "metrics.json"), encoding="utf-8") as f:
            metrics = json.load(f)
    return spec, metrics


@app.command()
def diff(run_a: str = typer.Argument(..., help="a run folder"),
         run_b: str = typer.Argument(..., help="another run folder")):
    """Show how two runs differ: resolved specs (unified diff) and final metrics."""
    import difflib
    import yaml
    from rich.console import Console
    from rich.table import Table
    spec_a, met_a = _read_run(run_a)
    spec_b, met_b = _read_run(run_b)
    lines = list(difflib.unified_diff(yaml.safe_dump(spec_a, sort_keys=False).splitlines(),
                                      yaml.safe_dump(spec_b, sort_keys=False).splitlines(),
                                      run_a, run_b, lineterm=""))
    typer.echo("\n".join(lines) if lines else "resolved specs: identical")
    table = Table(title="final metrics")
    for col in ("split", "metric", run_a, run_b, "change"):
        table.add_column(col)
    for split in ("train", "validation", "test"):
        a, b = met_a.get(split) or {}, met_b.get(split) or {}
        for k in sorted(set(a) | set(b)):
            va, vb = a.get(k), b.get(k)
            change = f"{vb - va:+.4g}" if isinstance(va, (int, float)) and \
                isinstance(vb, (int, float)) else ""
            table.add_row(split, k, f"{va:.6g}" if va is not None else "-",
                          f"{vb:.6g}" if vb is not None else "-", change)
    Console().print(table)


@app.command()
def rerun(run: str = typer.Argument(..., help="the run folder to train again"),
          output: Optional[str] = typer.Option(None, "--output", "-o")):
    """Train a run's spec again into a new run folder; say whether the weights are identical."""
    import numpy as np
    loaded = _run_spec(run)
    from .train import run_training
    new_dir, _ = run_training(loaded, output=output)
    import tfx
    a = tfx.keras.models.load_model(os.path.join(run, "model.tfx"), compile=False)
    b = tfx.keras.models.load_model(os.path.join(new_dir, "model.tfx"), compile=False)
    wa, wb = a.get_weights(), b.get_weights()
    same = len(wa) == len(wb) and all(x.shape == y.shape and np.array_equal(x, y)
                                      for x, y in zip(wa, wb))
    typer.echo(f"run folder: {new_dir}")
    if same:
        typer.echo("weights: identical to " + run)
    else:
        worst = max((float(np.max(np.abs(x - y))) for x, y in zip(wa, wb)
                     if x.shape == y.shape), default=float("nan"))
        typer.echo(f"weights: differ from {run} (max abs difference {worst:.3g})")
        raise typer.Exit(EXIT_FAIL)


_STARTERS = {
    "regression": """\
# yaml-language-server: $schema=tfx-spec.schema.json
# A regression starter: edit the data path and target column, then `tfx train {name}`.
seed: 42
data:
  train: {{path: data.csv, target: y}}
  validation_split: 0.2
  standardize: true
model:
  - Dense: {{units: 30, activation: relu}}
  - Dense: {{units: 30, activation: relu}}
  - Dense: {{units: 1}}
training:
  optimizer: {{type: Nadam, learning_rate: 0.001}}
  loss: mse
  metrics: [mae]
  epochs: 10
  batch_size: 32
""",
    "classification": """\
# yaml-language-server: $schema=tfx-spec.schema.json
# A classification starter: integer class labels in column `label`.
seed: 42
data:
  train: {{path: data.csv, target: label}}
  validation_split: 0.2
  standardize: true
model:
  - Dense: {{units: 32, activation: relu}}
  - Dense: {{units: 3, activation: softmax}}
training:
  optimizer: adam
  loss: sparse_categorical_crossentropy
  metrics: [accuracy]
  epochs: 10
""",
}


@app.command()
def init(file: str = typer.Argument("spec.yaml", help="where to write the starter spec"),
         task: str = typer.Option("regression", help="regression or classification")):
    """Write a commented starter spec, and beside it the JSON Schema its first line names (so
    an editor with yaml-language-server completes names and arguments at once)."""
    if task not in _STARTERS:
        raise typer.BadParameter(f"task must be one of {sorted(_STARTERS)}")
    if os.path.exists(file):
        _err(f"error: {file} exists; not overwriting it")
        raise typer.Exit(EXIT_SPEC)
    from .runs import write_text
    write_text(file, _STARTERS[task].format(name=file))
    typer.echo(f"wrote {file}")
    schema_file = os.path.join(os.path.dirname(file), "tfx-spec.schema.json")
    if not os.path.exists(schema_file):
        import json
        from .spec.json_schema import build_schema
        write_text(schema_file, json.dumps(build_schema(), indent=1) + "\n")
        typer.echo(f"wrote {schema_file} (after adding plugins: tfx schema --plugin FILE > "
                   f"{schema_file})")


@plugins_app.command("list")
def plugins_list(plugin: Optional[List[str]] = typer.Option(None, "--plugin",
                                                           help="also load this plugin"),
                 all_: bool = typer.Option(False, "--all", help="include tfx's built-ins")):
    """List registered components: kind, name, source, signature."""
    import inspect as _inspect
    from rich.console import Console
    from rich.table import Table
    from tfx import registry
    from tfx.plugins import env_plugins, load_entry_point_plugins, load_plugins
    from .runs import no_bytecode
    with no_bytecode():
        load_entry_point_plugins()
        load_plugins(list(plugin or []) + env_plugins(), os.getcwd())
    table = Table(title="tfx components")
    for col in ("kind", "name", "source", "signature"):
        table.add_column(col)
    rows = [(e.kind, e.name, e.source, e.obj) for e in registry.entries()]
    if all_:
        from .spec.check import _kind_table
        for kind, (builtins, _) in _kind_table().items():
            rows += [(kind, n, "tfx", o) for n, o in builtins.items() if n[:1].isupper() or
                     _inspect.isfunction(o)]
    for kind, name, source, obj in sorted(rows, key=lambda r: (r[0], r[1])):
        try:
            target = obj.__init__ if _inspect.isclass(obj) else obj
            sig = str(_inspect.signature(target)).replace("(self, ", "(").replace("(self)", "()")
        except (TypeError, ValueError):
            sig = ""
        table.add_row(kind, name, source, sig)
    Console().print(table)


_KINDS = ("loss", "metric", "layer", "model", "activation", "initializer", "regularizer",
          "constraint")


@plugins_app.command("new")
def plugins_new(name: str = typer.Argument(..., help="plugin module name, e.g. my_loss"),
                kind: str = typer.Option(..., "--kind", help="|".join(_KINDS)),
                package: str = typer.Option("Custom", help="registry package name"),
                directory: str = typer.Option(".", "--dir", help="where to write")):
    """Write a plugin module and its test from a template."""
    import re
    from .plugin_templates import MODULE, TEST
    from .runs import write_text
    if kind not in _KINDS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(_KINDS)}")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise typer.BadParameter("NAME must be a Python identifier")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    cls = "".join(p.capitalize() for p in snake.split("_"))
    module_file = f"{snake}.py"
    test_file = f"test_{snake}.py"
    paths = [os.path.join(directory, module_file), os.path.join(directory, test_file)]
    for p in paths:
        if os.path.exists(p):
            _err(f"error: {p} exists; not overwriting it")
            raise typer.Exit(EXIT_SPEC)
    os.makedirs(directory, exist_ok=True)
    fmt = dict(name=name, cls=cls, snake=snake, package=package, module_file=module_file,
               test_file=test_file)
    write_text(paths[0], MODULE[kind].format(**fmt))
    write_text(paths[1], TEST.format(**fmt))
    typer.echo(f"wrote {paths[0]} and {paths[1]}; check it with: tfx plugins check {paths[0]}")


@plugins_app.command("check")
def plugins_check(path: str = typer.Argument(..., help="plugin file or module")):
    """Check every component a plugin registers: config and save/load round trips, output
    shapes, gradients against finite differences."""
    from rich.console import Console
    from rich.table import Table
    from .plugin_check import check_plugin
    try:
        entries, results = check_plugin(path)
    except Exception as e:
        _err(f"error: cannot load plugin {path}: {type(e).__name__}: {e}")
        raise typer.Exit(EXIT_FAIL)
    table = Table(title=f"tfx plugins check {path}")
    for col in ("component", "kind", "check", "result", "detail"):
        table.add_column(col)
    style = {"pass": "green", "fail": "bold red", "skip": "yellow"}
    for r in results:
        table.add_row(r.component, r.kind, r.check, f"[{style[r.status]}]{r.status}[/]",
                      r.detail)
    Console().print(table)
    failed = sum(r.status == "fail" for r in results)
    typer.echo(f"{len(entries)} component(s), {len(results)} check(s), {failed} failed")
    if failed or not entries:
        raise typer.Exit(EXIT_FAIL)


@app.command()
def info():
    """Show the tfx version, the backends, the BLAS library and its core type, the devices."""
    import numpy
    import tfx
    typer.echo(f"tfx {__version__}  (Python {sys.version.split()[0]}, NumPy {numpy.__version__})")
    typer.echo("backend: numpy (CPU)" + (", cupy (GPU)" if tfx.config.list_physical_devices(
        "GPU") else ""))
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                typer.echo(f"BLAS: {pool.get('internal_api')} {pool.get('version')}, "
                           f"core type {pool.get('architecture')}, "
                           f"{pool.get('num_threads')} threads")
    except ImportError:
        pass
    core = os.environ.get("OPENBLAS_CORETYPE")
    typer.echo(f"OPENBLAS_CORETYPE: {core or '(not set)'}")
    for d in tfx.config.list_physical_devices():
        typer.echo(f"device {d.device_type}: {d.name}")


def _pick_blas_core_type():
    """NumPy's bundled OpenBLAS does not recognise some AVX-512 CPUs and falls back to its
    Haswell kernels (about half the matmul speed). When the user has not chosen a core type,
    choose SkylakeX on such a CPU. It only takes effect before NumPy loads, which is why the
    tfx command does it first thing."""
    if "OPENBLAS_CORETYPE" in os.environ or "numpy" in sys.modules:
        return
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((l for l in f if l.startswith("flags")), "")
    except OSError:
        return
    if " avx512f" in flags and " avx512bw" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


def main():
    _pick_blas_core_type()
    app()


if __name__ == "__main__":
    main()
