"""What the converter needs to know about a function's names: which a statement binds,
which it changes in place, which it reads, and which are live after each branch and at the head
of each loop (the state an ``if``/``while``/``for`` must hand on)."""
import ast

__all__ = ["target_names", "assigned_names", "mutated_names", "loaded_names", "Liveness"]

# ---- names -------------------------------------------------------------------------------------

def target_names(t, out):
    if isinstance(t, ast.Name):
        out.add(t.id)
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            target_names(e, out)
    elif isinstance(t, ast.Starred):
        target_names(t.value, out)


def assigned_names(stmts):
    """Names the statements bind in their own scope (not inside nested functions or classes,
    whose own names count)."""
    out = set()

    def walk(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            return
        if isinstance(node, (ast.Assign,)):
            for t in node.targets:
                target_names(t, out)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            target_names(node.target, out)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            target_names(node.target, out)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            target_names(node.optional_vars, out)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                out.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.NamedExpr):
            target_names(node.target, out)
        for child in ast.iter_child_nodes(node):
            walk(child)
    for s in stmts:
        walk(s)
    return out


_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "add", "update",
             "setdefault", "discard"}


def mutated_names(stmts):
    """Names whose object a statement changes in place (``xs.append(v)``): a loop on a tensor
    checks them, since a Python list cannot grow with a graph loop."""
    out = set()
    for s in stmts:
        for n in ast.walk(s):
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr == "converted_call" and n.args:
                f = n.args[0]
            if isinstance(f, ast.Attribute) and f.attr in _MUTATORS and \
                    isinstance(f.value, ast.Name):
                out.add(f.value.id)
    return out


def loaded_names(node):
    """Every name read anywhere inside ``node`` (nested scopes included: conservative)."""
    if node is None:
        return set()
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            out.add(n.id)
        elif isinstance(n, ast.AugAssign):
            target_names(n.target, out)
    return out


# ---- liveness ----------------------------------------------------------------------------------

class Liveness:
    """Backward liveness over a lowered body: for each if, the names live after it; for each
    loop, the names live at its head. Also the names each compound statement assigns."""

    def __init__(self):
        self.live = {}      # id(node) -> set of names
        self.modified = {}  # id(node) -> set of names

    def block(self, stmts, live_out):
        live = set(live_out)
        for s in reversed(stmts):
            live = self.stmt(s, live)
        return live

    def stmt(self, s, live):
        if isinstance(s, ast.If):
            self.live[id(s)] = set(live)
            self.modified[id(s)] = assigned_names(s.body + s.orelse) | \
                mutated_names(s.body + s.orelse)
            return loaded_names(s.test) | self.block(s.body, live) | self.block(s.orelse, live)
        if isinstance(s, ast.While):
            self.modified[id(s)] = assigned_names(s.body) | mutated_names(s.body)
            head = set(live) | loaded_names(s.test)
            while True:
                new = head | self.block(s.body, head)
                if new == head:
                    break
                head = new
            self.live[id(s)] = head
            return head
        if isinstance(s, ast.For):
            targets = set()
            target_names(s.target, targets)
            self.modified[id(s)] = assigned_names(s.body) | mutated_names(s.body) | targets
            head = set(live) | loaded_names(getattr(s, "ag_extra_test", None))
            while True:
                new = head | (self.block(s.body, head) - targets)
                if new == head:
                    break
                head = new
            self.live[id(s)] = head
            return head | loaded_names(s.iter)
        if isinstance(s, ast.Return):
            return loaded_names(s.value)
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return (live - {s.name}) | loaded_names(s)
        if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Import,
                          ast.ImportFrom, ast.Pass, ast.Delete, ast.Assert, ast.Raise,
                          ast.Global, ast.Nonlocal)):
            return (live - assigned_names([s])) | loaded_names(s)
        # with, try, match...: their blocks may or may not run; kill nothing
        self._inner(s, live)
        return live | loaded_names(s)

    def _inner(self, s, live):
        """Liveness inside a with/try/match: conservatively everything it reads or after."""
        inner = live | loaded_names(s)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list):
                self.block(getattr(s, field), inner)
        for h in getattr(s, "handlers", []):
            self.block(h.body, inner)
        for case in getattr(s, "cases", []):
            self.block(case.body, inner)


