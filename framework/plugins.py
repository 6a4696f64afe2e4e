"""Loading plugins: Python modules that register components in the one registry.

Sources: installed packages' ``tfx.plugins`` entry points, module names or file paths (a
spec's ``plugins:``, ``--plugin``, ``TFX_PLUGINS``). Loading one twice is harmless; two
plugins claiming one name raise ``RegistryConflictError`` naming both. A model file never
names a module to import: only these explicit sources run code.
"""
import hashlib
import importlib
import importlib.util
import os
import sys

from .registry import loading_source

__all__ = ["load_plugin", "load_plugins", "load_entry_point_plugins", "env_plugins",
           "PluginError", "loaded"]

ENTRY_POINT_GROUP = "tfx.plugins"
_LOADED = {}  # source key -> module


class PluginError(ImportError):
    """A plugin could not be found or failed while loading."""


def loaded():
    return dict(_LOADED)


def _key_for_path(path):
    return os.path.realpath(path)


def load_plugin(source, base_dir=None):
    """Import a plugin from a file path (``plugins/huber.py``) or a module name
    (``my_pkg.tfx_plugin``). Returns the module; a second load returns the first."""
    src = str(source)
    looks_like_path = src.endswith(".py") or os.sep in src or src.startswith(".")
    if looks_like_path:
        path = src if os.path.isabs(src) or base_dir is None else os.path.join(base_dir, src)
        if not os.path.exists(path) and base_dir is not None and os.path.exists(src):
            path = src
        if not os.path.isfile(path):
            raise PluginError(f"plugin file not found: {src}")
        key = _key_for_path(path)
        if key in _LOADED:
            return _LOADED[key]
        name = "tfx_plugin_" + os.path.splitext(os.path.basename(path))[0] + "_" + \
            hashlib.sha1(key.encode()).hexdigest()[:8]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise PluginError(f"cannot load plugin file {src}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        label = os.path.relpath(path) if not os.path.isabs(src) else path
        try:
            with loading_source(f"plugin {label}"):
                spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        _LOADED[key] = module
        return module
    if src in _LOADED:
        return _LOADED[src]
    if src in sys.modules:
        _LOADED[src] = sys.modules[src]
        return sys.modules[src]
    try:
        with loading_source(f"plugin module {src}"):
            module = importlib.import_module(src)
    except ModuleNotFoundError as e:
        if e.name == src or (e.name and src.startswith(e.name)):
            raise PluginError(f"plugin module not found: {src}") from None
        raise
    _LOADED[src] = module
    return module


def env_plugins():
    """Plugins listed in ``TFX_PLUGINS`` (separated by ``os.pathsep`` or commas)."""
    raw = os.environ.get("TFX_PLUGINS", "")
    parts = []
    for chunk in raw.split(os.pathsep):
        parts.extend(p.strip() for p in chunk.split(",") if p.strip())
    return parts


def load_plugins(sources, base_dir=None):
    return [load_plugin(s, base_dir) for s in sources]


def load_entry_point_plugins():
    """Import every installed package's ``tfx.plugins`` entry point (once)."""
    from importlib.metadata import entry_points
    out = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        key = f"entry-point {ep.name} ({ep.value})"
        if key in _LOADED:
            continue
        dist = getattr(ep, "dist", None)
        label = f"package {dist.name} {dist.version}" if dist is not None else key
        with loading_source(label):
            module = ep.load()
        _LOADED[key] = module
        out.append(module)
    return out
