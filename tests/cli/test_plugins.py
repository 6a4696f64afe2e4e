"""Plugins: loading rules, the registry's conflict error, and the plugin commands."""
import os
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

import tfx
from tfx.cli.app import app
from tfx.plugins import load_plugin
from tfx.registry import RegistryConflictError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
runner = CliRunner()


def _write(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


def test_loading_twice_is_harmless(tmp_path):
    p = _write(tmp_path, "twice.py", """
        import tfx
        @tfx.register("twice", kind="activation")
        def twice_act(x):
            return x * 2
    """)
    a = load_plugin(str(p))
    b = load_plugin(str(p))
    assert a is b
    assert tfx.registry.lookup("twice>twice_act").source.endswith("twice.py")


def test_two_plugins_claiming_one_name_name_both_sources(tmp_path):
    body = """
        import tfx
        @tfx.register("clash", kind="activation")
        def same_name(x):
            return x
    """
    load_plugin(str(_write(tmp_path, "first.py", body)))
    with pytest.raises(RegistryConflictError) as e:
        load_plugin(str(_write(tmp_path, "second.py", body)))
    assert "first.py" in str(e.value) and "second.py" in str(e.value)


@pytest.mark.parametrize("kind", ["loss", "metric", "layer", "model", "activation",
                                  "initializer", "regularizer", "constraint"])
def test_new_writes_a_plugin_that_passes_check(tmp_path, kind):
    r = runner.invoke(app, ["plugins", "new", f"my_{kind}", "--kind", kind, "--dir",
                            str(tmp_path), "--package", f"t_{kind}"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / f"my_{kind}.py").exists() and (tmp_path / f"test_my_{kind}.py").exists()
    r = runner.invoke(app, ["plugins", "check", str(tmp_path / f"my_{kind}.py")])
    assert r.exit_code == 0, r.output
    assert "0 failed" in r.output


def test_check_catches_a_wrong_gradient(tmp_path):
    p = _write(tmp_path, "wrong_grad.py", """
        import tfx

        @tfx.custom_gradient
        def _bad_square(x):
            return x * x, lambda dy: dy * x   # should be 2 * x * dy

        @tfx.register("wrong", kind="activation")
        def bad_square(x):
            return _bad_square(x)
    """)
    r = runner.invoke(app, ["plugins", "check", str(p)])
    assert r.exit_code == 1
    assert "fail" in r.output and "gradients" in r.output


def test_check_catches_a_config_that_does_not_round_trip(tmp_path):
    p = _write(tmp_path, "bad_config.py", """
        import tfx

        @tfx.register("badcfg")
        class Scale(tfx.keras.layers.Layer):
            def __init__(self, factor=2.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def call(self, x):
                return x * self.factor

            def get_config(self):
                return super().get_config()   # forgets factor
    """)
    r = runner.invoke(app, ["plugins", "check", str(p)])
    assert r.exit_code == 1
    assert "config round trip" in r.output


def test_the_books_plugins_pass_check():
    for name in ("huber", "components", "layers", "models"):
        r = runner.invoke(app, ["plugins", "check", os.path.join(ROOT, "plugins", name + ".py")])
        assert r.exit_code == 0, (name, r.output)


def test_list_shows_plugins_from_the_environment(tmp_path):
    p = _write(tmp_path, "envplug.py", """
        import tfx
        @tfx.register("envpkg", kind="activation")
        def env_act(x):
            return x
    """)
    env = {**os.environ, "TFX_PLUGINS": str(p), "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "plugins", "list"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "envpkg>env_act" in r.stdout and "activation" in r.stdout


SCALE_PLUGIN = """
    import tfx

    @tfx.register("testing")
    class ScaleLayer(tfx.keras.layers.Layer):
        \"\"\"Multiplies its input by a constant factor.\"\"\"

        def __init__(self, factor=2.0, use_offset=False, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor
            self.use_offset = use_offset

        def call(self, x):
            return x * self.factor + (1.0 if self.use_offset else 0.0)
"""


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tfx.cli.app", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_a_plugin_layer_in_the_schema_the_model_file_and_eval(tmp_path):
    import json
    import numpy as np
    plugin = _write(tmp_path, "scale_plugin.py", SCALE_PLUGIN)
    r = _cli("schema", "--plugin", plugin)
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)["properties"]["model"]["anyOf"][0]["items"]["anyOf"]
    single = [v for v in items if v.get("required") == ["ScaleLayer"]][0]
    args = single["properties"]["ScaleLayer"]["properties"]
    assert args["factor"]["type"] == "number" and args["factor"]["default"] == 2.0
    assert args["use_offset"]["type"] == "boolean"
    assert "constant factor" in single["description"]

    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(f"""
        seed: 1
        plugins: [scale_plugin.py]
        data:
          train: {{path: {ROOT}/configs/data/housing.csv, target: MedHouseVal}}
        model:
          - Dense: {{units: 4}}
          - ScaleLayer: {{factor: 0.5}}
          - Dense: {{units: 1}}
        training: {{epochs: 1, loss: mse, verbose: 0}}
        output: {{plots: false, tensorboard: false}}
    """))
    r = _cli("train", spec, "-o", tmp_path / "run")
    assert r.returncode == 0, r.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "m.tfx").write_bytes((tmp_path / "run" / "model.tfx").read_bytes())
    np.savez(elsewhere / "d.npz", x=np.ones((4, 8), np.float32), y=np.ones((4, 1), np.float32))
    r = _cli("eval", "m.tfx", "--data", "d.npz", cwd=elsewhere)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "'testing>ScaleLayer' was registered by plugin " in r.stderr
    assert "scale_plugin.py: load that plugin" in r.stderr
    r = _cli("eval", "m.tfx", "--data", "d.npz", "--json", "--plugin", plugin, cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert set(json.loads(r.stdout)) == {"loss"}
