"""A corpus of typos: every key, component name and CSV column of every example spec, misspelt
one at a time, checked by one real ``tfx validate --errors json`` run. Every typo must be caught
at its own line; the first suggestion must be the word meant in at least 90% of cases."""
import json
import os
import shutil
import subprocess
import sys

from tfx.cli.spec.yaml_source import load_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "configs")

# Keys whose value is a component name (a layer, loss, activation, ...).
_NAME_KEYS = {"type", "activation", "recurrent_activation", "optimizer", "loss", "loader",
              "class", "layer", "backward_layer", "cell", "target"}
_NAME_LISTS = {"metrics", "callbacks", "features", "target"}
# Mappings whose keys the user chooses (input and output names, class ids): not typos.
_USER_KEYED = {("model", "inputs"), ("model", "outputs"), ("training", "class_weight"),
               ("training", "loss_weights")}


def _is_name_key(key):
    return key in _NAME_KEYS or str(key).endswith(("_initializer", "_regularizer",
                                                   "_constraint"))


def _words(data, loc=()):
    """(loc, word, is_key) for every key and component name in the spec."""
    if isinstance(data, dict):
        user_keyed = loc in _USER_KEYED or (loc in (("training", "loss"),
                                                    ("training", "metrics")) and
                                            "type" not in data)
        for k, v in data.items():
            if not user_keyed and isinstance(k, str):
                yield loc + (k,), k, True
            if isinstance(v, str) and _is_name_key(k) and not user_keyed:
                yield loc + (k,), v, False
            elif isinstance(v, str) and user_keyed and loc[:2] == ("training", "loss"):
                yield loc + (k,), v, False
            elif isinstance(v, (dict, list)) and not (loc in _USER_KEYED and
                                                      loc != ("model", "inputs")):
                yield from _words(v, loc + (k,))
    elif isinstance(data, list):
        names = loc == ("model",) or (loc and loc[-1] in _NAME_LISTS)
        for i, v in enumerate(data):
            if isinstance(v, str) and names:
                yield loc + (i,), v, False
            elif isinstance(v, (dict, list)):
                yield from _words(v, loc + (i,))


def _misspell(word, n):
    """One deterministic misspelling, by turns: two letters swapped, one dropped, one doubled
    (short words always get a doubled letter: what is left of them when cut is ambiguous)."""
    if len(word) <= 4:
        return word + word[-1]
    mid = len(word) // 2
    kind = n % 3
    if kind == 0 and word[mid - 1] != word[mid]:
        return word[:mid - 1] + word[mid] + word[mid - 1] + word[mid + 1:]
    if kind == 1:
        return word[:mid] + word[mid + 1:]
    return word[:mid] + word[mid] + word[mid:]


def _corpus(out_dir):
    cases = []
    for name in sorted(f for f in os.listdir(CONFIGS) if f.endswith(".yaml")):
        source = load_yaml(os.path.join(CONFIGS, name))
        lines = source.text.splitlines(keepends=True)
        for loc, word, is_key in _words(source.data):
            pos = source.key_position(loc) if is_key else source.positions.get(loc)
            line, col = pos
            text = lines[line - 1]
            start = col - 1 + (text[col - 1] in "'\"")
            assert text[start:start + len(word)] == word, (name, loc, word)
            typo = _misspell(word, len(cases))
            path = os.path.join(out_dir, f"{name[:-5]}__{len(cases)}.yaml")
            changed = list(lines)
            changed[line - 1] = text[:start] + typo + text[start + len(word):]
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(changed))
            cases.append((path, line, word, typo))
    return cases


def test_every_typo_is_caught_at_its_line_with_the_right_suggestion(tmp_path):
    specs = tmp_path / "configs"
    specs.mkdir()
    os.symlink(os.path.join(CONFIGS, "data"), specs / "data")
    shutil.copytree(os.path.join(ROOT, "plugins"), tmp_path / "plugins",
                    ignore=shutil.ignore_patterns("__pycache__"))
    cases = _corpus(str(specs))
    assert len(cases) > 200
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "validate",
                        *[c[0] for c in cases], "--errors", "json"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2, r.stderr
    by_file = {}
    for p in json.loads(r.stdout):
        by_file.setdefault(p["file"], []).append(p)
    missed, wrong = [], []
    for path, line, word, typo in cases:
        here = [p for p in by_file.get(path, []) if p["line"] == line]
        if not here:
            missed.append((os.path.basename(path), line, typo, by_file.get(path)))
        elif not any(p["suggestions"][:1] == [word] for p in here):
            wrong.append((os.path.basename(path), typo, word, [p["suggestions"] for p in here]))
    assert not missed, missed
    assert len(wrong) <= 0.1 * len(cases), wrong
