"""tfx.function: TensorFlow's tracing rules, graphs, control flow and gradients through calls.

Counts and behaviours are checked against TensorFlow where it is installed; messages against
what issue 12 asks of them (the function, the argument, the change, the fix).
"""
import re
import warnings

import numpy as np
import pytest

import tfx
from tfx.errors import InvalidArgumentError, OperatorNotAllowedInGraphError


def c(x, dtype=None):
    return tfx.constant(x, dtype)


# ---- tracing rules ---------------------------------------------------------------------------

def test_python_values_trace_by_value_tensors_by_signature():
    @tfx.function
    def tf_cube(x):
        return x ** 3
    assert tf_cube(2) == 8 and tf_cube(3) == 27 and tf_cube(2) == 8
    assert tf_cube.experimental_get_tracing_count() == 2  # 2 and 3: two Python values
    tf_cube(c(2.0))
    tf_cube(c(3.0))  # same shape and dtype: no retrace
    assert tf_cube.experimental_get_tracing_count() == 3
    tf_cube(c([2.0, 3.0]))  # new shape
    tf_cube(c(2.0, tfx.float64))  # new dtype
    assert tf_cube.experimental_get_tracing_count() == 5
    np.testing.assert_allclose(tf_cube(c([1.0, 4.0])).numpy(), [1.0, 64.0])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_tracing_counts_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    calls = [2, 3, 2, 2.0, np.float32(2.0), [1.0, 2.0]]
    counts = []
    for lib in (tf, tfx):
        @lib.function
        def f(x):
            return x
        for v in calls:
            f(v)
        for v in ([1.0], [2.0], [[1.0]]):
            f(lib.constant(v))
        counts.append(f.experimental_get_tracing_count())
    assert counts[0] == counts[1]


def test_side_effects_run_only_while_tracing_and_tfx_print_every_call(capsys):
    log = []

    @tfx.function
    def f(x):
        print("python print")
        log.append(1)
        tfx.print("graph print", x)
        return x + 1
    for v in (1.0, 2.0, 3.0):
        f(c(v))
    out = capsys.readouterr()
    assert out.out.count("python print") == 1 and log == [1]
    assert out.err.splitlines() == ["graph print 1", "graph print 2", "graph print 3"]


def test_tfx_print_formats_as_tf_print(capsys):
    tfx.print(c([1.5, 2.0, 3.0]), "x", c(3), c([[1, 2], [3, 4]]), tfx.range(10), c("ab"),
              {"a": c(1)}, [c(1.0), 2])
    tfx.print(c(["a", "b"]), "plain", sep="|", end="!\n")
    tfx.print(c([0.123456789, 1e-7, -2.0]), c(True), output_stream=__import__("sys").stdout)
    out = capsys.readouterr()
    assert out.err == ('[1.5 2 3] x 3 [[1 2]\n [3 4]] [0 1 2 ... 7 8 9] "ab" {\'a\': 1} [1, 2]\n'
                       '["a" "b"]|plain!\n')
    assert out.out == "[0.123456791 1e-07 -2] 1\n"


def test_python_print_shows_symbolic_tensors(capsys):
    @tfx.function
    def f(x):
        print(x)
        return x
    f(c([1.0, 2.0]))
    assert capsys.readouterr().out.strip() == 'tfx.Tensor("x:0", shape=(2,), dtype=float32)'


def test_keyword_and_default_arguments_share_a_trace():
    @tfx.function
    def f(x, scale=2.0):
        return x * scale
    f(c(1.0))
    f(x=c(1.0))
    f(c(1.0), 2.0)
    assert f.experimental_get_tracing_count() == 1
    f(c(1.0), scale=3.0)
    assert f.experimental_get_tracing_count() == 2
    assert float(f(c(2.0), scale=3.0)) == 6.0


def test_reduce_retracing_relaxes_changing_dimensions():
    @tfx.function(reduce_retracing=True)
    def f(x):
        return tfx.reduce_sum(x, 1)
    for n in (2, 3, 4, 5, 9):
        np.testing.assert_allclose(f(c(np.ones((n, 3), np.float32))).numpy(), [3.0] * n)
    assert f.experimental_get_tracing_count() == 2  # (2, 3), then (None, 3)


# ---- input_signature and concrete functions --------------------------------------------------

def test_input_signature_accepts_matching_shapes_and_rejects_others():
    @tfx.function(input_signature=[tfx.TensorSpec([None], tfx.float32)])
    def f(x):
        return x + 1
    np.testing.assert_allclose(f(c([1.0, 2.0])).numpy(), [2.0, 3.0])
    np.testing.assert_allclose(f([1.0, 2.0, 3.0]).numpy(), [2.0, 3.0, 4.0])  # Python list
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match=r"x = an int32 tensor of shape \(2,\).*dtype differs"):
        f(c([1, 2]))
    with pytest.raises(TypeError, match=r"shape \(1, 1\).*rank differs"):
        f(c([[1.0]]))
    with pytest.raises(TypeError, match="too many positional arguments"):
        f(c([1.0]), c([2.0]))
    with pytest.raises(TypeError):
        tfx.function(lambda x: x, input_signature=[[1, 2]])


def test_get_concrete_function_is_the_same_object_for_the_same_signature():
    @tfx.function
    def f(x, y):
        return tfx.matmul(x, y) + x
    spec = tfx.TensorSpec([2, 2], tfx.float32)
    cf = f.get_concrete_function(spec, spec)
    assert f.get_concrete_function(spec, spec) is cf
    assert f.get_concrete_function(c(np.ones((2, 2), np.float32)), spec) is cf
    assert f.experimental_get_tracing_count() == 1
    ops = cf.graph.get_operations()
    assert [o.name for o in ops] == ["x", "y", "matmul", "add"]
    assert [o.type for o in ops] == ["Placeholder", "Placeholder", "matmul", "add"]
    assert [t.name for t in ops[3].inputs] == ["matmul:0", "x:0"]
    assert ops[2].outputs[0].shape == tfx.TensorShape([2, 2])
    # unnamed specs take their parameter's name, as in TensorFlow
    named = [tfx.TensorSpec(spec.shape, spec.dtype, n) for n in ("x", "y")]
    assert cf.structured_input_signature == (tuple(named), {})
    text = cf.pretty_printed_signature()
    assert "x: TensorSpec(shape=(2, 2)" in text and "Output Type" in text
    out = cf(c(np.eye(2, dtype=np.float32)), c(np.ones((2, 2), np.float32)))
    np.testing.assert_allclose(out.numpy(), np.ones((2, 2)) + np.eye(2))
    with pytest.raises(TypeError):
        cf(c(np.ones((3, 2), np.float32)), c(np.ones((2, 2), np.float32)))


def test_plans_drop_unused_ops_fold_constants_and_merge_repeats():
    @tfx.function
    def f(x):
        unused = tfx.exp(x) * 3.0  # noqa: F841
        k = tfx.sqrt(c(4.0)) * 2.0  # constants only: computed once, when the plan is built
        return (x + k) * (x + k) + tfx.random.uniform([]) * 0.0
    cf = f.get_concrete_function(c(1.0))
    types = [o.type for o in cf.graph.plan().nodes]
    assert types == ["add", "multiply", "random_uniform", "multiply", "add"]
    assert float(f(c(1.0))) == 25.0 and float(f(c(2.0))) == 36.0


# ---- variables ---------------------------------------------------------------------------------

def test_captured_variables_are_read_live_python_values_frozen():
    v = tfx.Variable(2.0)
    scale = 3.0
    outside = c(10.0)

    @tfx.function
    def f(x):
        return x * v * scale + outside
    assert float(f(c(1.0))) == 16.0
    v.assign(5.0)
    scale = 100.0  # noqa: F841 - frozen at trace time
    assert float(f(c(1.0))) == 25.0
    assert f.experimental_get_tracing_count() == 1
    assert f.get_concrete_function(c(1.0)).variables == (v,)


def test_variable_writes_happen_once_per_call():
    counter = tfx.Variable(0)
    total = tfx.Variable([0.0, 0.0])

    @tfx.function
    def step(x):
        counter.assign_add(1)
        total.assign(total + x)
        return total * 2.0  # reads the value just written
    np.testing.assert_allclose(step(c([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(step(c([1.0, 2.0])).numpy(), [4.0, 8.0])
    assert int(counter) == 2
    np.testing.assert_allclose(total.numpy(), [2.0, 4.0])


def test_get_concrete_function_traces_without_changing_variables():
    v = tfx.Variable(1.0)

    @tfx.function
    def f(x):
        v.assign_add(x)
        return v.read_value()
    f.get_concrete_function(tfx.TensorSpec([], tfx.float32))
    assert float(v) == 1.0
    assert float(f(c(2.0))) == 3.0 and float(v) == 3.0


def test_variables_may_be_created_on_the_first_trace_only():
    class Scaler:
        def __init__(self):
            self.v = None

        @tfx.function
        def __call__(self, x):
            if self.v is None:
                self.v = tfx.Variable(2.0)
            return x * self.v
    s = Scaler()
    assert float(s(c(3.0))) == 6.0
    np.testing.assert_allclose(s(c([1.0, 2.0])).numpy(), [2.0, 4.0])  # retrace, no new var

    # As in TensorFlow, a first trace that creates variables is traced once more: the
    # Scaler's second trace found its variable (two traces for the first call), while a
    # function creating a variable on every trace fails on its first call.
    traces = []

    @tfx.function
    def f(x):
        traces.append(1)
        v = tfx.Variable(tfx.zeros_like(x))
        return x + v
    with pytest.raises(ValueError) as e:
        f(c([1.0]))
    assert len(traces) == 2
    msg = str(e.value)
    assert msg.startswith("tfx.function only supports singleton tfx.Variables created on the "
                          "first call.")
    assert "tfx.function `test_variables_may_be_created_on_the_first_trace_only.<locals>.f`" in msg
    assert "'Variable:0' with shape (1,)" in msg
    assert re.search(r"created at .*test_function.py:\d+", msg)


def test_methods_are_bound_per_instance():
    class Model:
        def __init__(self, k):
            self.k = tfx.Variable(k)

        @tfx.function
        def apply(self, x):
            return x * self.k
    a, b = Model(2.0), Model(3.0)
    assert float(a.apply(c(1.0))) == 2.0 and float(b.apply(c(1.0))) == 3.0
    assert a.apply is a.apply and a.apply is not b.apply
    assert a.apply.experimental_get_tracing_count() == 1


# ---- messages ---------------------------------------------------------------------------------

def test_retrace_warning_names_the_function_the_argument_and_the_fix():
    @tfx.function
    def fit_batch(x, n):
        return x * n
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for rows in (32, 17, 9, 5, 3, 2):
            fit_batch(c(np.ones((rows, 8), np.float32)), 2)
    msgs = [str(w.message) for w in caught]
    assert len(msgs) == 1
    assert "tfx.function `test_retrace_warning_names_the_function_the_argument_and_the_fix." \
           "<locals>.fit_batch`" in msgs[0]
    assert "traced 6 times" in msgs[0] and "x: shape (3, 8) -> (2, 8)" in msgs[0]
    assert "reduce_retracing=True" in msgs[0] and "input_signature" in msgs[0]
    assert caught[0].filename == __file__

    @tfx.function
    def power(x, n):
        return x ** n
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, 7):
            power(c(2.0), n)
    msg = str(caught[0].message)
    assert "n: Python int 5 -> 6" in msg and "pass the changing Python values as tensors" in msg


def test_bool_of_a_traced_tensor_says_why_and_what_to_do():
    @tfx.function(autograph=False)  # converted, the `if` would be a tfx.cond (test_autograph)
    def relu_like(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(OperatorNotAllowedInGraphError) as e:
        relu_like(c(1.0))
    msg = str(e.value)
    assert re.search(r"at .*test_function.py:\d+", msg)
    assert "tfx.function `" in msg and "relu_like" in msg
    assert "AutoGraph" in msg and "tfx.cond" in msg
    with pytest.raises(OperatorNotAllowedInGraphError, match=r"\.numpy\(\)"):
        tfx.function(lambda x: x.numpy())(c(1.0))
    with pytest.raises(OperatorNotAllowedInGraphError, match="float"):
        tfx.function(lambda x: float(x))(c(1.0))
    # a tensor from outside the function is a value Python may read
    k = c(2.0)
    assert float(tfx.function(lambda x: x * float(k))(c(3.0))) == 6.0


def test_an_op_failing_in_the_graph_names_the_op_and_line():
    @tfx.function
    def f(x, y):
        return x // y
    f(c([4, 6]), c([2, 3]))
    with pytest.raises(InvalidArgumentError) as e:
        f(c([4, 6]), c([0, 3]))
    assert "division by zero" in str(e.value) and re.search(r"test_function.py:\d+", str(e.value))


# ---- control flow -----------------------------------------------------------------------------

def test_cond_eagerly_and_in_graphs():
    assert tfx.cond(c(True), lambda: 1, lambda: 2) == 1
    assert float(tfx.cond(c(2.0) > 3.0, lambda: c(1.0), lambda: c(2.0))) == 2.0
    traced = []

    @tfx.function
    def f(x):
        def pos():
            traced.append("pos")
            return x * 2.0, tfx.reduce_sum(x)

        def neg():
            traced.append("neg")
            return -x, tfx.reduce_max(x)
        return tfx.cond(tfx.reduce_sum(x) > 0, pos, neg)
    a, s = f(c([1.0, 2.0]))
    np.testing.assert_allclose(a.numpy(), [2.0, 4.0])
    a, s = f(c([-1.0, -2.0]))
    np.testing.assert_allclose(a.numpy(), [1.0, 2.0])
    assert float(s) == -1.0
    assert traced == ["pos", "neg"] and f.experimental_get_tracing_count() == 1
    types = [o.type for o in f.get_concrete_function(c([1.0, 2.0])).graph.nodes]
    assert "cond" in types
    with pytest.raises(ValueError, match="same structure"):
        tfx.function(lambda x: tfx.cond(x > 0, lambda: x, lambda: (x, x)))(c(1.0))


def test_cond_branches_write_variables_only_when_taken():
    v = tfx.Variable(0.0)

    @tfx.function
    def f(x):
        tfx.cond(x > 0, lambda: v.assign_add(x), lambda: v.assign_sub(1.0))
        return v.read_value()
    assert float(f(c(2.0))) == 2.0
    assert float(f(c(-5.0))) == 1.0
    assert float(v) == 1.0


def test_while_loop_eagerly_and_in_graphs():
    i, s = tfx.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (c(0), c(0)))
    assert int(i) == 5 and int(s) == 10

    @tfx.function
    def total(n):
        _, s = tfx.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), (c(0), c(0)))
        return s
    assert int(total(c(5))) == 10 and int(total(c(100))) == 4950
    assert total.experimental_get_tracing_count() == 1

    @tfx.function
    def capped(x):
        return tfx.while_loop(lambda x: True, lambda x: x * 2.0, [x], maximum_iterations=3)
    assert float(capped(c(1.0))[0]) == 8.0
    with pytest.raises(ValueError, match="shape_invariants"):
        tfx.function(lambda x: tfx.while_loop(lambda x: tfx.size(x) < 4,
                                              lambda x: tfx.concat([x, x], 0), [x]))(c([1.0]))
    grow = tfx.function(lambda x: tfx.while_loop(
        lambda x: tfx.size(x) < 8, lambda x: tfx.concat([x, x], 0), [x],
        shape_invariants=[tfx.TensorShape([None])]))
    assert grow(c([1.0]))[0].shape == (8,)


def test_tf_agrees_on_control_flow_results():
    tf = pytest.importorskip("tensorflow")
    for lib in (tf, tfx):
        @lib.function
        def f(x):
            y = lib.cond(lib.reduce_sum(x) > 1.0, lambda: x * x, lambda: x + 1.0)
            _, z = lib.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, z * 1.5 + y),
                                  (lib.constant(0), y))
            return z
        out = [f(lib.constant(v)).numpy() for v in ([0.2, 0.3], [1.0, 2.0])]
        if lib is tf:
            want = out
    for g, w in zip(out, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)


# ---- gradients through graph functions ---------------------------------------------------------

def _model_fn(w, b):
    @tfx.function
    def f(x):
        h = tfx.nn.relu(tfx.matmul(x, w) + b)
        h = tfx.cond(tfx.reduce_sum(h) > 0, lambda: h * 2.0, lambda: h)
        _, h = tfx.while_loop(lambda i, h: i < 2, lambda i, h: (i + 1, tfx.tanh(h)), (c(0), h))
        return tfx.reduce_mean(tfx.square(h))
    return f


def test_gradients_flow_through_a_function_call_to_inputs_and_variables():
    rng = np.random.default_rng(1)
    w = tfx.Variable(rng.normal(size=(3, 4)))
    b = tfx.Variable(rng.normal(size=(4,)))
    x = c(rng.normal(size=(5, 3)))
    f = _model_fn(w, b)
    eager = f.python_function
    grads = []
    for fn in (f, eager):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        grads.append(tape.gradient(y, [x, w, b]))
    for g, e in zip(*grads):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-10)
    # second order through the call, against the eager function
    second = []
    for fn in (f, eager):
        with tfx.GradientTape() as outer:
            with tfx.GradientTape() as inner:
                y = fn(x)
            gw = inner.gradient(y, w)
            s = tfx.reduce_sum(gw * gw)
        second.append(outer.gradient(s, b))
    np.testing.assert_allclose(second[0].numpy(), second[1].numpy(), rtol=1e-10)


def test_gradients_inside_a_traced_function_match_eager():
    rng = np.random.default_rng(2)
    w = tfx.Variable(rng.normal(size=(3, 2)))

    def step(x):
        with tfx.GradientTape() as tape:
            h = tfx.matmul(x, w)
            y = tfx.cond(tfx.reduce_sum(h) > 0, lambda: tfx.reduce_sum(h * h),
                         lambda: tfx.reduce_sum(tfx.exp(h)))
        return tape.gradient(y, w)
    f = tfx.function(step)
    for _ in range(3):
        x = c(rng.normal(size=(4, 3)))
        np.testing.assert_allclose(f(x).numpy(), step(x).numpy(), rtol=1e-10)


def test_custom_gradient_in_a_graph_uses_the_custom_rule():
    @tfx.custom_gradient
    def clip_grad(x):
        return tfx.identity(x), lambda dy: tfx.clip_by_value(dy, -0.5, 0.5)

    def loss(x):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = tfx.reduce_sum(clip_grad(x) * 3.0)
        return y, tape.gradient(y, x)
    f = tfx.function(loss)
    y, g = f(c([1.0, 2.0]))
    assert float(y) == 9.0
    np.testing.assert_allclose(g.numpy(), [0.5, 0.5])


def test_nested_functions_inline_into_the_outer_graph():
    @tfx.function
    def inner(x):
        return x * 2.0

    @tfx.function
    def outer(x):
        return inner(x) + 1.0
    assert float(outer(c(3.0))) == 7.0
    types = [o.type for o in outer.get_concrete_function(c(3.0)).graph.nodes]
    assert types == ["multiply", "add"]


def test_structured_outputs_keep_none_dimensions():
    v = tfx.Variable(2.0)

    @tfx.function(input_signature=[tfx.TensorSpec([None, 3], tfx.float32)])
    def g(a):
        return a * v, tfx.reduce_sum(a), tfx.reshape(a, [-1])
    out = g.get_concrete_function().structured_outputs
    assert [tuple(o.shape.as_list()) for o in out] == [(None, 3), (), (None,)]
    assert g(tfx.ones([4, 3]))[2].shape == (12,)
