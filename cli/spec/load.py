"""Spec file -> validated Spec: YAML with positions, overrides, references, checks."""
import copy
import os

from .errors import SpecErrors, SpecProblem
from .overrides import apply_overrides, interpolate
from .yaml_source import YamlSyntaxError, load_yaml

__all__ = ["load_spec", "LoadedSpec"]


class LoadedSpec:
    def __init__(self, path, source, raw, data, spec, overrides, base_dir):
        self.path = path
        self.source = source
        self.raw = raw            # the data as written
        self.data = data          # after overrides and references
        self.spec = spec          # the validated pydantic model
        self.overrides = list(overrides)
        self.base_dir = base_dir  # relative paths in the spec are relative to this
        self.name = os.path.splitext(os.path.basename(path))[0]


def load_spec(path, overrides=(), extra_plugins=(), base_dir=None):
    """Load and check a spec; raises SpecErrors with every problem found. Relative paths
    inside resolve against ``base_dir`` (default: the spec's folder)."""
    if not os.path.exists(path):
        p = SpecProblem((), f"no such spec file: {path}")
        p.file = path
        raise SpecErrors([p])
    try:
        source = load_yaml(path)
    except YamlSyntaxError as e:
        p = SpecProblem((), e.message)
        err = SpecErrors([p])
        p.file, p.line, p.col = path, e.line, e.col
        try:
            err.source = type("S", (), {"lines": open(path, encoding="utf-8").read()
                                        .splitlines()})()
        except OSError:
            pass
        raise err from None
    raw = source.data
    if not isinstance(raw, dict):
        raise SpecErrors([SpecProblem((), "a spec must be a mapping of sections (model, data, "
                                      "training, ...)")], source)
    data = copy.deepcopy(raw)
    origins = {}
    problems = apply_overrides(data, overrides, origins)
    data, ref_problems = interpolate(data)
    problems += ref_problems
    base_dir = base_dir or os.path.dirname(os.path.abspath(path))
    from tfx.plugins import PluginError, env_plugins, load_plugin
    from ..runs import no_bytecode
    for p in list(extra_plugins) + env_plugins():
        try:
            with no_bytecode():
                load_plugin(p, os.getcwd())
        except PluginError as e:
            problems.append(SpecProblem(("--plugin",), str(e)))
    from .check import check
    spec, more = check(data, base_dir)
    problems += more
    if problems:
        raise SpecErrors(problems, source, origins)
    return LoadedSpec(path, source, raw, data, spec, overrides, base_dir)
