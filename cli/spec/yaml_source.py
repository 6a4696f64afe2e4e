"""YAML loading that remembers where every value came from (line and column)."""
import yaml

__all__ = ["Source", "load_yaml", "YamlSyntaxError"]


class YamlSyntaxError(ValueError):
    def __init__(self, path, line, col, message):
        super().__init__(message)
        self.path, self.line, self.col, self.message = path, line, col, message


class Source:
    """Parsed data plus ``positions``: dotted path tuple -> (line, col), both 1-based."""

    def __init__(self, path, text, data, positions):
        self.path = path
        self.text = text
        self.data = data
        self.positions = positions
        self.lines = text.splitlines()

    def where(self, loc):
        """Best position for a path: itself, else its nearest recorded ancestor."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def key_position(self, loc):
        return self.positions.get(("__key__",) + tuple(loc))


def _construct(node, path, positions):
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for knode, vnode in node.value:
            key = yaml.safe_load(yaml.serialize(knode)) if not isinstance(
                knode, yaml.ScalarNode) else _scalar(knode)
            positions[("__key__",) + path + (key,)] = (knode.start_mark.line + 1,
                                                       knode.start_mark.column + 1)
            if key in out:
                raise YamlSyntaxError(None, knode.start_mark.line + 1,
                                      knode.start_mark.column + 1, f"duplicate key {key!r}")
            out[key] = _construct(vnode, path + (key,), positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), positions) for i, v in enumerate(node.value)]
    return _scalar(node)



def _scalar(node):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load_yaml(path, text=None):
    if text is None:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(path, line, col, f"invalid YAML: {e.problem or e}") from None
    positions = {}
    try:
        data = {} if node is None else _construct(node, (), positions)
    except YamlSyntaxError as e:
        e.path = path
        raise
    return Source(path, text, data, positions)
