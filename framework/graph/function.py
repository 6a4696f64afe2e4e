"""``tfx.function``: trace a Python function into a graph once per input signature, then run
the graph without running the Python again.

The rules are TensorFlow's. A call's signature is its tensors' dtypes and shapes plus its Python
values (so ``f(2)`` and ``f(3)`` trace twice, ``f(x)`` and ``f(y)`` of one shape once). Python
side effects (``print``, appending to a list) happen while tracing only; ``tfx.print`` runs on
every call. Variables captured by closure are read when the graph runs; Python values and outside
tensors are frozen at trace time. A variable may be created only while the function is traced for
the first time.

A signature with None dimensions (``input_signature``, ``reduce_retracing=True``,
``get_concrete_function(TensorSpec([None, 8]))``) accepts every matching shape. tfx runs graphs
on concrete shapes: the first call with a new shape traces the Python once more for that shape
(this does not count as a retrace and never warns). With ``autograph=True`` (the default) the
function is converted first (``tfx.autograph``): ``if``/``while``/``for`` on tensors become
``tfx.cond``/``tfx.while_loop`` nodes. ``jit_compile=True`` compiles each graph into one native
function (graph/fuse.py; falls back to the op-by-op plan when an op has no Numba template).
"""
import functools
import inspect
import warnings
import weakref

from ..core.state import STATE
from ..core.tensor import Tensor, convert_to_tensor, wrap
from . import structure as S
from .graph import Graph, replay_taped, zeros_for
from ..data.specs import TensorSpec
from .tracing import GraphRecorder, tracing

__all__ = ["function", "Function", "ConcreteFunction"]

_WARN_AFTER = 5  # traces; TensorFlow warns past 5 as well


class _Trace:
    """One graph of a ConcreteFunction, for one set of concrete input shapes."""

    __slots__ = ("graph", "plan", "out_struct", "out_dtypes", "single")

    def __init__(self, graph, out_struct, jit_compile=False):
        self.graph = graph
        self.plan = graph.plan(jit_compile)
        self.out_struct = out_struct
        self.out_dtypes = self.plan.out_dtypes
        self.single = out_struct is not None and out_struct[0] is S.TENSOR

    def run(self, arrays):
        """Run the plan on input arrays; the result in the traced function's structure."""
        outs = self.plan(arrays)
        if self.single:
            return wrap(outs[0], self.out_dtypes[0])
        return S.pack_outputs(self.out_struct, [wrap(a, d) for a, d in zip(outs,
                                                                             self.out_dtypes)])


class ConcreteFunction:
    """A function traced for one input signature: ``graph``, ``structured_input_signature``,
    and a call that runs the graph (op by op under a GradientTape, so gradients flow)."""

    def __init__(self, function, struct, specs):
        # A weak link back (the Function holds its concrete functions): dropping a model frees
        # its traced steps by reference counting, not at the next full garbage collection.
        self._ref = weakref.ref(function)
        self._python_function = function._python_function
        self._struct = struct
        self._specs = tuple(specs)
        self._traces = {}     # concrete input shapes -> _Trace
        self._first = None

    @property
    def _function(self):
        fn = self._ref()
        if fn is None:  # the tfx.function is gone; this concrete function still runs
            fn = Function(self._python_function)
            fn._traced_once = True
            self._ref = lambda: fn
        return fn

    # -- tracing ----------------------------------------------------------------------------------
    def _trace(self, arrays):
        fn = self._function
        first = not fn._traced_once
        graph, out_struct, created = self._trace_once(arrays)
        if first and created and fn._retrace_if_created:
            # TensorFlow's rule: a first trace that made variables is traced again, now that
            # they exist; making more then (a variable created on every call) raises.
            graph, out_struct, _ = self._trace_once(arrays)
        tr = _Trace(graph, out_struct, fn._jit_compile is True)
        self._traces[tuple(a.shape for a in arrays)] = tr
        if self._first is None:
            self._first = tr
        return tr

    def _trace_once(self, arrays):
        fn = self._function
        graph = Graph(fn.__name__)
        rec = GraphRecorder(graph, owner=fn)
        names = S.leaf_names(self._struct, fn._param_names(len(self._struct[1][0][1])))
        with tracing(rec):
            inputs = []
            for a, spec, name in zip(arrays, self._specs, names):
                x = wrap(a, spec.dtype)
                rec.bind_input(x, name)
                inputs.append(x)
            args, kwargs = S.pack_args(self._struct, iter(inputs))
            out = fn._traced_callable()(*args, **kwargs)
            out_struct = S.flatten_outputs(out, graph.outputs, rec.slot_of)
        fn._traced_once = True
        return graph, out_struct, rec.created_variables

    def _trace_for(self, tensors):
        tr = self._traces.get(tuple(x._v.shape for x in tensors))
        return tr if tr is not None else self._trace([x._v for x in tensors])

    def _trace_from_specs(self, size=1):
        # None dimensions need some size to trace with.
        return self._trace_for([wrap(zeros_for(s.dtype, [size if d is None else d
                                                         for d in s.shape.as_list()]), s.dtype)
                                for s in self._specs])

    # -- calling ----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        args, kwargs = self._function._canonical(args, kwargs)
        leaves = []
        struct = S.flatten_args((args, kwargs), leaves)
        if struct != self._struct:
            raise TypeError(f"{self._function.description()}: this concrete function was traced "
                            "for other Python arguments or another structure of arguments; "
                            f"expected {self.structured_input_signature}.")
        for x, spec in zip(leaves, self._specs):
            if not spec.is_compatible_with(x):
                raise TypeError(f"{self._function.description()}: a {x.dtype.name} tensor of "
                                f"shape {tuple(x.shape.as_list())} does not match {spec}.")
        return self._call_flat(leaves)

    def _call_flat(self, tensors):
        if STATE.recording:
            return self._call_taped(tensors)
        tr = self._traces.get(tuple([x._v.shape for x in tensors]))
        if tr is None:
            tr = self._trace([x._v for x in tensors])
        return tr.run([x._v for x in tensors])

    def _call_taped(self, tensors):
        """Under a tape (or inside another trace): the graph's ops run one by one, recorded."""
        tr = self._trace_for(tensors)
        return S.pack_outputs(tr.out_struct, replay_taped(tr.graph, tensors))

    # -- inspecting -------------------------------------------------------------------------------
    @property
    def graph(self):
        """The graph traced first (for the signature's own shapes)."""
        if self._first is None:
            self._trace_from_specs()
        return self._first.graph

    @property
    def structured_input_signature(self):
        """``(args, kwargs)`` with a TensorSpec for each tensor and Python values as given;
        a spec without a name gets its parameter's (``x``, ``x_0`` in a list), as in TF."""
        fn = self._function
        names = S.leaf_names(self._struct, fn._param_names(len(self._struct[1][0][1])))
        specs = [s if s.name is not None else TensorSpec(s.shape, s.dtype, name)
                 for s, name in zip(self._specs, names)]
        return S.pack_args(self._struct, iter(specs))

    @property
    def structured_outputs(self):
        """TensorSpecs of the outputs; a dimension that follows a None input dimension is
        None (graphs are traced for concrete shapes: sizes 1 and 2 tell which follow)."""
        tr = self._first or self._trace_from_specs()
        g = tr.graph
        shapes = [g.shapes[s] for s in g.outputs]
        if any(spec.shape.rank is not None and None in spec.shape.as_list()
               for spec in self._specs):
            g2 = self._trace_from_specs(2).graph
            shapes = [tuple(None if a != b else a for a, b in zip(s1, g2.shapes[o]))
                      if len(s1) == len(g2.shapes[o]) else None
                      for s1, o in zip(shapes, g2.outputs)]
        specs = [TensorSpec(shape, g.dtypes[s]) for shape, s in zip(shapes, g.outputs)]
        return S.pack_outputs(tr.out_struct, specs)

    @property
    def variables(self):
        """The variables the graph reads or writes."""
        return tuple(self.graph.variables)

    @property
    def trainable_variables(self):
        return tuple(v for v in self.graph.variables if v.trainable)

    @property
    def name(self):
        return self._function.__name__

    def pretty_printed_signature(self, verbose=True):
        """The inputs (by parameter name), the outputs and the captured variables."""
        args, kwargs = self.structured_input_signature
        names = self._function._param_names(len(args))
        lines = ["Input Parameters:"]
        for name, value in list(zip(names, args)) + list(kwargs.items()):
            lines.append(f"  {name}: {value!r}")
        lines += ["Output Type:", f"  {self.structured_outputs!r}"]
        if self.graph.variables:
            lines.append("Captures:")
            lines += [f"  {v.name}: shape={tuple(v.shape.as_list())} dtype={v.dtype.name}"
                      for v in self.graph.variables]
        return "\n".join(lines)

    def __repr__(self):
        return f"<ConcreteFunction {self.name} signature={self.structured_input_signature}>"


class Function:
    """A Python function traced into graphs (``tfx.function``'s result); callable like the
    function itself. Also a method decorator: each instance gets its own traces."""

    def __init__(self, python_function, input_signature=None, reduce_retracing=False,
                 jit_compile=None, autograph=True, name=None):
        self._python_function = python_function
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._reduce_retracing = bool(reduce_retracing)
        self._jit_compile = jit_compile
        self._autograph = autograph
        self._converted = None     # what tracing runs: the function converted by AutoGraph
        functools.update_wrapper(self, python_function)
        self.__name__ = name or getattr(python_function, "__name__", "function")
        try:
            self._signature = inspect.signature(python_function, follow_wrapped=False)
        except (TypeError, ValueError):
            self._signature = None
        params = list(self._signature.parameters.values()) if self._signature else []
        self._simple = self._signature is not None and all(
            p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params)
        self._n_params = len(params)
        self._concrete = {}        # exact (structure, specs) -> ConcreteFunction
        self._plans = {}           # dtypes and shapes of tensor-only calls -> _Trace
        self._all = []             # every ConcreteFunction, oldest first
        self._trace_count = 0
        self._traced_once = False
        # Keras' steps build their model and optimizer in the first trace (Keras builds them
        # before it): that trace is kept as it is (fit turns this off for them).
        self._retrace_if_created = True
        self._last_described = None
        self._warned = False
        self._bound = {}
        if self._input_signature is not None:
            for s in _flat_specs(self._input_signature):
                if not isinstance(s, TensorSpec):
                    raise TypeError(f"input_signature must be a sequence of TensorSpec, got "
                                    f"{s!r}")

    # -- calling ----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        plain = not kwargs and self._simple and len(args) == self._n_params
        if plain:  # tensors only, by position: straight to the plan of their shapes
            key = []
            for x in args:
                if x.__class__ is not Tensor:
                    plain = False
                    break
                key.append((x._dtype, x._v.shape))
            else:
                key = tuple(key)
                tr = self._plans.get(key)
                if tr is not None and not STATE.recording:
                    return tr.run([x._v for x in args])
        else:
            args, kwargs = self._canonical(args, kwargs)
        out = self._call(args, kwargs)
        if plain:
            cf = self._concrete.get((S.flatten_args((args, kwargs), []), key))
            tr = cf._traces.get(tuple(x._v.shape for x in args)) if cf is not None else None
            if tr is not None:
                self._plans[key] = tr
        return out

    def _call(self, args, kwargs):
        leaves = []
        struct = S.flatten_args((args, kwargs), leaves)
        key = (struct, tuple([(x._dtype, x._v.shape) for x in leaves]))
        cf = self._concrete.get(key)
        if cf is None:
            if self._input_signature is not None:
                tensors = self._match_signature(args, kwargs)
                cf = self._all[0] if self._all else self._new_trace(
                    args, kwargs, *self._signature_struct(), tensors)
                if struct == cf._struct:  # tensors alone: the next such call skips the check
                    self._concrete[key] = cf
                return cf._call_flat(tensors)
            cf = self._lookup(args, kwargs, struct, leaves)
            self._concrete[key] = cf
        return cf._call_flat(leaves)

    def _traced_callable(self):
        """The Python function a trace runs: AutoGraph's conversion unless autograph=False."""
        if not self._autograph:
            return self._python_function
        if self._converted is None:
            from ..autograph.api import convert_for_tracing
            self._converted = convert_for_tracing(self._python_function)
        return self._converted

    def _canonical(self, args, kwargs):
        """Arguments as the signature binds them (defaults filled in), so ``f(1)`` and
        ``f(x=1)`` share a trace."""
        if self._signature is None:
            return args, kwargs
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.description()}: {e}") from None
        bound.apply_defaults()
        return bound.args, bound.kwargs

    def _lookup(self, args, kwargs, struct, leaves):
        """The ConcreteFunction for a call not seen before: a compatible one, or a new trace."""
        cf = self._compatible(struct, leaves)
        if cf is None:
            specs = [TensorSpec(x._v.shape, x._dtype) for x in leaves]
            if self._reduce_retracing:
                specs = self._relaxed(struct, specs)
            cf = self._new_trace(args, kwargs, struct, specs, leaves)
        return cf

    def _compatible(self, struct, leaves):
        """The most specific traced signature these tensors fit (fewest None dims)."""
        best, best_unknown = None, None
        for cf in self._all:
            if cf._struct != struct:
                continue
            if all(s.is_compatible_with(x) for s, x in zip(cf._specs, leaves)):
                unknown = sum(d is None for s in cf._specs for d in (s.shape.dims or [None]))
                if best is None or unknown < best_unknown:
                    best, best_unknown = cf, unknown
        return best

    def _relaxed(self, struct, specs):
        """reduce_retracing: dimensions that differ from an earlier trace become None."""
        for cf in reversed(self._all):
            if cf._struct == struct and len(cf._specs) == len(specs):
                relaxed = [s.most_specific_common_supertype([p]) for s, p in zip(specs,
                                                                                 cf._specs)]
                if all(r is not None for r in relaxed):
                    return relaxed
        return specs

    def _new_trace(self, args, kwargs, struct, specs, leaves):
        self._note_trace(args, kwargs, specs)
        cf = ConcreteFunction(self, struct, specs)
        if leaves is not None:
            cf._trace([x._v for x in leaves])
        else:
            cf._trace_from_specs()
        self._all.append(cf)
        return cf

    # -- input_signature ------------------------------------------------------------------------
    def _signature_struct(self):
        leaves = []
        struct = S.flatten_args((tuple(self._input_signature), {}), leaves)
        return struct, leaves

    def _match_signature(self, args, kwargs):
        """The tensors of a call checked against ``input_signature`` (TypeError if they do
        not fit); Python values are converted to the spec's dtype when they can be."""
        sig = self._input_signature
        names = self._param_names(len(sig))
        if kwargs:
            extra = [k for k in kwargs if k not in names]
            if extra:
                raise TypeError(f"{self.description()} has an input_signature for "
                                f"{len(sig)} argument(s); got unexpected keyword argument(s) "
                                f"{extra}.")
            args = tuple(args) + tuple(kwargs[n] for n in names[len(args):] if n in kwargs)
        if len(args) != len(sig):
            raise TypeError(f"{self.description()} takes {len(sig)} argument(s) given its "
                            f"input_signature {list(sig)}, got {len(args)}.")
        out = []
        for name, value, spec in zip(names, args, sig):
            self._match(name, value, spec, out)
        return out

    def _match(self, path, value, spec, out):
        if isinstance(spec, (list, tuple)):
            if not isinstance(value, (list, tuple)) or len(value) != len(spec):
                raise TypeError(f"{self.description()}: argument {path} should be a sequence "
                                f"of {len(spec)} matching {spec}, got {value!r}.")
            for i, (v, s) in enumerate(zip(value, spec)):
                self._match(f"{path}[{i}]", v, s, out)
            return
        if isinstance(spec, dict):
            for k, s in spec.items():
                self._match(f"{path}[{k!r}]", value[k], s, out)
            return
        try:
            x = convert_to_tensor(value) if hasattr(value, "_dtype") else convert_to_tensor(
                value, spec.dtype)
        except (TypeError, ValueError):
            raise TypeError(f"{self.description()}: argument {path} = {value!r} cannot be "
                            f"converted to a tensor matching its input_signature {spec}.") \
                from None
        if not spec.is_compatible_with(x):
            why = ("the dtype differs" if x.dtype is not spec.dtype else "the rank differs"
                   if spec.shape.rank not in (None, x.ndim) else "a dimension differs")
            raise TypeError(f"{self.description()} was called with {path} = "
                            f"{_article(x.dtype.name)} {x.dtype.name} tensor of shape {tuple(x._v.shape)}, which does not match its "
                            f"input_signature {spec} ({why}). Pass a matching tensor "
                            "(tfx.cast, tfx.reshape) or change the signature.")
        out.append(x)

    # -- concrete functions -----------------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these arguments (tensors or TensorSpecs; none at all with an
        input_signature), traced now if needed; the same object for the same signature."""
        if self._input_signature is not None and not args and not kwargs:
            if not self._all:
                struct, leaves = self._signature_struct()
                self._new_trace((), {}, struct, leaves, None)
            return self._all[0]
        if self._input_signature is not None:
            return self._all[0] if self._all else self._new_trace(
                args, kwargs, *self._signature_struct(), None)
        args, kwargs = self._canonical(args, kwargs)
        leaves = []
        struct = S.flatten_args((args, kwargs), leaves)
        specs = [x if isinstance(x, TensorSpec) else TensorSpec(x._v.shape, x._dtype)
                 for x in leaves]
        for cf in self._all:
            if cf._struct == struct and list(cf._specs) == specs:
                return cf
        tensors = [x for x in leaves if not isinstance(x, TensorSpec)]
        cf = ConcreteFunction(self, struct, specs)
        self._note_trace(args, kwargs, specs)
        if len(tensors) == len(leaves):
            cf._trace([x._v for x in leaves])
        else:
            cf._trace_from_specs()
        self._all.append(cf)
        return cf

    def experimental_get_tracing_count(self):
        """How many times the Python function has been traced (one per new signature)."""
        return self._trace_count

    @property
    def input_signature(self):
        return self._input_signature

    @property
    def python_function(self):
        return self._python_function

    # -- retracing and variables -------------------------------------------------------------------
    def _note_trace(self, args, kwargs, specs):
        self._trace_count += 1
        described = self._describe(args, kwargs)
        previous, self._last_described = self._last_described, described
        if self._trace_count > _WARN_AFTER and not self._warned and previous is not None:
            self._warned = True
            self._warn_retracing(previous, described)

    def _describe(self, args, kwargs):
        names = self._param_names(len(args))
        return S.describe(list(zip(names, args)) + list(kwargs.items()))

    def _param_names(self, n):
        names = []
        if self._signature is not None:
            for p in self._signature.parameters.values():
                if p.kind is p.VAR_POSITIONAL:
                    names += [f"{p.name}[{i}]" for i in range(n - len(names))]
                    break
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                    names.append(p.name)
        names += [f"args[{i}]" for i in range(len(names), n)]
        return names[:n]

    def _warn_retracing(self, previous, described):
        changes, kinds = S.describe_changes(previous, described)
        fixes = []
        if kinds & {"shape", "dtype"}:
            fixes.append("pass `reduce_retracing=True` to tfx.function (dimensions that vary "
                         "become None)")
            fixes.append("give it an `input_signature` of tfx.TensorSpec with None where shapes "
                         "vary")
        if "python" in kinds:
            fixes.append("pass the changing Python values as tensors (each new Python value is "
                         "a new signature and traces again)")
        if not fixes:
            fixes.append("call it with arguments of one structure and pass tensors rather than "
                         "Python values")
        changed = "; ".join(changes) if changes else "an argument changed"
        msg = (f"{self.description()} has been traced {self._trace_count} times; the latest "
               f"trace was caused by {changed}. Tracing runs the Python function again and "
               f"builds a new graph, which is slow. To trace less: {'; or '.join(fixes)}.")
        from ..diagnostics import user_frame
        f = user_frame()
        if f is None:
            warnings.warn(msg, UserWarning, stacklevel=3)
        else:
            warnings.warn_explicit(msg, UserWarning, f.f_code.co_filename, f.f_lineno,
                                   module=f.f_globals.get("__name__"))

    def _check_variable_creation(self, var, where):
        if not self._traced_once:
            return
        shape = tuple(var.shape.as_list()) if var.shape.rank is not None else None
        raise ValueError(
            "tfx.function only supports singleton tfx.Variables created on the first call. "
            f"{self.description()} created a variable on a call after its first trace: "
            f"tfx.Variable {var.name!r} with shape {shape} and dtype {var.dtype.name}"
            + (f", created at {where}" if where else "") + ". A tfx.function may create "
            "variables only while tracing its first call (TensorFlow's rule): create the "
            "variable outside the function, or once (e.g. `if self.v is None: self.v = "
            "tfx.Variable(...)`).")

    def description(self):
        fn = self._python_function
        fn = getattr(fn, "__func__", fn)
        fn = getattr(fn, "__wrapped__", fn)
        code = getattr(fn, "__code__", None)
        where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
        return f"tfx.function `{getattr(fn, '__qualname__', self.__name__)}`{where}"

    # -- methods ------------------------------------------------------------------------------------
    def __get__(self, instance, owner):
        if instance is None:
            return self
        key = id(instance)
        entry = self._bound.get(key)
        if entry is not None and entry[0]() is instance:
            return entry[1]
        bound = Function(self._python_function.__get__(instance, owner), self._input_signature,
                         self._reduce_retracing, self._jit_compile, self._autograph,
                         self.__name__)
        try:
            ref = weakref.ref(instance, lambda _, k=key, d=self._bound: d.pop(k, None))
        except TypeError:  # not weak-referenceable: keep it for the Function's life
            ref = (lambda obj: (lambda: obj))(instance)
        self._bound[key] = (ref, bound)
        return bound

    def __repr__(self):
        return f"<tfx.function {self.__name__}>"


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def _flat_specs(sig):
    out = []

    def walk(x):
        if isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        else:
            out.append(x)
    walk(sig)
    return out


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None, name=None):
    """Compile ``func`` into a graph function (``tf.function``); a decorator with or without
    arguments, also on methods.

    Args: ``input_signature`` (TensorSpecs: the only signature accepted; None dims match any
    size), ``reduce_retracing`` (shapes that change between calls become None, so fewer
    traces), ``autograph`` (convert Python control flow on tensors to graph control flow; on
    by default), ``jit_compile`` (True: each graph runs as one Numba-compiled function,
    results equal to the op-by-op plan's up to float rounding; ops without a Numba template
    keep the plan).
    """
    relax = reduce_retracing or bool(experimental_relax_shapes)

    def decorate(fn):
        if isinstance(fn, Function):
            return fn
        return Function(fn, input_signature, relax, jit_compile, autograph, name)
    return decorate if func is None else decorate(func)
