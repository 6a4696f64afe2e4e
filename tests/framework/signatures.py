"""Compare the Python signature of a TensorFlow / Keras callable with tfx's (shared by the
signature tests): the parameters TensorFlow has that tfx lacks, defaults that differ, and the
order of the parameters both have. A tfx extra parameter is allowed (tfx may offer more)."""
import inspect


def _params(f):
    try:
        sig = inspect.signature(f.__init__ if inspect.isclass(f) else f)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        text = "<req>" if p.default is p.empty else repr(p.default)
        # tf.float32 and tfx.float32 print differently but are the same default.
        out.append((p.name, text.replace("tfx.", "tf.")))
    return out


def resolve(root, dotted):
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


def signature_issues(reference, ours, ignore=()):
    """Differences of ``ours`` from ``reference`` as readable strings (empty: they agree);
    parameters named in ``ignore`` are left out of the comparison."""
    pa, pb = _params(reference), _params(ours)
    if pa is None or pb is None or pa == pb:
        return []
    pa = [(k, v) for k, v in pa if k not in ignore]
    db = dict(pb)
    issues = []
    for k, v in pa:
        if k not in db:
            issues.append(f"missing {k}={v}")
        # A required reference parameter, or a default that is an object, matches anything.
        elif db[k] != v and not (v.startswith("<") or "object at" in v or "function" in v):
            issues.append(f"{k}: reference {v}, ours {db[k]}")
    common_a = [k for k, _ in pa if k in db]
    common_b = [k for k, _ in pb if k in dict(pa)]
    if common_a != common_b:
        issues.append(f"order: reference {common_a}, ours {common_b}")
    return issues
