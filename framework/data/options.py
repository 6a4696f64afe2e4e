"""``tfx.data.Options``: typed settings that apply to a whole pipeline (``tf.data.Options``).

Options set with ``with_options`` anywhere in a pipeline apply to every stage of it; where
two ``with_options`` calls set the same field, the later one wins, as in TensorFlow.
"""

__all__ = ["Options", "ThreadingOptions", "AutotuneOptions", "OptimizationOptions",
           "DistributeOptions", "AutoShardPolicy", "ExternalStatePolicy"]


class _Enum:
    """TensorFlow's small option enums (values only matter for equality here)."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __repr__(self):
        return f"<{self.name}: {self.value}>"


class AutoShardPolicy:
    OFF, AUTO, FILE, DATA, HINT = (_Enum(n, v) for n, v in
                                   (("OFF", -1), ("AUTO", 0), ("FILE", 1), ("DATA", 2),
                                    ("HINT", 3)))


class ExternalStatePolicy:
    WARN, IGNORE, FAIL = (_Enum(n, v) for n, v in (("WARN", 0), ("IGNORE", 1), ("FAIL", 2)))


class _OptionsBase:
    """Fields declared in ``_FIELDS`` as ``name: (type, default)``; unset fields read as the
    default; setting an undeclared field or a value of the wrong type raises, as TF does."""

    _FIELDS = {}
    _ALIASES = {}

    def __init__(self):
        object.__setattr__(self, "_values", {})
        for name, (typ, _) in self._FIELDS.items():
            if isinstance(typ, type) and issubclass(typ, _OptionsBase):
                self._values[name] = typ()

    def __getattr__(self, name):
        name = self._ALIASES.get(name, name)
        if name in self._FIELDS:
            return self._values.get(name, self._FIELDS[name][1])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        name = self._ALIASES.get(name, name)
        if name not in self._FIELDS:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        typ = self._FIELDS[name][0]
        if value is not None and typ is not None and not isinstance(value, typ):
            raise TypeError(f'Property "{name}" must be of type {typ}, got: {value!r} '
                            f"(type: {type(value)})")
        self._values[name] = value

    def __dir__(self):
        return sorted(set(self._FIELDS) | set(self._ALIASES) | {"merge"})

    def _set_fields(self):
        return {k: v for k, v in self._values.items()
                if not isinstance(v, _OptionsBase) or v._set_fields()}

    def merge(self, options):
        """A new object with ``options``' set fields laid over this one's."""
        out = type(self)()
        for src in (self, options):
            for k, v in src._values.items():
                if isinstance(v, _OptionsBase):
                    out._values[k] = out._values[k].merge(v)
                elif v is not None:
                    out._values[k] = v
        return out

    def __eq__(self, other):
        return type(other) is type(self) and self._set_fields() == other._set_fields()

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}({self._set_fields()})"


class ThreadingOptions(_OptionsBase):
    _FIELDS = {"max_intra_op_parallelism": (int, None), "private_threadpool_size": (int, None)}


class AutotuneOptions(_OptionsBase):
    _FIELDS = {"enabled": (bool, None), "cpu_budget": (int, None), "ram_budget": (int, None),
               "autotune_algorithm": (None, None), "initial_parallelism": (int, None),
               "min_parallelism": (int, None)}


class OptimizationOptions(_OptionsBase):
    # Accepted so TF code runs; tfx.data's pipeline has no graph rewrites to switch.
    _FIELDS = {k: (bool, None) for k in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization",
        "inject_prefetch", "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion",
        "map_parallelization", "noop_elimination", "parallel_batch", "seq_interleave_prefetch",
        "shuffle_and_repeat_fusion", "warm_start")}


class DistributeOptions(_OptionsBase):
    _FIELDS = {"auto_shard_policy": (None, None), "num_devices": (int, None)}


class Options(_OptionsBase):
    """Pipeline-wide settings. ``deterministic`` (default True) lets parallel ``map``,
    ``interleave`` and ``batch`` give elements in order; False yields them as ready."""

    _FIELDS = {"deterministic": (bool, None), "autotune": (AutotuneOptions, None),
               "threading": (ThreadingOptions, None),
               "experimental_optimization": (OptimizationOptions, None),
               "experimental_distribute": (DistributeOptions, None),
               "experimental_external_state_policy": (None, None),
               "experimental_slack": (bool, None), "experimental_symbolic_checkpoint":
               (bool, None), "experimental_warm_start": (bool, None),
               "dataset_name": (str, None), "framework_type": (list, None)}
    _ALIASES = {"experimental_deterministic": "deterministic",
                "experimental_threading": "threading"}
