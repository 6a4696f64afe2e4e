"""The ``tfx`` command: YAML specs in, trained and evaluated models out."""
