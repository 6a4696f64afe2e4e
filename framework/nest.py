"""Nested structures (lists, tuples, namedtuples, dicts) as ``tf.nest`` treats them."""

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested", "assert_same_structure"]


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def _items(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x, key=_sort_key)]
    return list(x)


def _sort_key(k):
    return (type(k).__name__, k) if not isinstance(k, str) else ("", k)


def flatten(structure, expand_composites=False):
    cls = structure.__class__
    if cls is list or cls is tuple:
        for x in structure:  # the common flat case, without recursion
            if isinstance(x, (list, tuple, dict)):
                break
        else:
            return list(structure)
    elif not is_nested(structure):
        return [structure]
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out):
    if is_nested(s):
        for v in _items(s):
            _flatten_into(v, out)
    else:
        out.append(s)


def _pack(structure, flat, i):
    if not is_nested(structure):
        return flat[i], i + 1
    if isinstance(structure, dict):
        keys = sorted(structure, key=_sort_key)
        vals = {}
        for k in keys:
            vals[k], i = _pack(structure[k], flat, i)
        return type(structure)((k, vals[k]) for k in structure), i
    vals = []
    for v in structure:
        p, i = _pack(v, flat, i)
        vals.append(p)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*vals), i
    return type(structure)(vals), i


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    if structure.__class__ is list and len(structure) == len(flat_sequence):
        for x in structure:
            if isinstance(x, (list, tuple, dict)):
                break
        else:
            return list(flat_sequence)
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Structure had {n} atoms, but flat_sequence had "
                         f"{len(flat_sequence)} items.")
    return _pack(structure, flat_sequence, 0)[0]


def assert_same_structure(a, b, check_types=True, expand_composites=False):
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {a}\n\nSecond structure: {b}")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b):
        raise TypeError(f"The two structures don't have the same sequence type. "
                        f"First structure has type {type(a)}, while second structure has type "
                        f"{type(b)}.")
    if isinstance(a, dict) and set(a) != set(b):
        raise ValueError(f"The two dictionaries don't have the same set of keys: {list(a)} "
                         f"vs {list(b)}")
    ia, ib = _items(a), _items(b)
    if len(ia) != len(ib):
        raise ValueError(f"The two structures don't have the same number of elements: "
                         f"{len(ia)} vs {len(ib)}")
    for x, y in zip(ia, ib):
        assert_same_structure(x, y, check_types)


def map_structure(func, *structures, **kwargs):
    if not structures:
        raise ValueError("Must provide at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s, kwargs.get("check_types", True))
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])
