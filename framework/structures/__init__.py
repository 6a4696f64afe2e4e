"""Composite tensors: SparseTensor, RaggedTensor, TensorArray, and the index kernels and
string helpers behind ``tfx.sparse``, ``tfx.ragged``, ``tfx.strings`` and ``tfx.sets``."""
