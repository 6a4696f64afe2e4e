"""``tfx.keras.layers``: the Layer base and the built-in layers."""
from .layer import InputSpec, Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda
from .preprocessing import Normalization
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .convolutional import Conv1D, Conv2D, Conv3D
from .embedding import Embedding
from .identity import Identity
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
                      add, average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise
from .rescaling import Rescaling
from .reshaping import (Cropping1D, Cropping2D, Permute, RepeatVector, Reshape, UpSampling1D,
                        UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from .rnn import GRU, LSTM, RNN, SimpleRNN
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from .masking import Masking
from .wrappers import Bidirectional, StackedRNNCells, TimeDistributed
from .convolutional_more import (Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
                                 DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                                 SeparableConv2D, SpatialDropout1D, SpatialDropout2D,
                                 SpatialDropout3D)
from .einsum_dense import EinsumDense
from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .normalization_more import GroupNormalization, UnitNormalization
from .preprocessing_image import (CenterCrop, RandomContrast, RandomFlip, RandomRotation,
                                  RandomTranslation, RandomZoom, Resizing)
from .preprocessing_categorical import CategoryEncoding, Discretization, Hashing
from .preprocessing_lookup import IntegerLookup, StringLookup
from .preprocessing_text import TextVectorization
from .tf_op_layer import TFOpLambda
from .pooling3d import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D, GlobalAvgPool3D,
                        GlobalMaxPool3D, GlobalMaxPooling3D, MaxPool3D, MaxPooling3D)
from .reshaping3d import Cropping3D, UpSampling3D, ZeroPadding3D
from .normalization_rms import RMSNormalization
from .wrappers_more import SpectralNormalization, Wrapper
from .embedding_reversible import ReversibleEmbedding
from .pooling_adaptive import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                               AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
                               AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from .attention_gqa import GroupedQueryAttention, GroupQueryAttention
from .conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from .image_augmentation import (AutoContrast, Equalization, RandomBrightness,
                                 RandomColorDegeneration, RandomColorJitter, RandomGrayscale,
                                 RandomHue, RandomInvert, RandomPosterization, RandomSaturation,
                                 RandomSharpness, Solarization)
from .image_augmentation_spatial import (CutMix, MaxNumBoundingBoxes, MixUp, Pipeline,
                                         RandomCrop, RandomErasing, RandomGaussianBlur,
                                         RandomHeight, RandomShear, RandomWidth)
from .preprocessing_audio import MelSpectrogram, STFTSpectrogram
from .preprocessing_crossing import HashedCrossing
from .activation_more import ThresholdedReLU
from .image_clahe import ContrastLimitedAdaptiveHistogramEqualization
from .tfsm_layer import TFSMLayer
from .image_augmentation_more import (AugMix, RandAugment, RandomElasticTransform,
                                      RandomPerspective)

# Keras' long spellings name the same classes.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout",
           "Flatten", "Lambda", "Normalization", "serialize", "deserialize", "get_builtin_layer",
           "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D",
           "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D",
           "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
           "concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum", "dot",
           "Embedding", "GaussianNoise", "GaussianDropout", "AlphaDropout",
           "ActivityRegularization", "BatchNormalization", "LayerNormalization",
           "Conv1D", "Conv2D", "Conv3D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
           "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
           "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell",
           "GRUCell", "Rescaling", "ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU", "Identity",
           "Masking", "Bidirectional", "TimeDistributed", "StackedRNNCells",
           "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D",
           "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D", "EinsumDense", "MultiHeadAttention",
           "Attention", "AdditiveAttention", "GroupNormalization", "UnitNormalization",
           "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "CategoryEncoding", "Discretization",
           "Hashing", "IntegerLookup", "StringLookup", "TextVectorization", "TFOpLambda",
           "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
           "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
           "SeparableConvolution2D", "MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D",
           "GlobalAveragePooling3D", "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D",
           "GlobalAvgPool3D", "ZeroPadding3D", "Cropping3D", "UpSampling3D",
           "RMSNormalization", "SpectralNormalization", "Wrapper", "ReversibleEmbedding",
           "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
           "GroupQueryAttention", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
           "RandomBrightness", "RandomGrayscale", "RandomInvert", "RandomColorDegeneration",
           "RandomSaturation", "RandomHue", "RandomSharpness", "RandomPosterization",
           "Solarization", "AutoContrast", "Equalization", "RandomColorJitter", "RandomCrop",
           "RandomHeight", "RandomWidth", "RandomShear", "RandomErasing",
           "RandomGaussianBlur", "MixUp", "CutMix", "Pipeline", "MaxNumBoundingBoxes",
           "MelSpectrogram", "STFTSpectrogram", "HashedCrossing", "ThresholdedReLU",
           "RandomPerspective", "RandAugment", "AugMix", "RandomElasticTransform",
           "ContrastLimitedAdaptiveHistogramEqualization", "TFSMLayer"]


def _builtins():
    """Every public layer class in this package, by class name (the loader's only source of
    layer classes besides the registry and custom_objects)."""
    import inspect
    g = globals()
    out = {k: v for k, v in g.items() if inspect.isclass(v) and issubclass(v, Layer)}
    from ..models import Functional, Model, Sequential
    out.update(Sequential=Sequential, Functional=Functional, Model=Model)
    return out


def get_builtin_layer(name):
    return _builtins().get(name)


def serialize(layer):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    from ..saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=_builtins(),
                                    custom_objects=custom_objects,
                                    printable_module_name="layer")
