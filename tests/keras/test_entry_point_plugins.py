"""An installed package's `tfx.plugins` entry point is loaded when a saved name is missing."""
import os
import subprocess
import sys
import textwrap


def test_missing_name_loads_installed_entry_point(tmp_path):
    pkg = tmp_path / "site"
    (pkg / "acme_plug").mkdir(parents=True)
    (pkg / "acme_plug" / "__init__.py").write_text(textwrap.dedent("""
        import tfx
        @tfx.register("acme", kind="activation")
        def acme_act(x):
            return x * 3
    """))
    dist = pkg / "acme_plug-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plug\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tfx.plugins]\nacme = acme_plug\n")
    model_path = tmp_path / "m.tfx"
    save = textwrap.dedent(f"""
        import numpy as np, tfx, acme_plug
        m = tfx.keras.Sequential([tfx.keras.Input((2,)),
                                  tfx.keras.layers.Dense(1, activation=acme_plug.acme_act)])
        m.save({str(model_path)!r})
        print(m.predict(np.ones((1, 2), np.float32), verbose=0)[0, 0])
    """)
    load = textwrap.dedent(f"""
        import sys, numpy as np, tfx
        m = tfx.keras.models.load_model({str(model_path)!r})
        assert "acme_plug" in sys.modules  # brought in by the entry point, not by the file
        print(m.predict(np.ones((1, 2), np.float32), verbose=0)[0, 0])
    """)
    env = {**os.environ, "PYTHONPATH": str(pkg) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    a = subprocess.run([sys.executable, "-c", save], capture_output=True, text=True, env=env)
    assert a.returncode == 0, a.stderr
    b = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, env=env)
    assert b.returncode == 0, b.stderr
    assert a.stdout == b.stdout
