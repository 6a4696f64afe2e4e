"""``tfx.keras.tree``: Keras 3's nested-structure utilities (``keras.tree``).

A structure nests lists, tuples, namedtuples, dicts (``OrderedDict`` and ``defaultdict``
too) and deques; everything else, ``None`` and strings included, is a leaf. Dicts are walked
in sorted key order (an ``OrderedDict``, or keys that do not sort, in insertion order), and a
rebuilt dict keeps the original key order. Structures match only with the same container
types, lengths and keys (``assert_same_paths`` is the looser check).
"""
import collections
import warnings

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"]


class MAP_TO_NONE:  # noqa: N801 - Keras' name
    """Returned by a ``traverse`` function: put None in place of this subtree."""


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_node(x, none_is_leaf=True):
    if x is None:
        return not none_is_leaf
    return isinstance(x, (list, tuple, dict, collections.deque))


def _keys(d):
    if isinstance(d, collections.OrderedDict):
        return list(d)
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _entries(x):
    """(keys, children) of a node: dict keys, or positions."""
    if x is None:
        return [], []
    if isinstance(x, dict):
        keys = _keys(x)
        return keys, [x[k] for k in keys]
    return list(range(len(x))), list(x)


def _rebuild(x, children):
    """A node like ``x`` holding ``children`` (in ``_entries`` order)."""
    if x is None:
        return None
    if isinstance(x, dict):
        by_key = dict(zip(_keys(x), children))
        items = [(k, by_key[k]) for k in x]  # the original key order
        if isinstance(x, collections.defaultdict):
            return collections.defaultdict(x.default_factory, items)
        if isinstance(x, collections.OrderedDict):
            return collections.OrderedDict(items)
        return type(x)(items) if type(x) is not dict else dict(items)
    if isinstance(x, collections.deque):
        return collections.deque(children, maxlen=x.maxlen)
    if _is_namedtuple(x):
        return type(x)(*children)
    if isinstance(x, tuple):
        return tuple(children)
    return list(children)


def _kind(x):
    if isinstance(x, dict):
        return "dictionary"
    if _is_namedtuple(x):
        return "namedtuple"
    return type(x).__name__


def _check_same_node(a, b):
    """ValueError unless node ``b`` has ``a``'s container type, length and keys."""
    if _is_namedtuple(a) or _is_namedtuple(b):
        if type(a) is not type(b):
            raise ValueError(f"namedtuple type mismatch; expected type: {type(a)}, got type: "
                             f"{type(b)}; tuple: {b!r}.")
    elif isinstance(a, dict):
        if not isinstance(b, dict):
            raise ValueError(f"Expected an instance of dict, got {b!r}.")
        if set(a) != set(b):
            missing = [k for k in _keys(a) if k not in b]
            extra = [k for k in _keys(b) if k not in a]
            raise ValueError(f"dictionary key mismatch; expected key(s): {_keys(a)}, got "
                             f"key(s): {_keys(b)}, missing key(s): {missing}, extra key(s): "
                             f"{extra}; dict: {b!r}.")
        return
    elif type(a) is not type(b) and not (isinstance(a, type(b)) or isinstance(b, type(a))):
        raise ValueError(f"Expected an instance of {type(a).__name__}, got {b!r}.")
    if len(a) != len(b):
        raise ValueError(f"{_kind(a)} arity mismatch; expected: {len(a)}, got: {len(b)}; "
                         f"{_kind(a)}: {b!r}.")


def _flatten_into(x, out, none_is_leaf=True):
    if _is_node(x, none_is_leaf):
        for child in _entries(x)[1]:
            _flatten_into(child, out, none_is_leaf)
    else:
        out.append(x)


def flatten(structure):
    """The leaves of ``structure``, in order (a leaf alone: ``[leaf]``)."""
    out = []
    _flatten_into(structure, out)
    return out


def flatten_with_path(structure):
    """``[(path, leaf), ...]``: each path the tuple of keys and positions down to the leaf."""
    out = []

    def walk(x, path):
        if _is_node(x):
            for k, child in zip(*_entries(x)):
                walk(child, path + (k,))
        else:
            out.append((path, x))
    walk(structure, ())
    return out


def is_nested(structure):
    """True for a list, tuple, namedtuple, dict or deque (empty ones too)."""
    return _is_node(structure)


def pack_sequence_as(structure, flat_sequence):
    """``flat_sequence``'s items put in ``structure``'s shape (the inverse of ``flatten``);
    ValueError when the counts differ."""
    flat = list(flat_sequence)
    expected = len(flatten(structure))
    if len(flat) != expected:
        which = "few" if len(flat) < expected else "many"
        raise ValueError(f"Too {which} leaves for the structure; expected: {expected}, got: "
                         f"{len(flat)}.")
    it = iter(flat)

    def build(x):
        if _is_node(x):
            return _rebuild(x, [build(c) for c in _entries(x)[1]])
        return next(it)
    return build(structure)


def _map(func, structures, none_is_leaf, is_leaf=None):
    first = structures[0]

    def go(xs):
        x = xs[0]
        leaf = is_leaf(x) if is_leaf is not None else not _is_node(x, none_is_leaf)
        if leaf:
            return func(*xs)
        for other in xs[1:]:
            _check_same_node(x, other)
        columns = [_entries(o)[1] if not isinstance(x, dict) else [o[k] for k in _keys(x)]
                   for o in xs]
        return _rebuild(x, [go(list(c)) for c in zip(*columns)])
    return go([first] + list(structures[1:]))


def map_structure(func, *structures, none_is_leaf=True):
    """``func`` applied leaf by leaf across ``structures`` (which must match), in the first
    structure's shape. ``none_is_leaf=False``: None is an empty container, passed over."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    return _map(func, structures, none_is_leaf)


def assert_same_structure(a, b, check_types=None):
    """ValueError unless ``a`` and ``b`` nest the same containers (types, lengths, keys);
    the leaves may differ."""
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect. "
                      "For a looser check, use `keras.tree.assert_same_paths()`, which "
                      "considers `list`, `tuple`, `namedtuple` and `deque` as matching",
                      DeprecationWarning, stacklevel=2)
    def check(x, y):
        if _is_node(x) != _is_node(y):
            raise ValueError(f"Structures don't have the same nested structure.\n{x!r} in "
                             f"the first structure stands where {y!r} is in the second.")
    _map(check, (a, b), True)


def assert_same_paths(a, b):
    """ValueError unless ``a`` and ``b`` have the same leaf paths (a list and a tuple of the
    same length match here)."""
    pa = {p for p, _ in flatten_with_path(a)}
    pb = {p for p, _ in flatten_with_path(b)}
    if pa != pb:
        raise ValueError("`a` and `b` don't have the same paths.\nPaths in `a` missing in "
                         f"`b`:\n{pa - pb}\nPaths in `b` missing in `a`:\n{pb - pa}")


def lists_to_tuples(structure):
    """``structure`` with every list turned into a tuple."""
    def convert(x):
        if not _is_node(x):
            return x
        children = [convert(c) for c in _entries(x)[1]]
        return tuple(children) if isinstance(x, list) else _rebuild(x, children)
    return convert(structure)


def map_structure_up_to(shallow_structure, func, *structures):
    """``func`` applied to the subtrees of ``structures`` found at the leaves of
    ``shallow_structure`` (each structure must match it down to there)."""
    if not structures:
        raise ValueError("Must provide at least one structure")

    def go(shallow, xs):
        if not _is_node(shallow):
            return func(*xs)
        for x in xs:
            _check_same_node(shallow, x)
        keys = _entries(shallow)[0]
        sub = [[x[k] if isinstance(shallow, dict) else list(x)[k] for x in xs] for k in keys]
        return _rebuild(shallow, [go(s, c) for s, c in zip(_entries(shallow)[1], sub)])
    return go(shallow_structure, list(structures))


def _is_shape(x):
    return isinstance(x, (list, tuple)) and not _is_namedtuple(x) and \
        all(isinstance(d, int) or d is None for d in x)


def map_shape_structure(func, structure):
    """``map_structure`` where a list or tuple of ints and Nones (a shape) is a leaf."""
    return _map(func, (structure,), True, is_leaf=lambda x: _is_shape(x) or not _is_node(x))


def traverse(func, structure, top_down=True):
    """Rebuild ``structure`` through ``func``. Top-down, ``func`` sees each subtree first: a
    result other than None replaces it (``MAP_TO_NONE``: by None), None descends into it.
    Bottom-up, ``func`` sees each subtree rebuilt from its traversed children: None keeps
    it."""
    def result(r, keep):
        if r is MAP_TO_NONE:
            return None
        return keep if r is None else r

    def down(x):
        r = func(x)
        if r is not None:
            return result(r, x)
        if _is_node(x):
            return _rebuild(x, [down(c) for c in _entries(x)[1]])
        return x

    def up(x):
        if _is_node(x):
            x = _rebuild(x, [up(c) for c in _entries(x)[1]])
        return result(func(x), x)
    return down(structure) if top_down else up(structure)
