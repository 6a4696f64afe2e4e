"""`tfx schema` knows the built-ins and every loaded plugin, and accepts the example specs."""
import glob
import os

import pytest
import yaml

from tfx.cli.spec.json_schema import build_schema

jsonschema = pytest.importorskip("jsonschema")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def schema():
    from tfx.plugins import load_plugin
    for p in ("huber", "components", "layers", "models", "datasets"):
        load_plugin(os.path.join(ROOT, "plugins", p + ".py"))
    return build_schema()


@pytest.fixture(scope="module")
def validator(schema):
    # jsonschema.validate() checks the schema itself on every call (seconds for this one).
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "configs", "*.yaml"))))
def test_example_specs_validate(validator, path):
    with open(path) as f:
        validator.validate(yaml.safe_load(f))


def test_typos_are_rejected(validator):
    bad = {"data": {"train": {"path": "x.csv", "target": "y"}},
           "model": [{"Dense": {"units": 3, "activaton": "relu"}}]}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
    bad = {"data": {"train": {"path": "x.csv", "target": "y"}},
           "model": [{"Dense": {"units": 3}}], "trainr": {}}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
    bad = {"data": {"train": {"path": "x.csv", "target": "y"}},
           "model": [{"Dense": {"units": 3}}], "training": {"backup": {"every_batchs": 3}}}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


def test_plugin_components_appear_with_their_arguments(schema):
    items = schema["properties"]["model"]["anyOf"][0]["items"]["anyOf"]
    assert "MyDense" in items[0]["enum"]
    single = [v for v in items if v.get("required") == ["MyDense"]][0]
    assert "units" in single["properties"]["MyDense"]["properties"]
    losses = schema["$defs"]["TrainingSpec"]["properties"]["loss"]["anyOf"][0]["anyOf"][0]
    assert "HuberLoss" in losses["enum"] and "huber" in losses["enum"]
