"""AutoGraph: Python control flow in tfx.function converted to graph control flow.

Each converted function is checked three ways: its values against plain NumPy/Python (and
TensorFlow where installed), one trace serving tensors that take different paths, and the same
function called eagerly (unconverted) giving the same values.
"""
import linecache
import re
import traceback
import warnings

import numpy as np
import pytest

import tfx
from tfx.errors import OperatorNotAllowedInGraphError


def c(x, dtype=None):
    return tfx.constant(x, dtype)


def op_types(fn, *args):
    return {o.type for o in fn.get_concrete_function(*args).graph.nodes}


# ---- if ----------------------------------------------------------------------------------------

def test_if_on_a_tensor_becomes_a_cond_and_one_trace_serves_both_paths():
    @tfx.function
    def f(x):
        if tfx.reduce_sum(x) > 0:
            y = x * 2.0
            z = y + 1.0
        else:
            y = -x
            z = y
        return y + z

    for v in ([1.0, 2.0], [-3.0, 1.0], [0.5, -0.25]):
        x = np.array(v, np.float32)
        want = 2 * (2 * x) + 1 if x.sum() > 0 else -2 * x
        np.testing.assert_allclose(f(c(x)).numpy(), want)
        np.testing.assert_allclose(f.python_function(c(x)).numpy(), want)  # eagerly, unconverted
    assert f.experimental_get_tracing_count() == 1
    assert "cond" in op_types(f, c([1.0, 2.0]))


def test_python_conditions_stay_python():
    @tfx.function
    def f(x, training):
        if training:
            x = x * 10.0
        if x.shape[0] == 2:  # static shape: Python
            x = x + 1.0
        return x
    np.testing.assert_allclose(f(c([1.0, 2.0]), True).numpy(), [11.0, 21.0])
    np.testing.assert_allclose(f(c([1.0, 2.0]), False).numpy(), [2.0, 3.0])
    assert "cond" not in op_types(f, c([1.0, 2.0]), True)
    assert f.experimental_get_tracing_count() == 2  # Python values still trace by value


def test_return_inside_if_and_elif_chain_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")

    def make(lib):
        @lib.function
        def f(x):
            if x > 10.0:
                return x - 10.0
            elif x > 0.0:
                return x * 2.0
            else:  # TensorFlow wants a return on every path of a tensor `if`
                y = -x
                if y > 5.0:
                    y = y / 5.0
                return y
        return f
    f_tf, f_tfx = make(tf), make(tfx)
    for v in (12.0, 3.0, -1.0, -20.0):
        assert float(f_tfx(c(v))) == pytest.approx(float(f_tf(tf.constant(v))))
    assert f_tfx.experimental_get_tracing_count() == 1

    @tfx.function
    def g(x):  # tfx also accepts an `if` that returns on one path only
        if x > 0.0:
            return x * 2.0
        return -x
    assert float(g(c(2.0))) == 4.0 and float(g(c(-3.0))) == 3.0


def test_variable_set_in_one_branch_only_is_a_clear_error_with_the_line():
    @tfx.function
    def f(x):
        if x > 0:
            y = x
        return y  # noqa: F821 - the point of the test
    with pytest.raises(ValueError) as e:
        f(c(1.0))
    msg = str(e.value)
    assert "'y' must also be initialized in the else branch" in msg
    assert re.search(r"test_autograph\.py:\d+", msg)


def test_branch_temporaries_need_not_exist_on_both_paths():
    @tfx.function
    def f(x):
        if x > 0:
            t = x * 3.0  # read only inside the branch
            x = t + 1.0
        return x
    assert float(f(c(2.0))) == 7.0 and float(f(c(-2.0))) == -2.0


def test_python_number_and_tensor_branches_unify_dtypes():
    @tfx.function
    def f(x):
        if x > 0:
            y = 0
        else:
            y = x * 2.0
        return y
    assert f(c(1.0)).dtype == tfx.float32 and float(f(c(1.0))) == 0.0
    assert float(f(c(-1.5))) == -3.0


def test_lazy_and_or_not_on_tensors_and_python_short_circuit():
    calls = []

    def expensive(x):
        calls.append(1)
        return tfx.reduce_sum(x) > 10.0

    @tfx.function
    def f(x, limit):
        if limit is not None and tfx.reduce_max(x) < limit:  # Python `is not None` first
            return x
        if not (tfx.reduce_min(x) > 0) or expensive(x):
            return x * 2.0
        return x * 0.0
    np.testing.assert_allclose(f(c([1.0, 2.0]), 5.0).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(f(c([1.0, 2.0]), None).numpy(), [0.0, 0.0])
    np.testing.assert_allclose(f(c([-1.0, 2.0]), None).numpy(), [-2.0, 4.0])
    assert len(calls) == 2  # traced once per trace (two: limit 5.0 and None), never run
    assert "cond" in op_types(f, c([1.0, 2.0]), None)


def test_conditional_expression_on_a_tensor():
    @tfx.function
    def f(x):
        return x * 2.0 if x > 0 else x - 1.0
    assert float(f(c(3.0))) == 6.0 and float(f(c(-3.0))) == -4.0
    assert f.experimental_get_tracing_count() == 1


# ---- loops -------------------------------------------------------------------------------------

def test_while_on_a_tensor_counts_with_python_initial_values():
    @tfx.function
    def f(x, n):
        total = 0
        i = 0
        while i < n:
            total += tfx.reduce_sum(x) * tfx.cast(i, tfx.float32)
            i += 1
        return total, i
    for n in (0, 1, 5):
        total, i = f(c([1.0, 2.0]), c(n))
        assert float(total) == 3.0 * sum(range(n)) and int(i) == n
    assert f.experimental_get_tracing_count() == 1
    assert "while_loop" in op_types(f, c([1.0, 2.0]), c(1))


def test_for_range_with_break_and_continue_matches_python_and_tensorflow():
    tf = pytest.importorskip("tensorflow")

    def make(lib):
        @lib.function
        def f(x, n):
            s = x
            for k in lib.range(n):
                if k % 3 == 1:
                    continue
                if s > 100.0:
                    break
                s = s * 2.0 + lib.cast(k, lib.float32)
            return s
        return f
    f_tf, f_tfx = make(tf), make(tfx)

    def ref(x, n):
        s = x
        for k in range(n):
            if k % 3 == 1:
                continue
            if s > 100.0:
                break
            s = s * 2.0 + k
        return s
    for n in (0, 2, 5, 30):
        got = float(f_tfx(c(1.5), c(n)))
        assert got == pytest.approx(ref(1.5, n))
        assert got == pytest.approx(float(f_tf(tf.constant(1.5), tf.constant(n))))
    assert f_tfx.experimental_get_tracing_count() == 1


def test_for_over_a_tensor_iterates_its_first_dimension_and_python_range_of_a_tensor():
    @tfx.function
    def f(xs):
        acc = tfx.zeros([2])
        for row in xs:
            acc = acc + row * row
        n = 0
        for _ in range(tfx.shape(xs)[0]):  # range() of a tensor becomes tfx.range
            n += 1
        return acc, n
    xs = np.arange(6, dtype=np.float32).reshape(3, 2)
    acc, n = f(c(xs))
    np.testing.assert_allclose(acc.numpy(), (xs * xs).sum(0))
    assert int(n) == 3
    acc, n = f(c(xs[:2]))  # another shape: another trace, same code
    np.testing.assert_allclose(acc.numpy(), (xs[:2] ** 2).sum(0))


def test_nested_loops_and_return_from_inside_a_loop():
    @tfx.function
    def first_over(xs, limit):
        for i in tfx.range(tfx.shape(xs)[0]):
            for j in tfx.range(tfx.shape(xs)[1]):
                if xs[i, j] > limit:
                    return i * 10 + j
        return -1
    xs = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 1.0]], np.float32)
    assert int(first_over(c(xs), c(2.5))) == 2
    assert int(first_over(c(xs), c(5.0))) == 11
    assert int(first_over(c(xs), c(50.0))) == -1
    assert first_over.experimental_get_tracing_count() == 1


def test_while_else_and_python_loops_with_tensor_break():
    @tfx.function
    def f(x):
        found = False
        for k in range(4):  # a Python loop; the break depends on a tensor
            if x > k:
                found = True
                break
        else:
            x = x - 100.0
        return x, found
    x, found = f(c(2.0))
    assert float(x) == 2.0 and bool(found)
    x, found = f(c(-2.0))
    assert float(x) == -102.0 and not bool(found)


def test_tensor_array_written_in_a_loop_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")

    def make(lib):
        @lib.function
        def f(x, n):
            ta = lib.TensorArray(lib.float32, size=0, dynamic_size=True)
            for i in lib.range(n):
                ta = ta.write(i, x * lib.cast(i, lib.float32))
            return ta.stack()
        return f
    f_tf, f_tfx = make(tf), make(tfx)
    for n in (1, 4):
        np.testing.assert_allclose(f_tfx(c([1.0, -2.0]), c(n)).numpy(),
                                   f_tf(tf.constant([1.0, -2.0]), tf.constant(n)).numpy())
    assert f_tfx.experimental_get_tracing_count() == 1


def test_list_append_in_a_tensor_loop_points_to_tensor_array():
    @tfx.function
    def f(x, n):
        out = []
        for _ in tfx.range(n):
            out.append(x)
        return out
    with pytest.raises(OperatorNotAllowedInGraphError, match=r"tfx\.TensorArray") as e:
        f(c(1.0), c(3))
    assert "'out' is a Python list" in str(e.value)
    assert re.search(r"test_autograph\.py:\d+", str(e.value))


def test_loop_variable_undefined_before_the_loop_is_a_clear_error():
    @tfx.function
    def f(n):
        i = tfx.constant(0)
        while i < n:
            if i > 0:
                prev = prev * 2  # noqa: F821
            else:
                prev = i
            i += 1
        return prev
    with pytest.raises(ValueError, match="'prev' must be defined before the loop"):
        f(c(3))


def test_loop_variable_changing_dtype_says_which():
    @tfx.function
    def f(x, n):
        y = tfx.cast(x, tfx.int32)
        for _ in tfx.range(n):
            y = tfx.cast(y, tfx.float32) * x
        return y
    with pytest.raises(TypeError, match="'y' has dtype int32 before the loop"):
        f(c(1.0), c(2))


# ---- gradients ---------------------------------------------------------------------------------

def _fd(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def test_gradient_through_converted_loops_matches_finite_differences():
    @tfx.function
    def f(x, w, n):
        with tfx.GradientTape() as tape:
            tape.watch([x, w])
            y = x
            for _ in tfx.range(n):
                y = y * w
                if y > 3.0:
                    y = tfx.sin(y) + 3.0
            i = 0
            while i < n:
                y = y + w * x
                i += 1
        return y, tape.gradient(y, [x, w])

    def ref(x, w, n):
        y = x
        for _ in range(n):
            y = y * w
            if y > 3.0:
                y = np.sin(y) + 3.0
        for _ in range(n):
            y = y + w * x
        return y

    for n in (0, 2, 5):
        y, (gx, gw) = f(c(1.1, tfx.float64), c(1.7, tfx.float64), c(n))
        assert float(y) == pytest.approx(ref(1.1, 1.7, n), rel=1e-12)
        assert float(gx) == pytest.approx(_fd(lambda a: ref(a, 1.7, n), 1.1), rel=1e-6)
        assert float(gw) == pytest.approx(_fd(lambda a: ref(1.1, a, n), 1.7), rel=1e-6)
    assert f.experimental_get_tracing_count() == 1


def test_gradient_through_a_converted_loop_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")

    def make(lib):
        @lib.function
        def f(x, n):
            with lib.GradientTape() as tape:
                tape.watch(x)
                y = x
                for _ in lib.range(n):
                    y = lib.tanh(y * x + 0.5)
            return tape.gradient(y, x)
        return f
    f_tf, f_tfx = make(tf), make(tfx)
    x = np.array([0.3, -0.8], np.float64)
    for n in (1, 3, 7):
        np.testing.assert_allclose(f_tfx(c(x), c(n)).numpy(),
                                   f_tf(tf.constant(x), tf.constant(n)).numpy(), rtol=1e-12)


# ---- what gets converted -----------------------------------------------------------------------

def _helper_abs(x):
    if x > 0:
        return x
    return -x


class _Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, x):
        if x > 0:
            x = x * self.k
        return x

    def __call__(self, x):
        while x < 1.0:
            x = x * 2.0
        return x


def test_user_functions_methods_and_callables_are_converted_recursively():
    s = _Scaler(3.0)

    @tfx.function
    def f(x):
        return _helper_abs(x - 1.0) + s.apply(x - 1.0) + s(x)

    def ref(v):
        y = v
        while y < 1.0:
            y *= 2.0
        return abs(v - 1.0) + ((v - 1.0) * 3.0 if v > 1.0 else v - 1.0) + y
    for v in (0.3, 2.0, 0.9, 1.5):
        assert float(f(c(v))) == pytest.approx(ref(v))
    assert f.experimental_get_tracing_count() == 1
    assert float(tfx.function(lambda x: _helper_abs(x))(c(-2.0))) == 2.0


def test_do_not_convert_with_and_without_parentheses():
    @tfx.autograph.experimental.do_not_convert
    def plain(x):
        if x > 0:
            return x
        return -x

    @tfx.autograph.experimental.do_not_convert()
    def plain2(x):
        return x * 2.0
    assert float(plain(c(-2.0))) == 2.0  # eagerly it is just the function

    @tfx.function
    def f(x):
        return plain(x)
    with pytest.raises(OperatorNotAllowedInGraphError) as e:
        f(c(1.0))
    assert "do_not_convert" in str(e.value) and "tfx.cond" in str(e.value)
    assert float(tfx.function(lambda x: plain2(x))(c(2.0))) == 4.0


def test_autograph_false_error_names_the_function_and_line_and_the_fix():
    @tfx.function(autograph=False)
    def f(x):
        while x > 0:
            x = x - 1.0
        return x
    with pytest.raises(OperatorNotAllowedInGraphError) as e:
        f(c(1.0))
    msg = str(e.value)
    assert re.search(r"at .*test_autograph\.py:\d+", msg)
    assert "`test_autograph_false_error_names_the_function_and_line_and_the_fix.<locals>.f`" in msg
    assert "autograph=False" in msg and "tfx.cond" in msg


def test_to_code_and_to_graph():
    def f(x, n):
        s = 0.0
        for i in tfx.range(n):
            if i % 2 == 0:
                s = s + x
        while s > 10.0:
            s = s / 2.0
        return s
    code = tfx.autograph.to_code(f)
    assert code.startswith("def f(x, n):")
    for call in ("ag__.for_stmt(", "ag__.if_stmt(", "ag__.while_stmt(", "ag__.converted_call("):
        assert call in code
    compile(code, "<to_code>", "exec")  # readable Python
    g = tfx.autograph.to_graph(f)
    assert float(g(c(3.0), c(5))) == float(f(c(3.0), c(5))) == 9.0
    assert float(tfx.function(g)(c(3.0), c(8))) == 6.0  # 12 halved once
    with pytest.raises(tfx.autograph.AutoGraphError):
        tfx.autograph.to_code(len)


def test_unconvertible_callee_warns_with_file_and_line_and_runs_as_python():
    def gen(x):
        yield x * 2.0

    @tfx.function
    def f(x):
        return next(gen(x))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(f(c(2.0))) == 4.0
    msgs = [w for w in caught if "AutoGraph could not convert" in str(w.message)]
    assert len(msgs) == 1
    w = msgs[0]
    assert w.filename.endswith("test_autograph.py") and "plain Python" in str(w.message)
    assert "report" not in str(w.message)


def test_errors_in_converted_code_name_the_users_line_and_tracebacks_hide_generated_code():
    @tfx.function
    def f(x):
        if tfx.reduce_sum(x) > 0:
            raise_here = x + tfx.cast(x, tfx.int32)  # float32 + int32: invalid
            x = raise_here
        return x
    line = f.python_function.__code__.co_firstlineno + 3
    with pytest.raises(Exception) as e:
        f(c([1.0, 2.0]))
    assert f"test_autograph.py:{line}" in str(e.value)
    from tfx.diagnostics import filtered_traceback
    frames = traceback.extract_tb(filtered_traceback(e.value.__traceback__))
    names = [fr.name for fr in frames]
    assert not any(n.startswith(("if_body", "loop_body", "get_state")) for n in names)
    assert any(fr.filename.endswith("test_autograph.py") and fr.lineno == line
               for fr in traceback.extract_tb(e.value.__traceback__))


def test_verbosity_and_trace():
    tfx.autograph.set_verbosity(0)
    tfx.autograph.trace("hello")  # prints; must not raise


# ---- functions without source ------------------------------------------------------------------

_SRC = """
def from_text(x):
    if x > 0:
        y = x * 2.0
    else:
        y = x - 1.0
    return y if y > 1.0 else y * 10.0
"""


def _ref(x):
    y = x * 2.0 if x > 0 else x - 1.0
    return y if y > 1.0 else y * 10.0


def test_exec_function_without_source_is_traced_path_by_path():
    ns = {}
    exec(compile(_SRC, "<exec-no-source>", "exec"), ns)
    f = tfx.function(ns["from_text"])
    for v in (3.0, 0.2, -1.0):
        assert float(f(c(v))) == pytest.approx(_ref(v))
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(tfx.autograph.AutoGraphError, match="no source"):
        tfx.autograph.to_code(ns["from_text"])


def test_exec_function_with_a_tensor_loop_gets_a_clear_error():
    ns = {}
    exec(compile("def halve(x):\n    while x > 1.0:\n        x = x / 2.0\n    return x\n",
                 "<exec-loop>", "exec"), ns)
    with pytest.raises(OperatorNotAllowedInGraphError, match="no source code") as e:
        tfx.function(ns["halve"])(c(10.0))
    assert "<exec-loop>:2" in str(e.value) and "tfx.while_loop" in str(e.value)


def test_function_whose_source_is_only_in_linecache_is_converted():
    name = "<tfx-test-cell-1>"
    linecache.cache[name] = (len(_SRC), None, _SRC.splitlines(True), name)
    try:
        ns = {}
        exec(compile(_SRC, name, "exec"), ns)
        assert "ag__.if_stmt(" in tfx.autograph.to_code(ns["from_text"])
        f = tfx.function(ns["from_text"])
        for v in (3.0, 0.2, -1.0):
            assert float(f(c(v))) == pytest.approx(_ref(v))
        assert f.experimental_get_tracing_count() == 1
    finally:
        linecache.cache.pop(name, None)


# ---- more of Python ----------------------------------------------------------------------------

class _Base:
    def scale(self, x):
        return x * 2.0


class _Child(_Base):
    def scale(self, x):
        if x > 0:
            return super().scale(x) + 1.0  # zero-argument super() inside a converted branch
        return x

    @tfx.function
    def run(self, x, *rest, k=1.0):
        def inner(y):  # a nested function is converted with its parent
            if y > 1.0:
                y = y - 1.0
            return y
        with tfx.name_scope("block"):
            if x > 0:
                x = inner(x) * k
        try:
            z = self.scale(x)
        except ValueError:
            z = x
        extra = [v * 2.0 for v in rest if v is not None]
        return z + (extra[0] if extra else 0.0)


def test_methods_super_nested_functions_with_try_varargs_and_keyword_only():
    m = _Child()
    assert float(m.run(c(3.0))) == 5.0  # inner: 2; scale: 2*2+1
    assert float(m.run(c(-3.0))) == -3.0
    assert float(m.run(c(3.0), c(1.0), k=2.0)) == 11.0
    assert m.run.experimental_get_tracing_count() == 2


def test_assert_on_a_tensor_is_checked_on_every_call():
    @tfx.function
    def f(x):
        assert x > 0, "x must be positive"
        assert 1 < 2  # Python
        return x * 2.0
    assert float(f(c(2.0))) == 4.0
    with pytest.raises(tfx.errors.InvalidArgumentError, match="x must be positive"):
        f(c(-2.0))
    assert f.experimental_get_tracing_count() == 1


def test_global_assigned_in_a_branch_and_loops_over_python_lists_unroll():
    global _COUNT
    _COUNT = 0

    @tfx.function
    def f(x, ws):
        global _COUNT
        for w in ws:  # a Python list: unrolled while tracing, as TensorFlow
            if w > 0.0:
                _COUNT += 1
                x = x * w
        return x
    assert float(f(c(1.0), [2.0, -1.0, 3.0])) == 6.0
    assert _COUNT == 2


_COUNT = 0


def _logged(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*a, **k):
        return fn(*a, **k)
    return wrapper


@_logged
def _wrapped_abs(x):
    if x > 0:
        return x
    return -x


def test_functions_behind_a_functools_wraps_decorator_are_converted():
    f = tfx.function(lambda x: _wrapped_abs(x))
    assert float(f(c(-3.0))) == 3.0 and float(f(c(2.0))) == 2.0
    assert f.experimental_get_tracing_count() == 1


def test_converted_if_tracing_is_the_hook_for_framework_code_calling_user_code():
    from tfx.autograph.api import converted_if_tracing

    class Gate(tfx.keras.layers.Layer):
        def call(self, x):
            if tfx.reduce_sum(x) > 0:
                return x * 2.0
            return x
    layer = Gate()
    assert converted_if_tracing(layer.call) == layer.call  # eagerly: the method itself
    f = tfx.function(lambda x: converted_if_tracing(layer.call)(x))
    assert float(f(c([1.0]))[0]) == 2.0 and float(f(c([-1.0]))[0]) == -1.0
    g = tfx.function(lambda x: converted_if_tracing(layer.call)(x), autograph=False)
    with pytest.raises(OperatorNotAllowedInGraphError, match="autograph=False"):
        g(c([1.0]))


def test_list_changed_in_a_tensor_branch_is_a_clear_error_python_branch_is_fine():
    @tfx.function
    def f(x, training):
        out = [x]
        if training:
            out.append(x * 2.0)  # a Python condition: fine
        if x > 0:
            out.append(x)
        return out
    with pytest.raises(OperatorNotAllowedInGraphError, match="'out' is a Python list changed"):
        f(c(1.0), True)


def test_a_nested_generator_stays_python_while_its_parent_is_converted():
    @tfx.function
    def f(x):
        def steps(n):
            yield from range(n)
        for _ in steps(3):  # a Python generator: unrolled
            if x > 1.0:  # a tensor: a cond per step
                x = x * 0.5
        return x
    assert float(f(c(8.0))) == 1.0 and float(f(c(0.5))) == 0.5
    assert f.experimental_get_tracing_count() == 1


_LAMBDAS = {
    "sign": (lambda x: x * 2.0 if x > 0 else -x),
    "both": (lambda x, y: [x + y,
                           x if y > 0 else y]),
}


def test_lambdas_are_converted_even_inside_multi_line_expressions():
    sign = tfx.function(_LAMBDAS["sign"])
    assert float(sign(c(2.0))) == 4.0 and float(sign(c(-3.0))) == 3.0
    both = tfx.function(_LAMBDAS["both"])
    assert [float(v) for v in both(c(1.0), c(-2.0))] == [-1.0, -2.0]
    assert [float(v) for v in both(c(1.0), c(2.0))] == [3.0, 1.0]
    assert "ag__.if_exp(" in tfx.autograph.to_code(_LAMBDAS["both"])
    assert sign.experimental_get_tracing_count() == both.experimental_get_tracing_count() == 1
