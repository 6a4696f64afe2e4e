"""The source transformation: a function's AST with its control flow as calls to the runtime.

Three passes over each function (nested functions get their own):
1. expressions: every call goes through ``ag__.converted_call`` (so user functions it calls are
   converted too), ``and``/``or``/``not`` and ``a if c else b`` become lazy runtime calls;
2. lowering: ``return``, ``break`` and ``continue`` inside compound statements become flags
   (``do_return``/``retval_``, ``break_``, ``continue_``) and the statements after them are
   guarded by ``if not flag:``, so every loop and branch has one way in and one way out;
3. control flow: each ``if``/``while``/``for`` becomes nested functions (the branches, the loop
   test and body, ``get_state``/``set_state`` over the variables the statement changes that are
   read later) and an ``ag__.if_stmt``/``while_stmt``/``for_stmt`` call that decides at run time
   whether to run Python or build a graph node.

Every node made here carries the location of the user's statement it replaces, so the compiled
code reports the user's file and line.
"""
import ast

from .analysis import Liveness, assigned_names, target_names

__all__ = ["convert_function_def", "UnsupportedError", "HELPER_PREFIXES"]

# The functions the converter writes (tracebacks leave them out).
HELPER_PREFIXES = ("if_body", "else_body", "loop_test", "loop_body", "extra_test", "get_state",
                   "set_state")

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOPS = (ast.While, ast.For)


class UnsupportedError(Exception):
    """A construct the converter does not handle: ``lineno`` and a reason."""

    def __init__(self, reason, lineno=None):
        super().__init__(reason)
        self.reason = reason
        self.lineno = lineno


# ---- small AST helpers -------------------------------------------------------------------------

def _name(id_, ctx=None):
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _ag(attr):
    return ast.Attribute(value=_name("ag__"), attr=attr, ctx=ast.Load())


def _call(func, *args):
    return ast.Call(func=func, args=list(args), keywords=[])


def _const(v):
    return ast.Constant(value=v)


def _assign(name, value):
    return ast.Assign(targets=[_name(name, ast.Store())], value=value)


def _names_tuple(names):
    return ast.Tuple(elts=[_const(n) for n in names], ctx=ast.Load())


def _lambda(body):
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                         kw_defaults=[], kwarg=None, defaults=[]), body=body)


def _def(name, body, args=()):
    return ast.FunctionDef(
        name=name, args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=a) for a in args],
                                      vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                                      defaults=[]),
        body=body or [ast.Pass()], decorator_list=[], returns=None)


def _located(nodes, where):
    """Give made nodes the user's line (one line: a traceback shows that line alone)."""
    for n in nodes:
        for sub in ast.walk(n):
            if "lineno" in sub._attributes and not hasattr(sub, "lineno"):
                sub.lineno = sub.end_lineno = where.lineno
                sub.col_offset = sub.end_col_offset = 0
        if not hasattr(n, "lineno") or n.lineno is None:
            n.lineno = n.end_lineno = where.lineno
    return nodes


def _not(expr):
    return _call(_ag("not_"), expr)


# ---- pass 1: expressions -----------------------------------------------------------------------

class _Expressions(ast.NodeTransformer):
    """Calls through ``converted_call``; lazy ``and``/``or``/``not``/conditional expressions."""

    def __init__(self, self_name):
        self.self_name = self_name  # the first parameter, for zero-argument super()

    def visit_FunctionDef(self, node):
        return node  # nested functions are converted as scopes of their own

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Name) and f.id == "super":
            if not node.args and self.self_name:  # in a branch function: name them both
                node.args = [_name("__class__"), _name(self.self_name)]
            return node
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id == "ag__":
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[None if k.arg is None else _const(k.arg)
                                    for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = _const(None)
        return ast.copy_location(_call(_ag("converted_call"), f, args, kwargs), node)

    def visit_Assert(self, node):
        self.generic_visit(node)
        msg = _lambda(node.msg) if node.msg is not None else _const(None)
        return ast.copy_location(ast.Expr(value=_call(_ag("assert_stmt"), node.test, msg)),
                                 node)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        expr = node.values[-1]
        for v in reversed(node.values[:-1]):
            expr = _call(_ag(fn), _lambda(v), _lambda(expr))
        return ast.copy_location(expr, node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_not(node.operand), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return ast.copy_location(_call(_ag("if_exp"), node.test, _lambda(node.body),
                                       _lambda(node.orelse)), node)


# ---- pass 2: return / break / continue ---------------------------------------------------------

def _has(stmts, kinds, into_loops):
    """Whether a statement list holds a statement of ``kinds`` (not inside nested functions;
    inside nested loops only with ``into_loops``)."""
    def walk(node):
        if isinstance(node, kinds):
            return True
        if isinstance(node, _SCOPES):
            return False
        if not into_loops and isinstance(node, _LOOPS):
            return False
        return any(walk(c) for c in ast.iter_child_nodes(node))
    return any(walk(s) for s in stmts)


def _always_returns(stmts):
    for s in stmts:
        if isinstance(s, (ast.Return, ast.Raise)):
            return True
        if isinstance(s, ast.If) and _always_returns(s.body) and _always_returns(s.orelse):
            return True
    return False


class _Lowering:
    def __init__(self, namer):
        self.namer = namer
        self.ret = None  # (do_return, retval_) when returns are lowered

    def function_body(self, body):
        nested = any(_has([s], ast.Return, True) for s in body
                     if not isinstance(s, ast.Return))
        if not nested:
            return self.block(body, None)[0]
        self.ret = (self.namer("do_return"), self.namer("retval_"))
        if not _always_returns(body):  # falling off the end returns None
            end = ast.Return(value=None)
            body = body + _located([end], body[-1])
        first = body[0]
        head = _located([_assign(self.ret[0], _const(False)),
                         _assign(self.ret[1], _call(_ag("UndefinedReturnValue")))], first)
        lowered, _ = self.block(body, None)
        tail = _located([ast.Return(value=_call(_ag("retval"), _name(self.ret[1])))], body[-1])
        return head + lowered + tail

    def block(self, stmts, loop):
        """(statements, flags they may set) with the statements after a flag guarded."""
        out, flags = [], []
        for i, s in enumerate(stmts):
            new, f = self.stmt(s, loop)
            out.extend(new)
            for x in f:
                if x not in flags:
                    flags.append(x)
            if f and i + 1 < len(stmts):
                rest, rf = self.block(stmts[i + 1:], loop)
                for x in rf:
                    if x not in flags:
                        flags.append(x)
                test = _not(_name(f[0]) if len(f) == 1 else _or_chain(f))
                out.extend(_located([ast.If(test=test, body=rest, orelse=[])], stmts[i + 1]))
                break
        return out, flags

    def stmt(self, s, loop):
        if isinstance(s, ast.Return) and self.ret is not None:
            value = s.value if s.value is not None else _const(None)
            new = [_assign(self.ret[0], _const(True)), _assign(self.ret[1], value)]
            return _located(new, s), [self.ret[0]]
        if isinstance(s, ast.Break):
            if loop is None:
                raise UnsupportedError("`break` outside a loop", s.lineno)
            loop["break"] = loop["break"] or self.namer("break_")
            return _located([_assign(loop["break"], _const(True))], s), [loop["break"]]
        if isinstance(s, ast.Continue):
            if loop is None:
                raise UnsupportedError("`continue` outside a loop", s.lineno)
            loop["continue"] = loop["continue"] or self.namer("continue_")
            return _located([_assign(loop["continue"], _const(True))], s), [loop["continue"]]
        if isinstance(s, ast.If):
            body, f1 = self.block(s.body, loop)
            orelse, f2 = self.block(s.orelse, loop)
            s.body, s.orelse = body, orelse
            return [s], f1 + [x for x in f2 if x not in f1]
        if isinstance(s, _LOOPS):
            return self.loop(s, loop)
        if isinstance(s, (ast.With, ast.Try)):
            flags = []
            for field in ("body", "orelse", "finalbody"):
                if hasattr(s, field):
                    new, f = self.block(getattr(s, field), loop)
                    setattr(s, field, new)
                    flags += [x for x in f if x not in flags]
            for h in getattr(s, "handlers", []):
                h.body, f = self.block(h.body, loop)
                flags += [x for x in f if x not in flags]
            return [s], flags
        if isinstance(s, (ast.AsyncFor, ast.AsyncWith, ast.Match)) and (
                _has([s], (ast.Return, ast.Break, ast.Continue), False)):
            raise UnsupportedError(f"`return`/`break`/`continue` inside `{type(s).__name__}`",
                                   s.lineno)
        return [s], []

    def loop(self, s, outer):
        ctx = {"break": None, "continue": None}
        body, flags = self.block(s.body, ctx)
        if ctx["continue"]:
            body = _located([_assign(ctx["continue"], _const(False))], s) + body
        s.body = body
        before, after = [], []
        stops = [x for x in (ctx["break"],) if x]
        if self.ret is not None and self.ret[0] in flags:
            stops.append(self.ret[0])
        if ctx["break"]:
            before = _located([_assign(ctx["break"], _const(False))], s)
        if stops:
            extra = _not(_name(stops[0]) if len(stops) == 1 else _or_chain(stops))
            if isinstance(s, ast.While):
                s.test = _call(_ag("and_"), _lambda(extra), _lambda(s.test))
            else:
                s.ag_extra_test = extra
        out_flags = [x for x in flags if self.ret is not None and x == self.ret[0]]
        if s.orelse:  # runs when the loop ends without break; a break in it is the outer loop's
            orelse, f = self.block(s.orelse, outer)
            if ctx["break"]:
                after = _located([ast.If(test=_not(_name(ctx["break"])), body=orelse,
                                         orelse=[])], s.orelse[0])
            else:
                after = orelse
            out_flags += [x for x in f if x not in out_flags]
            s.orelse = []
        return before + [s] + after, out_flags


def _or_chain(names):
    expr = _name(names[-1])
    for n in reversed(names[:-1]):
        expr = _call(_ag("or_"), _lambda(_name(n)), _lambda(expr))
    return expr


# ---- pass 3: control flow ----------------------------------------------------------------------

class _ControlFlow(ast.NodeTransformer):
    def __init__(self, liveness, namer, declared):
        self.lv = liveness
        self.namer = namer
        self.declared = declared  # names the user declared global / nonlocal

    def visit_FunctionDef(self, node):
        return node  # converted on its own

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_FunctionDef

    def _scope_decl(self, modified):
        local = sorted(n for n in modified if n not in self.declared)
        glob = sorted(n for n in modified if self.declared.get(n) == "global")
        nonloc = sorted(n for n in modified if self.declared.get(n) == "nonlocal")
        out = []
        if local or nonloc:
            out.append(ast.Nonlocal(names=local + nonloc))
        if glob:
            out.append(ast.Global(names=glob))
        return out

    def _state(self, names, where):
        """``get_state``/``set_state`` over ``names``."""
        get = self.namer("get_state")
        put = self.namer("set_state")
        getter = _def(get, [ast.Return(value=ast.Tuple(elts=[_name(n) for n in names],
                                                        ctx=ast.Load()))])
        if names:
            target = ast.Tuple(elts=[_name(n, ast.Store()) for n in names], ctx=ast.Store())
            setter = _def(put, self._scope_decl(set(names)) +
                          [ast.Assign(targets=[target], value=_name("vars_"))], ["vars_"])
        else:
            setter = _def(put, [ast.Pass()], ["vars_"])
        return _located([getter, setter], where), get, put

    def _outputs(self, node):
        names = self.lv.modified[id(node)] & self.lv.live[id(node)]
        return sorted(n for n in names if self.declared.get(n) != "global")

    def visit_If(self, node):
        self.generic_visit(node)
        modified = self.lv.modified[id(node)]
        names = self._outputs(node)
        decl = self._scope_decl(modified)
        body_name, else_name = self.namer("if_body"), self.namer("else_body")
        defs = [_def(body_name, decl + node.body), _def(else_name, decl + node.orelse)]
        state, get, put = self._state(names, node)
        call = ast.Expr(value=_call(_ag("if_stmt"), node.test, _name(body_name),
                                    _name(else_name), _name(get), _name(put),
                                    _names_tuple(names)))
        return _located(defs, node) + state + _located([call], node)

    def visit_While(self, node):
        self.generic_visit(node)
        modified = self.lv.modified[id(node)]
        names = self._loop_vars(node)
        test_name, body_name = self.namer("loop_test"), self.namer("loop_body")
        defs = [_def(test_name, [ast.Return(value=node.test)]),
                _def(body_name, self._scope_decl(modified) + node.body)]
        state, get, put = self._state(names, node)
        call = ast.Expr(value=_call(_ag("while_stmt"), _name(test_name), _name(body_name),
                                    _name(get), _name(put), _names_tuple(names)))
        return _located(defs, node) + state + _located([call], node)

    def visit_For(self, node):
        self.generic_visit(node)
        modified = self.lv.modified[id(node)]
        names = self._loop_vars(node)
        targets = set()
        target_names(node.target, targets)
        body_name = self.namer("loop_body")
        itr = self.namer("itr")
        assign = ast.Assign(targets=[node.target], value=_name(itr))
        defs = [_def(body_name, self._scope_decl(modified) + _located([assign], node) +
                     node.body, [itr])]
        extra = getattr(node, "ag_extra_test", None)
        if extra is not None:
            test_name = self.namer("extra_test")
            defs.append(_def(test_name, [ast.Return(value=extra)]))
            extra = _name(test_name)
        else:
            extra = _const(None)
        state, get, put = self._state(names, node)
        call = ast.Expr(value=_call(_ag("for_stmt"), node.iter, extra, _name(body_name),
                                    _name(get), _name(put), _names_tuple(names),
                                    _names_tuple(sorted(targets))))
        return _located(defs, node) + state + _located([call], node)

    def _loop_vars(self, node):
        names = self.lv.modified[id(node)] & self.lv.live[id(node)]
        return sorted(n for n in names if self.declared.get(n) != "global")


def _declared(fn):
    out = {}
    for node in ast.walk(fn):
        if isinstance(node, _SCOPES) and node is not fn:
            continue
        if isinstance(node, ast.Global):
            out.update({n: "global" for n in node.names})
        elif isinstance(node, ast.Nonlocal):
            out.update({n: "nonlocal" for n in node.names})
    return out


def _params(args):
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


class _Namer:
    """Unique names for what the converter adds (``if_body``, ``if_body_1``...)."""

    def __init__(self, taken):
        self.taken = set(taken)

    def __call__(self, base):
        name, i = base, 0
        while name in self.taken:
            i += 1
            name = f"{base}_{i}"
        self.taken.add(name)
        return name


def convert_function_def(fn_node, namer=None, top=True):
    """Convert a FunctionDef in place (nested functions too); returns it."""
    for node in _own_nodes(fn_node):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            raise UnsupportedError("generator functions (`yield`) are not converted",
                                   node.lineno)
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            raise UnsupportedError("async code is not converted", node.lineno)
    if namer is None:
        taken = {n.id for n in ast.walk(fn_node) if isinstance(n, ast.Name)}
        taken |= {n.arg for n in ast.walk(fn_node) if isinstance(n, ast.arg)}
        namer = _Namer(taken)
    params = _params(fn_node.args)
    if top:
        fn_node.decorator_list = []
    # nested functions first, each its own scope (a nested generator stays as written)
    for node in [n for n in _own_nodes(fn_node) if isinstance(n, ast.FunctionDef)]:
        try:
            convert_function_def(node, namer, top=False)
        except UnsupportedError:
            pass
    fn_node.body = [_Expressions(params[0] if params else None).visit(s) for s in fn_node.body]
    fn_node.body = _Lowering(namer).function_body(fn_node.body)
    lv = Liveness()
    lv.block(fn_node.body, set())
    declared = _declared(fn_node)
    changed = set()
    for node in _own_nodes(fn_node):
        if isinstance(node, (ast.If, ast.While, ast.For)):
            changed |= lv.modified[id(node)]
    flow = _ControlFlow(lv, namer, declared)
    body = []
    for s in fn_node.body:
        new = flow.visit(s)
        body.extend(new if isinstance(new, list) else [new])
    first = set()  # names the body sets before its first compound statement need no init
    for s in fn_node.body:
        if not isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
            break
        first |= assigned_names([s])
    init = [_assign(n, _call(_ag("Undefined"), _const(n)))
            for n in sorted(changed - set(params) - set(declared) - first)]
    head = [s for s in body[:1] if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
            and isinstance(s.value.value, str)]  # keep the docstring first
    fn_node.body = head + _located(init, fn_node.body[0]) + body[len(head):]
    return fn_node


def _own_nodes(fn_node):
    """The nodes of ``fn_node``'s own scope (not of nested functions or classes)."""
    stack = list(fn_node.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(node))
