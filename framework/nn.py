"""``tfx.nn``: activations, losses, convolutions and pooling (``tf.nn``)."""
from .ops.conv_ops import (avg_pool, avg_pool1d, avg_pool2d, avg_pool3d, conv1d,
                           conv1d_transpose, conv2d, conv2d_transpose, conv3d, conv3d_transpose,
                           convolution, depthwise_conv2d, max_pool, max_pool1d, max_pool2d,
                           max_pool3d)
from .ops.math_ops import sigmoid, softplus, tanh
from .ops.nn_ops import (batch_normalization, bias_add, dropout, elu, gelu, l2_normalize,
                         leaky_relu, log_softmax, moments, relu, relu6, selu,
                         sigmoid_cross_entropy_with_logits, silu, softmax,
                         softmax_cross_entropy_with_logits, softsign,
                         sparse_softmax_cross_entropy_with_logits, swish)
from .ops.array_ops import top_k  # noqa: E402,F401
from .ops.math_ops import zero_fraction  # noqa: E402,F401
from .ops.extra_nn_ops import (compute_average_loss, conv_transpose, crelu,  # noqa: E402,F401
                               depth_to_space, embedding_lookup, embedding_lookup_sparse,
                               in_top_k, l2_loss, local_response_normalization,
                               log_poisson_loss, lrn, normalize_moments,
                               scale_regularization_loss, separable_conv2d, space_to_batch,
                               space_to_depth, sufficient_statistics,
                               weighted_cross_entropy_with_logits, weighted_moments)
from .ops.misc_ops import approx_max_k, approx_min_k  # noqa: E402,F401
from .ops.more_nn_ops import (atrous_conv2d, atrous_conv2d_transpose,  # noqa: E402,F401
                              batch_norm_with_global_normalization, max_pool_with_argmax,
                              pool, safe_embedding_lookup_sparse)
from .ops.ctc_ops import (collapse_repeated, ctc_greedy_decoder, ctc_loss,  # noqa: E402,F401
                          ctc_unique_labels, ctc_beam_search_decoder)
from .ops.more_nn_ops import (compute_accidental_hits, nce_loss,  # noqa: E402,F401
                              sampled_softmax_loss)
from .ops.more_nn_ops import (dilation2d, erosion2d, isotonic_regression,  # noqa: E402,F401
                              with_space_to_batch)
from .ops.more_nn_ops import (depthwise_conv2d_backprop_filter,  # noqa: E402,F401
                              depthwise_conv2d_backprop_input)
from .ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: E402,F401
                                         fixed_unigram_candidate_sampler,
                                         learned_unigram_candidate_sampler)
from .ops.fractional_pool_ops import fractional_avg_pool, fractional_max_pool  # noqa: E402,F401

from .ops.dropout_extra_ops import general_dropout as _general_dropout  # noqa: E402
from .ops.dropout_extra_ops import stateless_dropout as _stateless_dropout  # noqa: E402
import sys as _sys  # noqa: E402
import types as _types  # noqa: E402

# ``tfx.nn.experimental``: TensorFlow's stateless and sampler-driven dropouts.
experimental = _types.ModuleType(__name__ + ".experimental")
experimental.__doc__ = "``tf.nn.experimental``: stateless_dropout and general_dropout."
experimental.stateless_dropout = _stateless_dropout
experimental.general_dropout = _general_dropout
_sys.modules[experimental.__name__] = experimental


def __getattr__(name):
    # The RNN cell wrappers are Keras layers: loaded on first use, so tfx.nn never imports Keras.
    if name in ("RNNCellDropoutWrapper", "RNNCellResidualWrapper", "RNNCellDeviceWrapper"):
        from .keras.layers import rnn_cell_wrappers
        return getattr(rnn_cell_wrappers, name)
    raise AttributeError(f"module 'tfx.nn' has no attribute {name!r}")
