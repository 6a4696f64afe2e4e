"""``tfx.linalg.LinearOperator`` and its structured subclasses (``tf.linalg.LinearOperator*``).

An operator is a (batch of) matrix known by its structure. Every method has a dense default
built on ``to_dense()``; a subclass overrides those its structure makes cheaper (a diagonal
solves by division, a triangle by substitution, a composition applies its factors in turn).
All of it is tfx ops, so gradients flow to the parameters.
"""
from . import dtypes as _dt
from .module import Module
from .ops import array_ops as _a
from .ops import linalg_matrix_ops as _lm
from .ops import linalg_ops as _lo
from .ops import math_ops as _m
from .ops._core import t

__all__ = ["LinearOperator", "LinearOperatorFullMatrix", "LinearOperatorDiag",
           "LinearOperatorIdentity", "LinearOperatorScaledIdentity",
           "LinearOperatorLowerTriangular", "LinearOperatorComposition",
           "LinearOperatorAdjoint", "LinearOperatorInversion", "LinearOperatorKronecker",
           "LinearOperatorBlockDiag", "LinearOperatorZeros", "LinearOperatorPermutation",
           "LinearOperatorHouseholder", "LinearOperatorToeplitz", "LinearOperatorCirculant",
           "LinearOperatorTridiag", "LinearOperatorLowRankUpdate", "LinearOperatorCirculant2D",
           "LinearOperatorCirculant3D", "LinearOperatorBlockLowerTriangular"]


def _adj(x):
    return _lo.adjoint(x)


def _float(x, dtype=None):
    x = t(x, dtype) if dtype is not None else t(x)
    return x if not (x._dtype.is_integer or x._dtype.is_bool) else _m.cast(x, _dt.float32)


class LinearOperator(Module):
    """Base class: a subclass gives ``_shape()`` and ``_to_dense()`` and may override
    ``_matmul``, ``_solve``, ``_determinant``, ``_log_abs_determinant`` and ``_diag_part``."""

    def __init__(self, dtype, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular and is_square is False:
            raise ValueError("A non-singular matrix is always square.")
        if is_non_singular or is_self_adjoint:
            is_square = True if is_square is None else is_square
        super().__init__(name=name or type(self).__name__)
        self._dtype = _dt.as_dtype(dtype) if dtype is not None else None
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_hint = is_square
        self._parameters = dict(parameters or {})

    # ---- shape and flags -----------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def parameters(self):
        return dict(self._parameters)

    @property
    def shape(self):
        from .core.shape import TensorShape
        return TensorShape(list(self._shape()))

    def shape_tensor(self, name="shape_tensor"):
        from .core.tensor import constant
        return constant(list(self._shape()), dtype=_dt.int32)

    @property
    def batch_shape(self):
        return self.shape[:-2]

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        return self.shape_tensor()[:-2]

    @property
    def tensor_rank(self):
        return len(self._shape())

    @property
    def domain_dimension(self):
        return self.shape[-1]

    @property
    def range_dimension(self):
        return self.shape[-2]

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        s = self._shape()
        auto = s[-1] == s[-2]
        return self._is_square_hint if self._is_square_hint is not None else auto

    # ---- the public methods, each with a dense default ---------------------------------------
    def to_dense(self, name="to_dense"):
        return self._to_dense()

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """self @ x (adjoint(self) @ x with ``adjoint``; x adjointed first with
        ``adjoint_arg``); another LinearOperator gives a composition."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            return LinearOperatorComposition([left, right])
        return self._matmul(t(x, self._dtype), adjoint, adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint=False, name="matvec"):
        return _a.squeeze(self.matmul(_a.expand_dims(t(x, self._dtype), -1), adjoint), -1)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """X with self @ X = rhs (adjoint(self) @ X with ``adjoint``)."""
        if self._is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to be singular.")
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            return LinearOperatorComposition([left.inverse(), right])
        return self._solve(t(rhs, self._dtype), adjoint, adjoint_arg)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        return _a.squeeze(self.solve(_a.expand_dims(t(rhs, self._dtype), -1), adjoint), -1)

    def determinant(self, name="det"):
        self._need_square("determinant")
        return self._determinant()

    def log_abs_determinant(self, name="log_abs_det"):
        self._need_square("log_abs_determinant")
        return self._log_abs_determinant()

    def diag_part(self, name="diag_part"):
        return self._diag_part()

    def trace(self, name="trace"):
        return _m.reduce_sum(self.diag_part(), -1)

    def add_to_tensor(self, x, name="add_to_tensor"):
        return _m.add(self.to_dense(), t(x, self._dtype))

    def adjoint(self, name="adjoint"):
        if self._is_self_adjoint:
            return self
        return LinearOperatorAdjoint(self)

    H = property(adjoint)

    def inverse(self, name="inverse"):
        if self._is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular "
                             "matrix.")
        return LinearOperatorInversion(self)

    def cholesky(self, name="cholesky"):
        if not (self._is_self_adjoint and self._is_positive_definite):
            raise ValueError("Cholesky decomposition is only defined for self-adjoint, "
                             "positive definite operators.")
        return LinearOperatorLowerTriangular(_lm.cholesky(self.to_dense()),
                                             is_non_singular=True, is_square=True)

    def eigvals(self, name="eigvals"):
        if not self._is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        return _lm.eigvalsh(self.to_dense())

    def cond(self, name="cond"):
        from .ops.linalg_decomp_ops import svd
        s = svd(self.to_dense(), compute_uv=False)
        return _m.divide(_m.reduce_max(s, -1), _m.reduce_min(s, -1))

    def assert_non_singular(self, name="assert_non_singular"):
        self._check(_m.reduce_all(_m.greater(_m.abs(self.determinant()), 0.0)),
                    "Singular operator")

    def assert_positive_definite(self, name="assert_positive_definite"):
        self._check(_m.reduce_all(_m.greater(_m.real(self.eigvals()), 0.0)),
                    "Operator was not positive definite")

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        d = self.to_dense()
        self._check(_m.reduce_all(_m.equal(d, _adj(d))), "Operator was not self-adjoint")

    # ---- defaults ----------------------------------------------------------------------------
    def _need_square(self, what):
        if not self.is_square:
            raise NotImplementedError(f"{what} is only defined for square operators.")

    @staticmethod
    def _check(ok, msg):
        if not bool(ok):
            from .errors import InvalidArgumentError
            raise InvalidArgumentError(None, "LinearOperator", msg)

    def _matmul(self, x, adjoint, adjoint_arg):
        return _lo.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return _lm.solve(self.to_dense(), rhs, adjoint=adjoint)

    def _determinant(self):
        return _lm.det(self.to_dense())

    def _log_abs_determinant(self):
        return _lm.slogdet(self.to_dense())[1]

    def _diag_part(self):
        return _lm.diag_part(self.to_dense())


def _flag_or(value, default):
    return default if value is None else value


class LinearOperatorFullMatrix(LinearOperator):
    """A dense matrix [..., M, N]."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        self._matrix = _float(matrix)
        super().__init__(self._matrix._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, dict(matrix=matrix))

    def _shape(self):
        return tuple(self._matrix._v.shape)

    def _to_dense(self):
        return self._matrix


class LinearOperatorDiag(LinearOperator):
    """diag(``diag``) [..., N, N]; matmul, solve and determinants are elementwise."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorDiag"):
        self._diag = _float(diag)
        if not self._diag._dtype.is_complex:
            is_self_adjoint = _flag_or(is_self_adjoint, True)
        super().__init__(self._diag._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(diag=diag))

    def _shape(self):
        s = tuple(self._diag._v.shape)
        return s + s[-1:]

    def _to_dense(self):
        return _lm.diag(self._diag)

    def _d(self, adjoint):
        return _m.conj(self._diag) if adjoint and self._dtype.is_complex else self._diag

    def _matmul(self, x, adjoint, adjoint_arg):
        x = _adj(x) if adjoint_arg else x
        return _m.multiply(_a.expand_dims(self._d(adjoint), -1), x)

    def _solve(self, rhs, adjoint, adjoint_arg):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return _m.divide(rhs, _a.expand_dims(self._d(adjoint), -1))

    def _determinant(self):
        return _m.reduce_prod(self._diag, -1)

    def _log_abs_determinant(self):
        return _m.reduce_sum(_m.log(_m.abs(self._diag)), -1)

    def _diag_part(self):
        return self._diag


class LinearOperatorIdentity(LinearOperator):
    """The identity [*batch_shape, N, N]."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        self._n = int(num_rows)
        self._batch = [int(b) for b in (batch_shape or [])]
        super().__init__(dtype or _dt.float32, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name,
                         dict(num_rows=num_rows, batch_shape=batch_shape, dtype=dtype))

    def add_to_tensor(self, mat, name="add_to_tensor"):  # TensorFlow names it ``mat`` here
        return super().add_to_tensor(mat, name)

    def _shape(self):
        return tuple(self._batch) + (self._n, self._n)

    def _to_dense(self):
        return _a.eye(self._n, batch_shape=self._batch, dtype=self._dtype)

    def _matmul(self, x, adjoint, adjoint_arg):
        x = _adj(x) if adjoint_arg else x
        if self._batch:
            x = _m.add(x, _a.zeros(self._batch + [1, 1], self._dtype))  # broadcast the batch
        return x

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _determinant(self):
        return _a.ones(self._batch, self._dtype)

    def _log_abs_determinant(self):
        return _a.zeros(self._batch, self._dtype)

    def _diag_part(self):
        return _a.ones(self._batch + [self._n], self._dtype)


class LinearOperatorScaledIdentity(LinearOperator):
    """``multiplier`` * I, the multiplier a scalar or a batch of them."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        self._n = int(num_rows)
        self._mult = _float(multiplier)
        if not self._mult._dtype.is_complex:
            is_self_adjoint = _flag_or(is_self_adjoint, True)
        super().__init__(self._mult._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name,
                         dict(num_rows=num_rows, multiplier=multiplier))

    def add_to_tensor(self, mat, name="add_to_tensor"):  # TensorFlow names it ``mat`` here
        return super().add_to_tensor(mat, name)

    def _shape(self):
        return tuple(self._mult._v.shape) + (self._n, self._n)

    def _m2(self, adjoint):
        m = _m.conj(self._mult) if adjoint and self._dtype.is_complex else self._mult
        return _a.expand_dims(_a.expand_dims(m, -1), -1)

    def _to_dense(self):
        return _m.multiply(self._m2(False), _a.eye(self._n, dtype=self._dtype))

    def _matmul(self, x, adjoint, adjoint_arg):
        return _m.multiply(self._m2(adjoint), _adj(x) if adjoint_arg else x)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return _m.divide(_adj(rhs) if adjoint_arg else rhs, self._m2(adjoint))

    def _determinant(self):
        return _m.pow(self._mult, _m._c(self._n, self._mult))

    def _log_abs_determinant(self):
        return _m.multiply(_m._c(self._n, self._mult), _m.log(_m.abs(self._mult)))

    def _diag_part(self):
        return _m.multiply(_a.expand_dims(self._mult, -1), _a.ones([self._n], self._dtype))


class LinearOperatorLowerTriangular(LinearOperator):
    """The lower triangle of ``tril`` (the rest is ignored); solves by substitution."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        self._tril = _lm.band_part(_float(tril), -1, 0)
        super().__init__(self._tril._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(tril=tril))

    def _shape(self):
        return tuple(self._tril._v.shape)

    def _to_dense(self):
        return self._tril

    def _solve(self, rhs, adjoint, adjoint_arg):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return _lm.triangular_solve(self._tril, rhs, lower=True, adjoint=adjoint)

    def _determinant(self):
        return _m.reduce_prod(_lm.diag_part(self._tril), -1)

    def _log_abs_determinant(self):
        return _m.reduce_sum(_m.log(_m.abs(_lm.diag_part(self._tril))), -1)


class _OfOperators(LinearOperator):
    """An operator made of ``operators`` (a non-empty list), named by joining their names
    with ``_JOIN`` (TensorFlow's default names)."""

    _JOIN = "_"

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._ops = list(operators)
        if not self._ops:
            raise ValueError("Expected a non-empty list of operators.")
        super().__init__(self._ops[0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or self._JOIN.join(op.name for op in self._ops),
                         dict(operators=operators))

    @property
    def operators(self):
        return list(self._ops)


class LinearOperatorComposition(_OfOperators):
    """operators[0] @ operators[1] @ ..., applied right to left."""

    _JOIN = "_o_"

    def _shape(self):
        batch = _broadcast([op._shape()[:-2] for op in self._ops])
        return batch + (self._ops[0]._shape()[-2], self._ops[-1]._shape()[-1])

    def _to_dense(self):
        r = self._ops[-1].to_dense()
        for op in reversed(self._ops[:-1]):
            r = op.matmul(r)
        return r

    def _matmul(self, x, adjoint, adjoint_arg):
        order = self._ops if adjoint else list(reversed(self._ops))
        r = _adj(x) if adjoint_arg else x
        for op in order:
            r = op.matmul(r, adjoint=adjoint)
        return r

    def _solve(self, rhs, adjoint, adjoint_arg):
        order = list(reversed(self._ops)) if adjoint else self._ops
        r = _adj(rhs) if adjoint_arg else rhs
        for op in order:
            r = op.solve(r, adjoint=adjoint)
        return r

    def _determinant(self):
        r = self._ops[0].determinant()
        for op in self._ops[1:]:
            r = _m.multiply(r, op.determinant())
        return r

    def _log_abs_determinant(self):
        return _m.add_n([op.log_abs_determinant() for op in self._ops])


def _broadcast(shapes):
    out = ()
    for s in shapes:
        n = max(len(out), len(s))
        a = (1,) * (n - len(out)) + tuple(out)
        b = (1,) * (n - len(s)) + tuple(s)
        out = tuple(max(x, y) for x, y in zip(a, b))
    return out


class LinearOperatorAdjoint(LinearOperator):
    """adjoint(``operator``) without forming it."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._op = operator
        super().__init__(operator.dtype, _flag_or(is_non_singular, operator.is_non_singular),
                         _flag_or(is_self_adjoint, operator.is_self_adjoint),
                         _flag_or(is_positive_definite, operator.is_positive_definite),
                         is_square, name or operator.name + "_adjoint",
                         dict(operator=operator))

    @property
    def operator(self):
        return self._op

    def _shape(self):
        s = self._op._shape()
        return s[:-2] + (s[-1], s[-2])

    def _to_dense(self):
        return _adj(self._op.to_dense())

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._op.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._op.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        d = self._op.determinant()
        return _m.conj(d) if self._dtype.is_complex else d

    def _log_abs_determinant(self):
        return self._op.log_abs_determinant()


class LinearOperatorInversion(LinearOperator):
    """inverse(``operator``): matmul solves with it, solve multiplies by it."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        if operator.is_non_singular is False:
            raise ValueError("operator must be non-singular")
        self._op = operator
        super().__init__(operator.dtype, _flag_or(is_non_singular, operator.is_non_singular),
                         _flag_or(is_self_adjoint, operator.is_self_adjoint),
                         _flag_or(is_positive_definite, operator.is_positive_definite),
                         is_square, name or operator.name + "_inv", dict(operator=operator))

    @property
    def operator(self):
        return self._op

    def _shape(self):
        return self._op._shape()

    def _to_dense(self):
        return _lm.inv(self._op.to_dense())

    def _matmul(self, x, adjoint, adjoint_arg):
        return self._op.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint, adjoint_arg):
        return self._op.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return _m.reciprocal(self._op.determinant())

    def _log_abs_determinant(self):
        return _m.negative(self._op.log_abs_determinant())


class LinearOperatorKronecker(_OfOperators):
    """operators[0] (x) operators[1] (x) ... (the Kronecker product)."""

    _JOIN = "_x_"

    def _shape(self):
        batch = _broadcast([op._shape()[:-2] for op in self._ops])
        rows = cols = 1
        for op in self._ops:
            rows *= op._shape()[-2]
            cols *= op._shape()[-1]
        return batch + (rows, cols)

    def _to_dense(self):
        r = self._ops[0].to_dense()
        for op in self._ops[1:]:
            d = op.to_dense()
            p = _lo.einsum("...ij,...kl->...ikjl", r, d)
            s = p._v.shape
            r = _a.reshape(p, list(s[:-4]) + [s[-4] * s[-3], s[-2] * s[-1]])
        return r

    def _determinant(self):
        # det(A (x) B) = det(A)^n_B * det(B)^n_A for square A (n_A x n_A) and B.
        n = self._shape()[-1]
        r = None
        for op in self._ops:
            k = op._shape()[-1]
            part = _m.pow(op.determinant(), _m._c(n // k, op.determinant()))
            r = part if r is None else _m.multiply(r, part)
        return r

    def _log_abs_determinant(self):
        n = self._shape()[-1]
        return _m.add_n([_m.multiply(_m._c(n // op._shape()[-1], op.log_abs_determinant()),
                                     op.log_abs_determinant()) for op in self._ops])


class LinearOperatorBlockDiag(_OfOperators):
    """Square blocks ``operators`` on the diagonal, zeros elsewhere."""

    _JOIN = "_ds_"

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        super().__init__(operators, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name)

    def _shape(self):
        batch = _broadcast([op._shape()[:-2] for op in self._ops])
        return batch + (sum(op._shape()[-2] for op in self._ops),
                        sum(op._shape()[-1] for op in self._ops))

    def _to_dense(self):
        batch = list(self._shape()[:-2])
        total = self._shape()[-1]
        rows, left = [], 0
        for op in self._ops:
            d = op.to_dense()
            d = _m.add(d, _a.zeros(batch + list(d._v.shape[-2:]), d._dtype))
            k = d._v.shape[-1]
            rows.append(_a.pad(d, [[0, 0]] * len(batch) + [[0, 0], [left, total - left - k]]))
            left += k
        return _a.concat(rows, -2)

    def _determinant(self):
        r = self._ops[0].determinant()
        for op in self._ops[1:]:
            r = _m.multiply(r, op.determinant())
        return r

    def _log_abs_determinant(self):
        return _m.add_n([op.log_abs_determinant() for op in self._ops])


class LinearOperatorZeros(LinearOperator):
    """The zero matrix [*batch_shape, num_rows, num_columns]."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        self._rows = int(num_rows)
        self._cols = self._rows if num_columns is None else int(num_columns)
        self._batch = [int(b) for b in (batch_shape or [])]
        super().__init__(dtype or _dt.float32, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square and self._rows == self._cols, name,
                         dict(num_rows=num_rows, num_columns=num_columns,
                              batch_shape=batch_shape, dtype=dtype))

    def add_to_tensor(self, mat, name="add_to_tensor"):  # TensorFlow names it ``mat`` here
        return super().add_to_tensor(mat, name)

    def _shape(self):
        return tuple(self._batch) + (self._rows, self._cols)

    def _to_dense(self):
        return _a.zeros(list(self._shape()), self._dtype)

    def _determinant(self):
        return _a.zeros(self._batch, self._dtype)

    def _log_abs_determinant(self):
        return _m.log(self._determinant())


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix P with (P @ x)[i] = x[perm[i]]."""

    def __init__(self, perm, dtype=_dt.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        self._perm = t(perm)
        super().__init__(dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(perm=perm, dtype=dtype))

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = tuple(self._perm._v.shape)
        return s + s[-1:]

    def _to_dense(self):
        return _a.one_hot(self._perm, self._perm._v.shape[-1], dtype=self._dtype)


class LinearOperatorHouseholder(LinearOperator):
    """I - 2 v v^H / (v^H v), the reflection across the hyperplane orthogonal to v."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorHouseholder"):
        self._v = _float(reflection_axis)
        # A reflection has eigenvalue -1: never positive definite.
        super().__init__(self._v._dtype, is_non_singular,
                         _flag_or(is_self_adjoint, True), _flag_or(is_positive_definite, False),
                         _flag_or(is_square, True), name,
                         dict(reflection_axis=reflection_axis))

    def _shape(self):
        s = tuple(self._v._v.shape)
        return s + s[-1:]

    def _to_dense(self):
        v = _a.expand_dims(self._v, -1)
        outer = _lo.matmul(v, v, adjoint_b=True)
        norm2 = _m.real(_m.reduce_sum(_m.multiply(_m.conj(self._v), self._v), -1)) \
            if self._dtype.is_complex else _m.reduce_sum(_m.square(self._v), -1)
        scale = _m.divide(_m._c(2.0, norm2), norm2)
        if self._dtype.is_complex:
            scale = _m.cast(scale, self._dtype)
        n = self._v._v.shape[-1]
        return _m.subtract(_a.eye(n, dtype=self._dtype),
                           _m.multiply(_a.expand_dims(_a.expand_dims(scale, -1), -1), outer))

    def _determinant(self):
        return _m.negative(_a.ones(list(self._v._v.shape[:-1]), self._dtype))

    def _log_abs_determinant(self):
        return _a.zeros(list(self._v._v.shape[:-1]), self._dtype)


class LinearOperatorToeplitz(LinearOperator):
    """T[i, j] = col[i - j] below the diagonal and row[j - i] above (the diagonal from col)."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        self._col = _float(col)
        self._row = _float(row, self._col._dtype)
        super().__init__(self._col._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(col=col, row=row))

    def _shape(self):
        n = self._col._v.shape[-1]
        return _broadcast([self._col._v.shape[:-1], self._row._v.shape[:-1]]) + (n, n)

    def _to_dense(self):
        from .backend import xp
        from .ops._core import wrap
        n = self._col._v.shape[-1]
        # Index into [row reversed, col]: entry (i, j) is col[i - j] or row[j - i].
        both = _a.concat([_a.reverse(self._row[..., 1:], [-1]), self._col], -1)
        i, j = xp.meshgrid(xp.arange(n), xp.arange(n), indexing="ij")
        idx = wrap((i - j + n - 1).astype(xp.int64), _dt.int64)
        return _a.gather(both, idx, axis=-1, batch_dims=0) if both._v.ndim == 1 else \
            _a.gather(both, _a.broadcast_to(idx, list(both._v.shape[:-1]) + [n, n]),
                      axis=-1, batch_dims=both._v.ndim - 1)


class _BaseCirculant(LinearOperator):
    """A circulant over the last ``block_depth`` dimensions of ``spectrum`` (its DFT): for
    depth 1 a circulant matrix, for 2 a block circulant of circulant blocks, and so on; in
    ``input_output_dtype`` (real dtypes keep the real part)."""

    block_depth = 1

    def __init__(self, spectrum, input_output_dtype=_dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        s = t(spectrum)
        k = self.block_depth
        if s._v.ndim < k:
            raise ValueError(f"Argument `spectrum` must have at least {k} dimensions. "
                             f"Received: {s.numpy()}.")
        cd = _dt.complex128 if s._dtype in (_dt.float64, _dt.complex128) else _dt.complex64
        self._spectrum = s if s._dtype is cd else _m.cast(s, cd)
        super().__init__(input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name or type(self).__name__,
                         dict(spectrum=spectrum, input_output_dtype=input_output_dtype))

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_shape(self):
        from .core.shape import TensorShape
        return TensorShape(list(self._spectrum._v.shape[-self.block_depth:]))

    def block_shape_tensor(self):
        from .core.tensor import constant
        return constant(self.block_shape.as_list(), dtype=_dt.int32)

    def convolution_kernel(self, name="convolution_kernel"):
        from .ops import signal_ops
        inverse = {1: signal_ops.ifft, 2: signal_ops.ifft2d, 3: signal_ops.ifft3d}
        h = inverse[self.block_depth](self._spectrum)
        return self._out(h)

    def _out(self, v):
        """``v`` (complex, in the spectrum's precision) in the operator's dtype, as TF."""
        if not self._dtype.is_complex:
            v = _m.real(v)
        return v if v._dtype is self._dtype else _m.cast(v, self._dtype)

    def _shape(self):
        s = tuple(self._spectrum._v.shape)
        k = self.block_depth
        n = 1
        for d in s[-k:]:
            n *= d
        return s[:-k] + (n, n)

    def _to_dense(self):
        # Entry (I, J) of the flattened blocks is kernel[(I - J) mod block_shape], per axis.
        from .backend import xp
        from .ops._core import wrap
        k = self.block_depth
        dims = tuple(self._spectrum._v.shape[-k:])
        n = int(xp.prod(dims))
        flat = xp.arange(n)
        diff = [(a[:, None] - b[None, :]) % d for a, b, d in
                zip(xp.unravel_index(flat, dims), xp.unravel_index(flat, dims), dims)]
        idx = wrap(xp.ravel_multi_index(diff, dims).astype(xp.int64), _dt.int64)
        h = self.convolution_kernel()
        batch = list(h._v.shape[:-k])
        h = _a.reshape(h, batch + [n])
        if not batch:
            return _a.gather(h, idx, axis=-1)
        return _a.gather(h, _a.broadcast_to(idx, batch + [n, n]), axis=-1,
                         batch_dims=len(batch))

    def _eigenvalues(self):
        return _a.reshape(self._spectrum, list(self._shape()[:-1]))

    def _determinant(self):
        return self._out(_m.reduce_prod(self._eigenvalues(), -1))

    def _log_abs_determinant(self):
        r = _m.reduce_sum(_m.log(_m.abs(self._eigenvalues())), -1)
        return _m.cast(r, self._dtype)


class LinearOperatorCirculant(_BaseCirculant):
    """The circulant matrix with eigenvalues ``spectrum`` (its DFT), in
    ``input_output_dtype`` (real dtypes keep the real part)."""

    def __init__(self, spectrum, input_output_dtype=_dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant2D(_BaseCirculant):
    """A block circulant matrix with circulant blocks: ``spectrum`` [..., N0, N1] is its 2-D
    DFT, the matrix [..., N0 N1, N0 N1]."""

    block_depth = 2

    def __init__(self, spectrum, input_output_dtype=_dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant2D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant3D(_BaseCirculant):
    """The 3-D analogue of ``LinearOperatorCirculant2D``: ``spectrum`` [..., N0, N1, N2]."""

    block_depth = 3

    def __init__(self, spectrum, input_output_dtype=_dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant3D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """A block lower-triangular matrix: ``operators[i]`` is row i's blocks
    [L_i0, ..., L_ii], the diagonal blocks L_ii square. Solves by block forward
    substitution; its determinant is the product of the diagonal blocks'."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorBlockLowerTriangular"):
        rows = [list(r) for r in operators]
        if not rows:
            raise ValueError("Argument `operators` must be a list of >=1 operators. "
                             f"Received: {operators}.")
        for i, row in enumerate(rows):
            if len(row) != i + 1:
                raise ValueError(f"Argument `operators[{i}]` must contain `{i + 1}` blocks. "
                                 f"Received: {len(row)} blocks.")
            if not row[-1].is_square:
                raise ValueError("Matrices on the diagonal (the final elements of each "
                                 "row-partition in the `operators` list) must be square. "
                                 f"Expected argument `operators[{i}][-1].is_square` to be "
                                 "True. Received: False.")
            for j, op in enumerate(row):
                if op.dtype is not rows[0][0].dtype:
                    raise TypeError("Expected all operators to have the same dtype. Found "
                                    f"{op.dtype} in row {i} and {rows[0][0].dtype} in row 0.")
                want = rows[j][j].domain_dimension
                if op.domain_dimension != want:
                    raise ValueError(f"Argument `operators[{i}][{j}].domain_dimension` "
                                     f"({op.domain_dimension}) must be the same as "
                                     f"`operators[{j}][{j}].domain_dimension` ({want}).")
                if op.range_dimension != row[-1].range_dimension:
                    raise ValueError(f"Argument `operators[{i}][{j}].range_dimension` "
                                     f"({op.range_dimension}) must be the same as "
                                     f"`operators[{i}][{i}].range_dimension` "
                                     f"({row[-1].range_dimension}).")
        self._rows = rows
        if all(r[-1].is_non_singular for r in rows) and is_non_singular is None:
            is_non_singular = True
        super().__init__(rows[0][0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(operators=operators))

    @property
    def operators(self):
        return [list(r) for r in self._rows]

    def _shape(self):
        batch = _broadcast([op._shape()[:-2] for r in self._rows for op in r])
        n = sum(r[-1]._shape()[-1] for r in self._rows)
        return batch + (n, n)

    def _to_dense(self):
        batch = list(self._shape()[:-2])
        cols = [r[-1]._shape()[-1] for r in self._rows]
        out = []
        for i, row in enumerate(self._rows):
            parts = []
            for j in range(len(self._rows)):
                if j < len(row):
                    d = row[j].to_dense()
                    parts.append(_m.add(d, _a.zeros(batch + list(d._v.shape[-2:]), d._dtype)))
                else:
                    parts.append(_a.zeros(batch + [row[-1]._shape()[-2], cols[j]], self._dtype))
            out.append(_a.concat(parts, -1))
        return _a.concat(out, -2)

    def _solve(self, rhs, adjoint, adjoint_arg):
        if adjoint:
            return super()._solve(rhs, adjoint, adjoint_arg)
        rhs = _adj(rhs) if adjoint_arg else rhs
        sizes = [r[-1]._shape()[-1] for r in self._rows]
        pieces = _a.split(rhs, sizes, axis=-2)
        xs = []
        for i, row in enumerate(self._rows):
            r = pieces[i]
            for j, x in enumerate(xs):  # subtract what the blocks left of the diagonal made
                r = _m.subtract(r, row[j].matmul(x))
            xs.append(row[-1].solve(r))
        return _a.concat(xs, -2)

    def _determinant(self):
        r = self._rows[0][-1].determinant()
        for row in self._rows[1:]:
            r = _m.multiply(r, row[-1].determinant())
        return r

    def _log_abs_determinant(self):
        return _m.add_n([row[-1].log_abs_determinant() for row in self._rows])


class LinearOperatorTridiag(LinearOperator):
    """A tridiagonal matrix, its diagonals given as ``tfx.linalg.tridiagonal_solve`` takes."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        from .ops.linalg_decomp_ops import _tridiagonal_dense
        self._dense = _tridiagonal_dense(diagonals, diagonals_format,
                                         "tfx.linalg.LinearOperatorTridiag")
        self._diagonals, self._format = diagonals, diagonals_format
        super().__init__(self._dense._dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, _flag_or(is_square, True), name,
                         dict(diagonals=diagonals, diagonals_format=diagonals_format))

    def _shape(self):
        return tuple(self._dense._v.shape)

    def _to_dense(self):
        return self._dense


class LinearOperatorLowRankUpdate(LinearOperator):
    """base_operator + u diag(diag_update) v^H (v defaults to u, diag_update to ones)."""

    def __init__(self, base_operator, u, diag_update=None, v=None,
                 is_diag_update_positive=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        self._base = base_operator
        self._u = t(u, base_operator.dtype)
        self._v = self._u if v is None else t(v, base_operator.dtype)
        self._d = None if diag_update is None else t(diag_update, base_operator.dtype)
        if v is None and is_self_adjoint is None and base_operator.is_self_adjoint:
            is_self_adjoint = True
        super().__init__(base_operator.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name,
                         dict(base_operator=base_operator, u=u, diag_update=diag_update,
                              v=v))

    def _shape(self):
        return self._base._shape()

    def _to_dense(self):
        u = self._u if self._d is None else _m.multiply(self._u, _a.expand_dims(self._d, -2))
        return _m.add(self._base.to_dense(), _lo.matmul(u, self._v, adjoint_b=True))


def conjugate_gradient(operator, rhs, preconditioner=None, x=None, tol=1e-5, max_iter=20,
                       name="conjugate_gradient"):
    """Solve ``operator @ x = rhs`` (self-adjoint positive definite ``operator``, ``rhs``
    [..., N]) by (preconditioned) conjugate gradients, until ||r|| <= tol ||rhs|| for every
    batch member or ``max_iter`` steps. Returns ``CGState(i, x, r, p, gamma)``."""
    import collections
    if not (operator.is_self_adjoint and operator.is_positive_definite):
        raise ValueError("Expected a self-adjoint, positive definite operator.")
    state_type = collections.namedtuple("CGState", ["i", "x", "r", "p", "gamma"])
    rhs = t(rhs, operator.dtype)

    def dot(a, b):
        return _m.reduce_sum(_m.multiply(_m.conj(a) if a._dtype.is_complex else a, b), -1,
                             keepdims=True)

    def norm(v):
        return _lo.norm(v, axis=-1)

    def apply(op, v):
        return op.matvec(v)

    x = _a.zeros_like(rhs) if x is None else t(x, operator.dtype)
    r = _m.subtract(rhs, apply(operator, x))
    p = r if preconditioner is None else apply(preconditioner, r)
    gamma = dot(r, p)
    limit = _m.multiply(_m._c(tol, norm(rhs)), norm(rhs))
    i = 0
    while i < max_iter and bool(_m.reduce_any(_m.greater(norm(r), limit)).numpy()):
        z = apply(operator, p)
        alpha = _m.divide(gamma, dot(p, z))
        x = _m.add(x, _m.multiply(alpha, p))
        r = _m.subtract(r, _m.multiply(alpha, z))
        q = r if preconditioner is None else apply(preconditioner, r)
        gamma_next = dot(r, q)
        p = _m.add(q, _m.multiply(_m.divide(gamma_next, gamma), p))
        gamma = gamma_next
        i += 1
    from .core.tensor import constant
    return state_type(constant(i, _dt.int32), x, r, p, _a.squeeze(gamma, -1))
