"""The functions of a loaded SavedModel: concrete functions rebuilt from their checked JSON,
the saved tfx.functions (first matching concrete function wins) and signatures (keyword
tensors in, a dict of tensors out, as TensorFlow's)."""
import math

from ..core.state import STATE
from ..core.tensor import wrap
from ..data.specs import TensorSpec
from ..errors import InvalidArgumentError
from ..graph.graph import replay_taped
from .codec import AttrDecoder, bad, check_shape, dtype_of
from .graphs import decode_graph
from .structures import Mismatch, decode_struct, match, pack

__all__ = ["RestoredConcrete", "RestoredFunction", "SignatureFunction", "keys"]

MAX_TOTAL = 2 ** 33      # elements over all values of a graph at its traced sizes
_CACHED_SHAPES = 16      # graphs rebuilt per set of free-dimension sizes, most recent kept


def keys(j, required, optional=(), where=""):
    """``j`` if it is a JSON object with the ``required`` keys and no others but ``optional``."""
    if not isinstance(j, dict):
        raise bad(where, "expected a JSON object")
    missing = [k for k in required if k not in j]
    extra = [k for k in j if k not in required and k not in optional]
    if missing or extra:
        raise bad(where, f"keys {sorted(missing)} missing, {sorted(extra)[:5]} unexpected")
    return j


class RestoredConcrete:
    """One saved concrete function: its structures, specs and graph (rebuilt per size of its
    free dimensions, from the checked JSON)."""

    def __init__(self, j, variables, consts, where):
        keys(j, ("name", "params", "defaults", "args", "kwargs", "specs", "outputs",
                  "output_specs", "graph", "free", "generic", "base"), where=where)
        self.where = where
        self.name = str(j["name"])[:200]
        if not isinstance(j["params"], list) or not all(isinstance(p, str) for p in j["params"]):
            raise bad(where, "params must be a list of names")
        self.params = j["params"]
        self.defaults = j["defaults"] if isinstance(j["defaults"], dict) else {}
        self.specs = []
        for s in j["specs"] if isinstance(j["specs"], list) else [None]:
            keys(s, ("name", "dtype", "shape"), where=where)
            self.specs.append(TensorSpec(check_shape(s["shape"], where, allow_none=True),
                                         dtype_of(s["dtype"], where), str(s["name"])[:200]))
        n = len(self.specs)
        self.args = decode_struct(j["args"], n, where)
        self.kwargs = decode_struct(j["kwargs"], n, where)
        if not (self.args and "tuple" in self.args and self.kwargs and "dict" in self.kwargs):
            raise bad(where, "args must be a tuple structure and kwargs a dict structure")
        if len(self.params) != len(self.args["tuple"]):
            raise bad(where, "there must be one parameter name per positional argument")
        if sorted(_leaves(self.args) + _leaves(self.kwargs)) != list(range(n)):
            raise bad(where, "the arguments must hold each input tensor exactly once")
        self.free = j["free"]
        seen = set()
        if not isinstance(self.free, list) or not all(
                isinstance(g, list) and g for g in self.free):
            raise bad(where, "free dimensions must be non-empty groups")
        for f in (f for g in self.free for f in g):
            if not (isinstance(f, list) and len(f) == 2 and type(f[0]) is int and
                    0 <= f[0] < n and type(f[1]) is int and
                    0 <= f[1] < len(self.specs[f[0]].shape.as_list()) and
                    self.specs[f[0]].shape.as_list()[f[1]] is None and tuple(f) not in seen):
                raise bad(where, "free dimensions must name the None dimensions of the specs")
            seen.add(tuple(f))
        self.base = j["base"]
        if not isinstance(self.base, list) or len(self.base) != len(self.free) or not all(
                type(b) is int and 0 < b < 1 << 20 for b in self.base):
            raise bad(where, "base sizes are malformed")
        self.generic = j["generic"] is True
        self.graph_json = j["graph"]
        self.variables, self.consts = variables, consts
        self._graphs = {}
        g = self.graph(tuple(self.base))   # the whole graph checked now, not at the first call
        if len(g.inputs) != n:
            raise bad(where, f"the graph takes {len(g.inputs)} inputs for {n} specs")
        if [g.dtypes[s] for s in g.inputs] != [s.dtype for s in self.specs]:
            raise bad(where, "the graph's input dtypes differ from the specs")
        total = sum(math.prod(shape) for shape in g.shapes)
        if total > MAX_TOTAL:
            raise bad(where, f"the graph's values hold {total} elements in all, over the limit "
                             f"of {MAX_TOTAL}")
        self.outputs = decode_struct(j["outputs"], len(g.outputs), where)
        outs = j["output_specs"]
        if not isinstance(outs, list) or len(outs) != len(g.outputs):
            raise bad(where, "output_specs must describe each output")
        self.output_specs = [TensorSpec(check_shape(o[1], where, allow_none=True),
                                        dtype_of(o[0], where)) for o in outs]

    def graph(self, dims):
        g = self._graphs.get(dims)
        if g is None:
            consts, variables, where = self.consts, self.variables, self.where

            def sub(j, at):
                return decode_graph(j, AttrDecoder(variables, consts, dims, sub), at)
            g = sub(self.graph_json, f"{where} ({self.name})")
            if len(self._graphs) >= _CACHED_SHAPES:
                self._graphs.pop(next(iter(self._graphs)))
            self._graphs[dims] = g
        return g

    def bind(self, args, kwargs):
        """The flat input tensors for a call, or Mismatch saying why it does not fit."""
        args_j, kwargs_j = self.args["tuple"], dict(self.kwargs["dict"])
        if len(args) > len(args_j):
            raise Mismatch(f"takes {len(args_j)} positional arguments, got {len(args)}")
        values = dict(zip(self.params, args))
        for k, v in kwargs.items():
            if k in values:
                raise Mismatch(f"got multiple values for argument {k!r}")
            if k not in self.params and k not in kwargs_j:
                raise Mismatch(f"got an unexpected keyword argument {k!r}")
            values[k] = v
        out = [None] * len(self.specs)
        for name, s in list(zip(self.params, args_j)) + list(kwargs_j.items()):
            if name in values:
                match(s, values[name], self.specs, out)
            elif "python" in s and name in self.defaults and self.defaults[name] == s["python"]:
                continue
            else:
                raise Mismatch(f"missing argument {name!r}")
        return out

    def run(self, tensors):
        dims = []
        for group in self.free:
            sizes = {int(tensors[i]._v.shape[ax]) for i, ax in group}
            if len(sizes) != 1:
                raise InvalidArgumentError(None, self.name, (
                    f"saved function {self.name}: dimension {group[0][1]} must have one size "
                    f"across its inputs (it was traced that way), got {sorted(sizes)}."))
            dims.append(sizes.pop())
        dims = tuple(dims)
        if not self.generic and dims != tuple(self.base):
            raise InvalidArgumentError(None, self.name, (
                f"saved function {self.name}: its graph bakes in the sizes of its inputs' "
                f"None dimensions (it was traced with {self.base} there), so it runs only on "
                f"those sizes; got {list(dims)}."))
        g = self.graph(dims)
        if STATE.recording:   # under a tape: op by op, so gradients flow
            outs = replay_taped(g, list(tensors))
        else:
            plan = g.plan()
            arrays = plan([x._v for x in tensors])
            outs = [wrap(a, d) for a, d in zip(arrays, plan.out_dtypes)]
        return pack(self.outputs, outs)

    @property
    def structured_input_signature(self):
        args = tuple(pack(s, self.specs) for s in self.args["tuple"])
        return args, {k: pack(s, self.specs) for k, s in self.kwargs["dict"]}

    @property
    def structured_outputs(self):
        return pack(self.outputs, self.output_specs)


def _leaves(j):
    if j is None:
        return []
    (tag, v), = j.items()
    if tag == "tensor":
        return [v]
    if tag == "python":
        return []
    return [i for x in (v if tag != "dict" else [x for _, x in v]) for i in _leaves(x)]


class RestoredFunction:
    """A saved tfx.function: calls run the first concrete function the arguments fit."""

    def __init__(self, name, concrete, has_input_signature):
        self.__name__ = name
        self.concrete_functions = tuple(concrete)
        self._input_signature = has_input_signature

    def __call__(self, *args, **kwargs):
        reasons = []
        for cf in self.concrete_functions:
            try:
                tensors = cf.bind(args, kwargs)
            except Mismatch as e:
                reasons.append(str(e))
                continue
            return cf.run(tensors)
        options = "\n".join(f"  Option {i + 1}: {cf.structured_input_signature} ({r})"
                            for i, (cf, r) in enumerate(zip(self.concrete_functions, reasons)))
        msg = (f"Could not find matching concrete function to call loaded from the SavedModel "
               f"({self.__name__}). Expected one of:\n{options}")
        raise (TypeError if self._input_signature else ValueError)(msg)

    def __repr__(self):
        return f"<tfx.saved_model RestoredFunction {self.__name__}>"


class SignatureFunction:
    """A signature: keyword tensors by input name in, a dict of output tensors out."""

    def __init__(self, key, concrete, outputs, where):
        if not isinstance(outputs, list) or not all(
                isinstance(o, list) and len(o) == 2 and isinstance(o[0], str) and
                type(o[1]) is int and 0 <= o[1] < len(concrete.output_specs) for o in outputs):
            raise bad(where, "outputs must be [name, output index] pairs")
        self.name = key
        self._cf = concrete
        self._outputs = outputs
        self._names = [s.name for s in concrete.specs]

    def __call__(self, *args, **kwargs):
        if len(args) > len(self._names):
            raise TypeError(f"signature {self.name!r} takes {len(self._names)} inputs "
                            f"({self._names}), got {len(args)} positional arguments")
        values = dict(zip(self._names, args))
        for k, v in kwargs.items():
            if k not in self._names or k in values:
                raise TypeError(f"signature {self.name!r} got an unexpected keyword argument "
                                f"{k!r}; its inputs are {self._names}")
            values[k] = v
        missing = [n for n in self._names if n not in values]
        if missing:
            raise TypeError(f"signature {self.name!r} is missing required argument(s) "
                            f"{missing}; its inputs are {self._names}")
        tensors = []
        for name, spec in zip(self._names, self._cf.specs):
            out = [None]
            try:
                match({"tensor": 0}, values[name], [spec], out)
            except Mismatch as e:
                raise InvalidArgumentError(None, self.name, f"signature {self.name!r}, input "
                                           f"{name!r}: {e}") from None
            tensors.append(out[0])
        flat = self._cf.run(tensors)
        leaves = []
        _flatten(flat, leaves)
        return {k: leaves[i] for k, i in self._outputs}

    @property
    def structured_input_signature(self):
        return (), {n: s for n, s in zip(self._names, self._cf.specs)}

    @property
    def structured_outputs(self):
        return {k: TensorSpec(self._cf.output_specs[i].shape, self._cf.output_specs[i].dtype,
                              k) for k, i in self._outputs}

    def __repr__(self):
        return f"<tfx.saved_model signature {self.name!r} inputs={self._names}>"


def _flatten(x, out):
    if isinstance(x, dict):
        for v in x.values():
            _flatten(v, out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _flatten(v, out)
    elif x is not None:
        out.append(x)
