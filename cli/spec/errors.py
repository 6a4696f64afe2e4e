"""Spec problems, reported all at once as ``file:line:col: path: message (did you mean ...)``."""
import difflib
import json

__all__ = ["SpecProblem", "SpecErrors", "did_you_mean", "format_problems"]


def did_you_mean(word, candidates, n=3):
    word = str(word)
    cands = [str(c) for c in candidates]
    hits = difflib.get_close_matches(word, cands, n=n, cutoff=0.6)
    lower = {c.lower(): c for c in cands}
    for h in difflib.get_close_matches(word.lower(), list(lower), n=n, cutoff=0.6):
        if lower[h] not in hits:
            hits.append(lower[h])
    return hits[:n]


class SpecProblem:
    def __init__(self, loc, message, suggestions=(), on_key=False):
        self.loc = tuple(loc)
        self.message = message
        self.suggestions = list(suggestions)
        self.on_key = on_key
        self.file = None
        self.line = None
        self.col = None
        self.override = None

    @property
    def dotted(self):
        return ".".join(str(p) for p in self.loc) or "<spec>"

    def text(self):
        s = self.message
        if self.suggestions:
            s += " (did you mean " + ", ".join(repr(x) for x in self.suggestions) + "?)"
        return s

    def as_dict(self):
        return {"file": self.file, "line": self.line, "column": self.col, "path": self.dotted,
                "message": self.message, "suggestions": self.suggestions,
                "override": self.override}


class SpecErrors(Exception):
    """Every problem found in a spec (exit code 2)."""

    def __init__(self, problems, source=None, origins=None):
        super().__init__(f"{len(problems)} problem(s) in spec")
        self.source = source
        for p in problems:
            locate(p, source, origins)
        # Command-line problems first, then in the order of the file's lines.
        self.problems = sorted(problems, key=lambda p: (p.override is None, p.line or 0,
                                                        p.col or 0))


def locate(problem, source, origins=None):
    for path, text in (origins or {}).items():
        if problem.loc[:len(path)] == path:
            problem.file = "command line"
            problem.override = text
            return
    if source is None:
        return
    problem.file = source.path
    pos = None
    if problem.on_key:
        pos = source.key_position(problem.loc)
    if pos is None:
        pos = source.where(problem.loc)
    problem.line, problem.col = pos


def format_problems(problems, source=None, as_json=False):
    if as_json:
        return json.dumps([p.as_dict() for p in problems], indent=2)
    out = []
    for p in problems:
        if p.override is not None:
            out.append(f"command line: {p.override}: {p.dotted}: {p.text()}")
            continue
        head = f"{p.file}:{p.line}:{p.col}: " if p.file and p.line else \
            (f"{p.file}: " if p.file else "")
        out.append(f"{head}{p.dotted}: {p.text()}")
        if source is not None and p.line and 0 < p.line <= len(source.lines):
            line = source.lines[p.line - 1]
            out.append("    " + line)
            out.append("    " + " " * (p.col - 1) + "^")
    n = len(problems)
    out.append(f"{n} problem{'s' if n != 1 else ''} found; nothing was run.")
    return "\n".join(out)
