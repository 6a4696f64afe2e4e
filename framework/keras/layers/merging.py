"""Merging layers: a list of tensors in, one tensor out (Concatenate, Add, Subtract, Multiply,
Average, Maximum, Minimum, Dot), and their functional forms (``concatenate([a, b])``)."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ...ops import nn_ops as N
from .layer import Layer

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Dot", "concatenate", "add", "subtract", "multiply", "average", "maximum",
           "minimum", "dot"]


def _shapes(input_shape):
    return [TensorShape(s).as_list() for s in input_shape]


def _text(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and bool(input_shape) and \
        all(isinstance(s, (list, tuple, TensorShape)) for s in input_shape)


class _Merge(Layer):
    """Element-wise merge: inputs of lower rank gain axes after the batch axis, then the
    usual broadcasting applies."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={_plain(input_shape)} (not a list of shapes)")
        shapes = _shapes(input_shape)
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {_text(shapes)}")
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = _broadcast(out, s[1:])
        self.built = True

    def call(self, inputs):
        xs = list(inputs)
        rank = max(x._v.ndim for x in xs)
        for i, x in enumerate(xs):
            if x._v.ndim < rank:
                shape = x._v.shape
                xs[i] = A.reshape(x, shape[:1] + (1,) * (rank - x._v.ndim) + shape[1:])
        return self._merge(xs)

    def compute_mask(self, inputs, mask=None):
        """Keras masks of the inputs: a step counts where every masked input has it."""
        if mask is None or all(m is None for m in mask):
            return None
        masks = [M.cast(m, "bool") for m in mask if m is not None]
        out = masks[0]
        for m in masks[1:]:
            out = M.logical_and(out, m)
        return out

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = _broadcast(out, s[1:])
        return TensorShape([shapes[0][0]] + out)


def _plain(shape):
    return tuple(TensorShape(shape).as_list()) if shape is not None else None


def _broadcast(a, b):
    """Keras' element-wise output shape of two sample shapes (aligned from the right)."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[:len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError("Inputs have incompatible shapes. Received shapes "
                             f"{tuple(a)} and {tuple(b)}")
    return out


def _fold(fn, xs):
    out = xs[0]
    for x in xs[1:]:
        out = fn(out, x)
    return out


class Add(_Merge):
    def _merge(self, xs):
        return M.add_n(xs) if len({x._v.shape for x in xs}) == 1 else _fold(M.add, xs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``; exactly two inputs."""

    def build(self, input_shape):
        if _is_shape_list(input_shape) and len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={_text(_shapes(input_shape))}")
        super().build(input_shape)

    def _merge(self, xs):
        return M.subtract(xs[0], xs[1])


class Multiply(_Merge):
    def _merge(self, xs):
        return _fold(M.multiply, xs)


class Average(_Merge):
    def _merge(self, xs):
        return M.multiply(_fold(M.add, xs), 1.0 / len(xs))


class Maximum(_Merge):
    def _merge(self, xs):
        return _fold(M.maximum, xs)


class Minimum(_Merge):
    def _merge(self, xs):
        return _fold(M.minimum, xs)


class Concatenate(Layer):
    """Join the inputs along ``axis``; every other axis must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={_plain(input_shape)}")
        shapes = _shapes(input_shape)
        ranks = {len(s) for s in shapes}
        ok = len(ranks) == 1
        if ok:
            rank = ranks.pop()
            axis = self.axis % rank if rank else 0
            for i in range(rank):
                dims = {s[i] for s in shapes if s[i] is not None}
                if i != axis and len(dims) > 1:
                    ok = False
        if not ok:
            raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                             "except for the concatenation axis. Received: "
                             f"input_shape={_text(shapes)}")
        self.built = True

    def call(self, inputs):
        return A.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras: unmasked inputs count as all True; a step counts if any part of it does."""
        if mask is None or all(m is None for m in mask):
            return None
        parts = []
        for x, m in zip(inputs, mask):
            if m is None:
                parts.append(A.ones(x.shape.as_list(), "bool"))
            elif m.ndim < x.ndim:
                parts.append(A.broadcast_to(A.expand_dims(M.cast(m, "bool"), -1),
                                            x.shape.as_list()))
            else:
                parts.append(M.cast(m, "bool"))
        return M.reduce_any(A.concat(parts, self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = _shapes(input_shape)
        out = list(shapes[0])
        axis = self.axis % len(out)
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return TensorShape(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Dot product of two batches of samples along ``axes`` (an int, or one axis per input);
    ``normalize=True`` L2-normalizes along those axes first (cosine proximity)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            axes = list(axes)
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError("Invalid format for argument `axes`: list must have 2 "
                                 f"elements of type int. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def _axes(self, r1, r2):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return [a % r for a, r in zip(axes, (r1, r2))]

    def build(self, input_shape):
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            got = _text(_shapes(input_shape)) if _is_shape_list(input_shape) \
                else _plain(input_shape)
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={got}")
        s1, s2 = _shapes(input_shape)
        a1, a2 = self._axes(len(s1), len(s2))
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) "
                             f"!= {s2[a2]} (at axis {a2}). Full input shapes: {tuple(s1)}, "
                             f"{tuple(s2)}")
        self.built = True

    def call(self, inputs):
        x, y = inputs
        a1, a2 = self._axes(x._v.ndim, y._v.ndim)
        if self.normalize:
            x = N.l2_normalize(x, axis=a1)
            y = N.l2_normalize(y, axis=a2)
        return _batch_dot(x, y, a1, a2)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _batch_dot(x, y, ax, ay):
    """Per-sample contraction of x's axis ``ax`` with y's axis ``ay`` as one batched matmul;
    a result with only the batch axis gains a trailing axis of 1, as Keras'."""
    xs, ys = x._v.shape, y._v.shape
    x_rest = [i for i in range(1, len(xs)) if i != ax]
    y_rest = [i for i in range(1, len(ys)) if i != ay]
    px, py = _size(xs, x_rest), _size(ys, y_rest)
    xm = A.reshape(A.transpose(x, [0] + x_rest + [ax]), (xs[0], px, xs[ax]))
    ym = A.reshape(A.transpose(y, [0, ay] + y_rest), (ys[0], ys[ay], py))
    out_shape = (xs[0],) + tuple(xs[i] for i in x_rest) + tuple(ys[i] for i in y_rest)
    return A.reshape(L.matmul(xm, ym), out_shape if len(out_shape) > 1 else out_shape + (1,))


def _size(shape, axes):
    n = 1
    for i in axes:
        n *= shape[i]
    return n


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    return Dot(axes=axes, **kwargs)(inputs)
