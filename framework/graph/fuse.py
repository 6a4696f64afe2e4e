"""``jit_compile=True``: a whole traced graph as one native function (Numba).

``fuse(graph)`` writes the simplified graph (forward, backward, the optimizer's update, metric
updates) as the source of ONE Python function of plain loops over arrays whose shapes are all
known at trace time, and compiles it with ``numba.njit``. Each op has a template
(``fuse_templates`` for elementwise ops, ``fuse_ops`` for the rest); a graph with an op that has
none (or a dtype Numba does not compile) is not fused: ``fuse`` raises ``NotFusable`` with the
reason and the caller keeps the op-by-op ``Plan`` (``plan.fused``, ``plan.not_fused``).

Values of rank 0 travel as Numba scalars of their dtype (never as Python floats, which Numba
types as float64), arrays as arrays. Variables are arguments (their arrays as they are now);
the new array of each variable the graph writes goes into a buffer the Python wrapper passes
and then binds to ``var._v``. A buffer is reused only while nothing else holds it, so no array
a tensor may hold is mutated, as everywhere in tfx.

Compiling takes seconds, so the generated source is written to ``$TFX_CACHE_DIR/numba`` (default
``~/.cache/tfx/numba``) as ``fused_<sha256>.py`` and compiled with ``cache=True``: a later
process with the same graph loads the machine code from Numba's cache. Within a process the
dispatchers are memoized per source.
"""
import hashlib
import importlib.util
import os
import sys
import tempfile

import numpy as np  # the compiled function's arguments are host arrays

from .fuse_templates import NotFusable, Emitter

__all__ = ["fuse", "FusedPlan", "NotFusable", "cache_dir"]

_DISPATCHERS = {}  # source sha -> numba dispatcher

# LLVM's compile time grows faster than the function: measured here, the MNIST MLP's step (169
# lines) compiles in ~4 s, a two-step LSTM's (295) in ~8 s, a five-step LSTM + GRU's (903) in
# ~65 s. Larger graphs run op by op (a later process would load them from the disk cache, but
# a first fit that stalls for minutes reads as a hang).
MAX_LINES = 600

_HEADER = ("import numpy as np\nimport numba\n\n\n"
           "@numba.njit(cache=True, error_model='numpy', fastmath=False, nogil=True)\n")


def cache_dir():
    """Where generated sources and Numba's machine code are kept."""
    root = os.environ.get("TFX_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache",
                                                           "tfx")
    return os.path.join(root, "numba")


def _load(source):
    """The njit dispatcher of ``source`` (a module defining ``fused``), through the disk cache."""
    sha = hashlib.sha256(source.encode()).hexdigest()[:32]
    fn = _DISPATCHERS.get(sha)
    if fn is not None:
        return fn, sha
    folder = cache_dir()
    path = os.path.join(folder, f"fused_{sha}.py")
    try:
        if not os.path.exists(path):
            os.makedirs(folder, exist_ok=True)
            # Written once and renamed into place: Numba's cache keys on the file's
            # timestamp, so a file rewritten later would invalidate what others compiled.
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                f.write(source)
            os.replace(tmp, path)
    except OSError:  # no writable cache: compile in memory, every process anew
        ns = {}
        exec(compile(source.replace("cache=True", "cache=False"), f"<tfx fused {sha[:8]}>",
                     "exec"), ns)
        fn = _DISPATCHERS[sha] = ns["fused"]
        return fn, sha
    name = f"tfx_fused_{sha}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Numba's cache locates functions through their module
    spec.loader.exec_module(module)
    fn = _DISPATCHERS[sha] = module.fused
    return fn, sha


def fuse(graph):
    """A ``FusedPlan`` for ``graph``; ``NotFusable`` (with the reason) if an op has no
    template."""
    if importlib.util.find_spec("numba") is None:
        raise NotFusable("numba is not installed")
    return FusedPlan(graph)


class FusedPlan:
    """A graph compiled to one native function; called like ``Plan`` (input arrays in, output
    arrays out) and writing the variables the graph assigns."""

    fused = True

    def __init__(self, graph):
        from .graph import _simplify
        self.name = graph.name
        steps, consts, outputs = _simplify(graph)
        self.nodes = [o for o, _ in steps]
        em = Emitter(graph, consts)
        body = em.emit(steps, outputs)
        params = em.params()
        limit = int(os.environ.get("TFX_FUSE_MAX_LINES", MAX_LINES))
        if len(body) > limit:
            raise NotFusable(f"the graph's fused source has {len(body)} lines, over "
                             f"{limit} (TFX_FUSE_MAX_LINES): compiling it would take minutes")
        imports = "".join(f"\n{i}" for i in sorted(em.imports))
        header = _HEADER.replace("\n\n\n", imports + "\n\n\n", 1)
        self.source = header + f"def fused({', '.join(params)}):\n" + "\n".join(body) + "\n"
        self._dispatcher, self.key = _load(self.source)
        self._fn = self._wrapper(em, graph)
        self.out_dtypes = [graph.dtypes[s] for s in graph.outputs]
        self.variables = [v for v, _ in em.variables]
        self.not_fused = None
        self._graph = graph
        self._fallback = None

    def _wrapper(self, em, graph):
        """The Python around the native call, generated too: feed arrays (rank 0 as scalars),
        bind new values to the variables, give rank-0 outputs back as arrays.

        A variable's new array is written into one of two buffers of this plan, taken in turn
        (its value before the step is the other one). A buffer is reused only when nothing
        else holds it (its reference count: the pool, the local, getrefcount's argument);
        otherwise, because a tensor may still read it, a new one replaces it in the pool.
        """
        ns = {"fn": self._dispatcher, "asarray": np.asarray, "empty": np.empty,
              "rc": sys.getrefcount, "K": [0]}
        feeds = []
        for s in em.inputs:
            i = graph.inputs.index(s)
            feeds.append(f"a[{i}][()]" if not graph.shapes[s] else f"a[{i}]")
        for j, (slot, value) in enumerate(em.const_args):
            ns[f"c{j}"] = value
            feeds.append(f"c{j}")
        for j, fn in enumerate(em.calls):
            ns[f"f{j}"] = fn
            feeds.append(f"f{j}()")
        for j, (var, _) in enumerate(em.variables):
            ns[f"v{j}"] = var
            feeds.append(f"v{j}._v[()]" if var._v.ndim == 0 else f"v{j}._v")
        lines = ["def run(a):", "    k = K[0]"]
        for j, shape, d in em.buffers:
            ns[f"Q{j}"] = [np.empty(shape, d), np.empty(shape, d)]
            ns[f"S{j}"], ns[f"D{j}"] = shape, np.dtype(d)
            lines += [f"    b{j} = Q{j}[k]", f"    if rc(b{j}) > 3:",
                      f"        b{j} = Q{j}[k] = empty(S{j}, D{j})"]
            feeds.append(f"b{j}")
        lines += [f"    r = fn({', '.join(feeds)})", "    K[0] = 1 - k"]
        lines += [f"    v{j}._v = b{j}" for j, _, _ in em.buffers]
        pos = len(em.out_exprs)
        for j, (var, _) in enumerate(em.variables):
            if j in em.written and var._v.ndim == 0:
                ns[f"d{j}"] = var._v.dtype
                lines.append(f"    v{j}._v = asarray(r[{pos}], d{j})")
                pos += 1
        outs = []
        for k, s in enumerate(em.out_exprs):
            ns[f"o{k}"] = graph.dtypes[s]._np
            outs.append(f"asarray(r[{k}], o{k})" if not graph.shapes[s] else f"r[{k}]")
        lines.append(f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})")
        exec(compile("\n".join(lines), f"<tfx fused wrapper {self.key[:8]}>", "exec"), ns)
        return ns["run"]

    @property
    def cache_hits(self):
        """How many of the compiled signatures came from the disk cache (not compiled)."""
        return sum(self._dispatcher.stats.cache_hits.values())

    def __call__(self, arrays):
        if self._fallback is not None:
            return self._fallback(arrays)
        try:
            return self._fn(arrays)
        except Exception as e:
            from numba.core.errors import NumbaError
            if not isinstance(e, NumbaError):
                raise
            # Numba could not compile the source for these arrays (a layout or type the
            # templates did not foresee): the op-by-op plan runs instead, from now on.
            from .graph import Plan
            self.fused = False
            self.not_fused = f"Numba failed: {str(e).splitlines()[0]}"
            self._fallback = Plan(self._graph)
            return self._fallback(arrays)
