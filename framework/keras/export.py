"""``tfx.keras.export.ExportArchive``: a SavedModel with the endpoints you choose (Keras 3's
``keras.export.ExportArchive``), written with ``tfx.saved_model.save`` and read back with
``tfx.saved_model.load``: each endpoint is a method of the loaded object and a serving
signature; variable collections come back as lists of variables.
"""
from .. import nest
from ..core.variable import Variable
from ..data.specs import TensorSpec
from ..graph.function import Function
from ..module import Module
from .io_utils import print_msg

__all__ = ["ExportArchive"]


class _Archive(Module):
    """What is saved: the endpoints, the variable collections, the tracked layers."""


def _spec(x):
    """A TensorSpec for an input_signature entry: a TensorSpec, a keras.InputSpec or a
    KerasTensor (anything with a shape and a dtype)."""
    if isinstance(x, TensorSpec):
        return x
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if dtype is None or (shape is None and not hasattr(x, "ndim")):
        raise ValueError(f"Unsupported type for `input_signature`: {x!r}. Use TensorSpec, "
                         "keras.InputSpec or keras.Input tensors.")
    if shape is None:
        shape = [None] * x.ndim
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    return TensorSpec(dims, dtype, getattr(x, "name", None))


def _specs(signature):
    return nest.map_structure(_spec, list(signature))


class ExportArchive:
    """Build a SavedModel endpoint by endpoint::

        archive = ExportArchive()
        archive.track(model)
        archive.add_endpoint("serve", model.call,
                             input_signature=[tfx.TensorSpec([None, 3], "float32")])
        archive.add_variable_collection("optimizer_variables", model.optimizer.variables)
        archive.write_out("path")
        restored = tfx.saved_model.load("path")
        restored.serve(x); restored.optimizer_variables

    Variables an endpoint reads are saved with it; ``track`` a layer to save all of its
    variables (it must be built). The first endpoint is also the ``serving_default``
    signature unless one has that name.
    """

    def __init__(self):
        self._archive = _Archive()
        self._archive._tracked = []
        self._endpoint_names = []
        self._endpoint_signatures = {}

    @property
    def variables(self):
        return self._collect("variables")

    @property
    def trainable_variables(self):
        return self._collect("trainable_variables")

    @property
    def non_trainable_variables(self):
        return self._collect("non_trainable_variables")

    def _collect(self, attr):
        out, seen = [], set()
        for r in self._archive._tracked:
            for v in getattr(r, attr, ()):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    def track(self, resource):
        """Save ``resource``'s variables with the archive (a built layer or model, a
        ``tfx.Module``); ValueError for an unbuilt layer or another kind of object."""
        from .layers.layer import Layer
        if isinstance(resource, Layer) and not resource.built:
            raise ValueError("The layer provided has not yet been built. It must be built "
                             "before export.")
        if not isinstance(resource, Module):
            raise ValueError("Invalid resource type. Expected a Keras `Layer` or `Model` or a "
                             f"tfx `Module`. Received object {resource} of type "
                             f"'{type(resource)}'. ")
        self._archive._tracked.append(resource)

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Register ``fn`` as the endpoint ``name``. ``input_signature``: a list of TensorSpec
        / keras.InputSpec / KerasTensor (nested lists and dicts too), one per argument; it may
        be omitted only for a ``tfx.function`` that has been called. Returns the traced
        function."""
        if name in self._endpoint_names:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if "jax2tf_kwargs" in kwargs or "is_static" in kwargs:
            raise ValueError("'jax2tf_kwargs' and 'is_static' are only supported with the jax "
                             "backend. Current backend: tensorflow")
        if input_signature is None:
            if not isinstance(fn, Function):
                raise ValueError("If the `fn` argument provided is not a `tf.function`, you "
                                 "must provide an `input_signature` argument to specify the "
                                 "shape and dtype of the function arguments. Example: "
                                 "input_signature=[tfx.TensorSpec([None, 3], 'float32')]")
            if not fn._all:
                raise ValueError(f"The provided tf.function '{fn}' has never been called. To "
                                 "specify the expected shape and dtype of the function's "
                                 "arguments, you must either provide a function that has "
                                 "been called at least once, or alternatively pass an "
                                 "`input_signature` argument in `add_endpoint()`.")
            decorated = fn
        else:
            python_fn = fn.python_function if isinstance(fn, Function) else fn
            decorated = Function(python_fn, input_signature=_specs(input_signature),
                                 autograph=False, name=name)
            decorated.get_concrete_function()  # trace now: a bad endpoint fails here
        setattr(self._archive, name, decorated)
        self._endpoint_names.append(name)
        self._endpoint_signatures[name] = input_signature
        return decorated

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        """``track(resource)``, then its call as the endpoint ``name``."""
        self.track(resource)
        return self.add_endpoint(name, resource.__call__, input_signature, **kwargs)

    def add_variable_collection(self, name, variables):
        """Save ``variables`` (a list, tuple or set) as the attribute ``name`` of the loaded
        object."""
        if not isinstance(variables, (list, tuple, set)):
            raise ValueError("Expected `variables` to be a list/tuple/set. Received instead "
                             f"object of type '{type(variables)}'.")
        if not all(isinstance(v, Variable) for v in variables):
            raise ValueError("Expected all elements in `variables` to be `tf.Variable` "
                             "instances. Found instead the following types: "
                             f"{list(set(type(v) for v in variables))}")
        setattr(self._archive, name, list(variables))

    def _concrete(self, name):
        return getattr(self._archive, name)._all[0]

    def write_out(self, filepath, options=None, verbose=True):
        """Write the SavedModel folder ``filepath``; every endpoint is a signature (the first
        also as ``serving_default``). ``verbose`` prints the endpoints' signatures."""
        if not self._endpoint_names:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        from ..saved_model.saver import save
        signatures = {n: self._concrete(n) for n in self._endpoint_names}
        if "serving_default" not in signatures:
            signatures["serving_default"] = self._concrete(self._endpoint_names[0])
        save(self._archive, filepath, signatures=signatures, options=options)
        if verbose:
            endpoints = "\n\n".join(
                f"* Endpoint '{n}'\n" + self._concrete(n).pretty_printed_signature(verbose)
                for n in self._endpoint_names)
            print_msg(f"Saved artifact at '{filepath}'. The following endpoints are "
                      f"available:\n\n{endpoints}")
