"""The spec layer: YAML with positions -> overrides -> schema and registry checks."""
