"""tfx.variable_creator_scope: creators see TensorFlow's keyword arguments, nest innermost
first, stay in their thread, and leave variables alone outside the scope."""
import threading

import pytest

import tfx


def test_creators_change_and_see_the_arguments():
    seen = []

    def freeze(next_creator, **kw):
        kw["trainable"] = False
        kw["name"] = "renamed"
        return next_creator(**kw)

    def outer(next_creator, **kw):
        seen.append(kw)
        return next_creator(**kw)

    with tfx.variable_creator_scope(outer):
        with tfx.variable_creator_scope(freeze):
            v = tfx.Variable(1.0, name="x")
    assert not v.trainable and v.name == "renamed:0"
    assert seen[0]["name"] == "renamed"  # the inner creator ran first
    assert tfx.Variable(2.0).trainable


def test_argument_names_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    names = {}
    for lib in (tfx, tf):
        def record(next_creator, lib=lib, **kw):
            names[lib.__name__] = sorted(kw)
            return next_creator(**kw)
        with lib.variable_creator_scope(record):
            lib.Variable(1.0)
    assert names["tfx"] == names["tensorflow"]


def test_subclasses_bypass_and_creators_may_replace():
    made = []

    def count(next_creator, **kw):
        v = next_creator(**kw)
        made.append(v.name)
        return v

    with tfx.variable_creator_scope(count):
        layer = tfx.keras.layers.Dense(3)  # Keras weights: a Variable subclass, made directly
        layer.build((None, 2))
        tfx.Variable(0.0, name="plain")
    assert made == ["plain:0"]
    with tfx.variable_creator_scope(lambda next_creator, **kw: "not a variable"):
        assert tfx.Variable(1.0) == "not a variable"


def test_scopes_are_per_thread():
    flags = []

    def freeze(next_creator, **kw):
        kw["trainable"] = False
        return next_creator(**kw)

    with tfx.variable_creator_scope(freeze):
        t = threading.Thread(target=lambda: flags.append(tfx.Variable(1.0).trainable))
        t.start()
        t.join()
        flags.append(tfx.Variable(1.0).trainable)
    assert flags == [True, False]
