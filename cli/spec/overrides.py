"""Command-line overrides (``training.epochs=3``, ``model.0.Dense.units=64``) and ``${a.b}``
references inside a spec."""
import re

import yaml

from .errors import SpecProblem

__all__ = ["apply_overrides", "interpolate"]


def _parse_path(text):
    return [int(p) if p.lstrip("-").isdigit() else p for p in text.split(".")]


def apply_overrides(data, overrides, origins=None):
    """Apply ``path=value`` overrides in place; returns problems for malformed ones.
    ``origins`` (a dict) receives path tuple -> the override's text."""
    problems = []
    for i, item in enumerate(overrides):
        if "=" not in item:
            problems.append(SpecProblem((f"<override {i + 1}>",),
                                        f"override {item!r} is not of the form path=value"))
            continue
        path, raw = item.split("=", 1)
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        keys = _parse_path(path.strip())
        cur = data
        ok = True
        for depth, k in enumerate(keys[:-1]):
            nxt = keys[depth + 1]
            if isinstance(cur, list):
                if not isinstance(k, int) or not -len(cur) <= k < len(cur):
                    problems.append(SpecProblem(tuple(keys[:depth + 1]),
                                                f"override {path}: no item {k} here"))
                    ok = False
                    break
                cur = cur[k]
            elif isinstance(cur, dict):
                if k not in cur or cur[k] is None:
                    cur[k] = [] if isinstance(nxt, int) else {}
                cur = cur[k]
            else:
                problems.append(SpecProblem(tuple(keys[:depth + 1]),
                                            f"override {path}: {k!r} is not a section"))
                ok = False
                break
        if not ok:
            continue
        last = keys[-1]
        if origins is not None:
            origins[tuple(keys)] = item
        if isinstance(cur, list) and isinstance(last, int) and -len(cur) <= last < len(cur):
            cur[last] = value
        elif isinstance(cur, dict):
            cur[last] = value
        else:
            problems.append(SpecProblem(tuple(keys), f"override {path}: cannot set here"))
    return problems


_REF = re.compile(r"\$\{([^}]+)\}")


def _lookup(data, dotted):
    cur = data
    for k in _parse_path(dotted):
        if isinstance(cur, dict) and k in cur:
            cur = cur[k]
        elif isinstance(cur, list) and isinstance(k, int) and -len(cur) <= k < len(cur):
            cur = cur[k]
        else:
            raise KeyError(dotted)
    return cur


def interpolate(data):
    """Replace ``${a.b}`` references (a whole-string reference keeps the value's type)."""
    problems = []

    def walk(node, loc, depth=0):
        if depth > 20:
            return node
        if isinstance(node, dict):
            return {k: walk(v, loc + (k,), depth) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, loc + (i,), depth) for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            m = _REF.fullmatch(node)
            try:
                if m:
                    return walk(_lookup(data, m.group(1)), loc, depth + 1)
                return _REF.sub(lambda mm: str(_lookup(data, mm.group(1))), node)
            except KeyError as e:
                problems.append(SpecProblem(loc, f"unresolved reference ${{{e.args[0]}}}"))
        return node

    return walk(data, ()), problems
