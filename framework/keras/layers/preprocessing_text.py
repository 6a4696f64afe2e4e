"""``TextVectorization``: strings to token ids (or multi-hot / count / tf-idf vectors), as
Keras 3: standardize (lowercase, strip punctuation), split (whitespace, characters),
optional n-grams, then a ``StringLookup`` whose vocabulary ``adapt`` learns. The vocabulary
is in the layer's config, so a saved model takes raw text."""
import re
import string

import numpy as np  # host-side text processing

from ...core.tensor import convert_to_tensor
from .layer import Layer, call_context
from .preprocessing_categorical import _batches, host_values
from .preprocessing_lookup import StringLookup

__all__ = ["TextVectorization"]

_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _serialize_callable(fn):
    if fn is None or isinstance(fn, str):
        return fn
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(fn)


def _revive_callable(value):
    if isinstance(value, dict):
        from ..saving.serialization import deserialize_keras_object
        return deserialize_keras_object(value)
    return value


class TextVectorization(Layer):
    """Turn a batch of strings ((batch,) or (batch, 1)) into token ids (batch, steps),
    padded with 0 (or cut) to ``output_sequence_length``; or one vector per string with
    ``output_mode`` "multi_hot", "count" or "tf_idf"."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 vocabulary_size=None, **kwargs):
        del vocabulary_size  # written in configs (as Keras does); the vocabulary says it
        super().__init__(name=name, **kwargs)
        standardize = _revive_callable(standardize)
        split = _revive_callable(split)
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"Invalid value for argument `standardize`. Expected one of "
                             f"{list(_STANDARDIZE)}, None or a callable. Received: "
                             f"standardize={standardize}")
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(f"Invalid value for argument `split`. Expected one of "
                             f"{list(_SPLIT)}, None or a callable. Received: split={split}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             "['int', 'multi_hot', 'count', 'tf_idf']. Received: "
                             f"output_mode={output_mode}")
        if isinstance(ngrams, int) and not isinstance(ngrams, bool):
            if ngrams < 1:
                raise ValueError(f"`ngrams` must be a positive integer. Received: "
                                 f"ngrams={ngrams}")
            widths = tuple(range(1, ngrams + 1))
        elif ngrams is None:
            widths = None
        else:
            widths = tuple(int(n) for n in ngrams)
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is "
                             f"not 'int'. Received output_sequence_length="
                             f"{output_sequence_length}.")
        if ragged or sparse:
            raise ValueError("ragged and sparse outputs are not supported by tfx's "
                             "TextVectorization.")
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams if not isinstance(ngrams, list) else tuple(ngrams)
        self._widths = widths
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.encoding = encoding
        self.sparse = False
        self.ragged = False
        self._lookup = StringLookup(
            max_tokens=max_tokens, num_oov_indices=1,
            mask_token="" if output_mode == "int" else None, oov_token="[UNK]",
            vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens, encoding=encoding,
            name=f"{self.name}_lookup")

    # -- text to tokens --------------------------------------------------------------------
    def _standardized(self, text):
        s = self.standardize
        if s is None:
            return text
        if callable(s):
            return _text(host_values(s(convert_to_tensor(np.asarray([text], object))))[0])
        if s in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if s in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _tokens(self, text):
        text = self._standardized(_text(text))
        sp = self.split
        if sp is None:
            tokens = [text]
        elif sp == "whitespace":
            tokens = text.split()
        elif sp == "character":
            tokens = list(text)
        else:
            tokens = [_text(t) for t in host_values(sp(convert_to_tensor(
                np.asarray([text], object))))[0]]
        if self._widths:
            tokens = [" ".join(tokens[i:i + n]) for n in self._widths
                      for i in range(len(tokens) - n + 1)]
        return tokens

    def _rows(self, inputs):
        values = host_values(inputs)
        if values.ndim == 2 and values.shape[-1] == 1:
            values = values[:, 0]
        elif values.ndim == 0:
            values = values.reshape(1)
        elif values.ndim != 1:
            raise ValueError("When using `TextVectorization` to tokenize strings, the input "
                             "rank must be 1 or the last shape dimension must be 1. Received: "
                             f"inputs.shape={tuple(values.shape)} with rank={values.ndim}")
        return [self._tokens(v) for v in values]

    # -- vocabulary ------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        docs = []
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            docs.extend(self._rows(batch))
        self._lookup.fit_documents(docs)

    supports_jit = False  # strings are processed on the host: steps using it run eagerly

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup._vocab = None
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    # -- calling ---------------------------------------------------------------------------
    def _convert_input(self, x):
        return x

    def call(self, inputs):
        if self.split is None:
            return self._call_unsplit(inputs)
        scalar = host_values(inputs).ndim == 0
        rows = self._rows(inputs)
        length = self.output_sequence_length
        if length is None:
            length = max([len(r) for r in rows] + [0 if self.output_mode == "int" else 1])
            if call_context.symbolic and self.output_mode == "int":
                # Shape inference runs on two stand-in batches (1 and 2 rows): a length
                # that follows the batch marks the steps axis unknown, as in Keras.
                length = max(length, len(rows) + 1)
        # Padding: id 0 (the mask) for sequences; -1 (counts for nothing) for vectors.
        pad = 0 if self.output_mode == "int" else -1
        ids = np.full((len(rows), length), pad, np.int64)
        for i, r in enumerate(rows):
            r = r[:length]
            if r:
                ids[i, :len(r)] = self._lookup.lookup_ids(np.asarray(r, object))
        out = self._lookup.encode_ids(ids)
        return out[0] if scalar else out

    def _call_unsplit(self, inputs):
        """``split=None``: each string is one token and keeps its place (Keras: a rank-1
        batch then encodes as one sample)."""
        values = host_values(inputs)
        flat = [self._standardized(_text(v)) for v in values.reshape(-1)]
        ids = self._lookup.lookup_ids(np.asarray(flat, object)).reshape(values.shape)
        if self.output_mode != "int":
            empty = np.array([t == "" for t in flat], bool).reshape(values.shape)
            ids = np.where(empty, -1, ids)  # an empty string is no token
        n = self.output_sequence_length
        if self.output_mode == "int" and n is not None and ids.ndim == 2:
            ids = np.pad(ids[:, :n], [(0, 0), (0, max(0, n - ids.shape[1]))])
        return self._lookup.encode_ids(ids)

    def get_config(self):
        lookup = self._lookup
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": _serialize_callable(self.standardize),
                "split": _serialize_callable(self.split),
                "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": self.sparse,
                "ragged": self.ragged,
                "vocabulary": None if lookup._vocab is None else
                lookup.get_vocabulary(include_special_tokens=False),
                "idf_weights": None if lookup._idf is None else list(lookup._idf),
                "encoding": self.encoding, "vocabulary_size": self.vocabulary_size()}
