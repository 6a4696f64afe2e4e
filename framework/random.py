"""``tfx.random``: random tensors under TensorFlow's global/op seed rules (``tf.random``),
stateless ops fixed by a seed, and ``Generator`` (Philox, TensorFlow's streams bit for bit)."""
import sys as _sys
import types as _types

from .ops.random_ops import (categorical, gamma, normal, poisson, set_seed, shuffle,
                             truncated_normal, uniform)
from .ops.stateless_random_ops import (Algorithm, stateless_binomial, stateless_categorical,
                                       stateless_fold_in, stateless_gamma, stateless_normal,
                                       stateless_poisson, stateless_random_get_key_counter,
                                       stateless_shuffle, stateless_split,
                                       stateless_truncated_normal,
                                       stateless_uniform)
from .random_generator import (Generator, create_rng_state, get_global_generator,
                               set_global_generator)

split = stateless_split      # ``tf.random.split`` / ``fold_in``: the same functions
fold_in = stateless_fold_in

__all__ = ["Algorithm", "Generator", "categorical", "create_rng_state", "experimental",
           "fold_in", "gamma", "get_global_generator", "normal", "poisson",
           "set_global_generator", "set_seed", "shuffle", "split", "stateless_binomial",
           "stateless_categorical", "stateless_gamma", "stateless_normal", "stateless_poisson",
           "stateless_truncated_normal", "stateless_uniform", "truncated_normal", "uniform"]

# ``tfx.random.experimental``: what TF keeps there (the stateless seed helpers, Generator).
experimental = _types.ModuleType(__name__ + ".experimental")
experimental.__doc__ = ("``tf.random.experimental``: stateless seed helpers, stateless_shuffle "
                        "and Generator.")
for _f in (stateless_split, stateless_fold_in, stateless_random_get_key_counter,
           stateless_shuffle, Generator,
           create_rng_state, get_global_generator, set_global_generator, Algorithm):
    setattr(experimental, _f.__name__, _f)
_sys.modules[experimental.__name__] = experimental
del _f

from .ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: E402
                                         fixed_unigram_candidate_sampler,
                                         learned_unigram_candidate_sampler,
                                         log_uniform_candidate_sampler,
                                         uniform_candidate_sampler)

__all__ += ["all_candidate_sampler", "fixed_unigram_candidate_sampler",
            "learned_unigram_candidate_sampler", "log_uniform_candidate_sampler",
            "uniform_candidate_sampler"]
from .ops.truncated_normal_ops import stateless_parameterized_truncated_normal  # noqa: E402

__all__ += ["stateless_parameterized_truncated_normal"]
