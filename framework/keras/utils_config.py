"""``tfx.keras.utils.Config``: a dict of named settings also reachable as attributes, that can be
frozen against changes and written as JSON (Keras 3's ``keras.utils.Config``)."""
import difflib
import json

__all__ = ["Config"]

# The object's own state; every other attribute name is a config entry.
_OWN = frozenset({"_config", "_frozen"})


class Config:
    """``Config(learning_rate=0.1)``; then ``config.momentum = 0.9`` or
    ``config["momentum"] = 0.9``, read back either way. ``freeze()`` makes every change a
    ValueError until ``unfreeze()``; ``as_dict()`` and ``to_json()`` export it. Iterating gives
    the keys in sorted order."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self):
        """True while changes are refused."""
        return self._frozen

    def freeze(self):
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        object.__setattr__(self, "_frozen", False)

    def _check_unfrozen(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    # -- attribute access: entries, except the class's own names ------------------------------
    def __setattr__(self, name, value):
        if name in _OWN or hasattr(type(self), name):
            object.__setattr__(self, name, value)
            return
        self._check_unfrozen()
        self._config[name] = value

    def __getattr__(self, name):  # only called for names that are not real attributes
        config = self.__dict__.get("_config", {})
        if name in config:
            return config[name]
        msg = f"Unknown attribute: '{name}'."
        near = difflib.get_close_matches(name, list(config), n=1, cutoff=0.7)
        if near:
            msg += f" Did you mean '{near[0]}'?"
        raise AttributeError(msg)

    # -- the dict side ------------------------------------------------------------------------
    def __getitem__(self, key):
        return self._config[key]

    def __setitem__(self, key, value):
        self._check_unfrozen()
        self._config[key] = value

    def __delitem__(self, key):
        self._check_unfrozen()
        del self._config[key]

    def __contains__(self, key):
        return key in self._config

    def __len__(self):
        return len(self._config)

    def __iter__(self):
        return iter(sorted(self._config))

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def get(self, key, default=None):
        return self._config.get(key, default)

    def pop(self, *args):
        self._check_unfrozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        self._check_unfrozen()
        self._config.update(*args, **kwargs)

    def as_dict(self):
        """A shallow copy of the entries as a plain dict."""
        return dict(self._config)

    def to_json(self):
        return json.dumps(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"
