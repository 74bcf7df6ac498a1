"""Fuzzing the settings: `[tool.tfmend]` and rule files with one wrong value or key each make
`tfmend check` exit 2 with exactly one message, `file:line: field: ...`, and no traceback."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzzing import FIGURES, scaled
from tfmend.catalog.rules import TARGETS
from tfmend.cli.main import main

pytestmark = pytest.mark.fuzz

SCALARS = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
"""Values TOML and YAML both have (no null: TOML has none)."""

YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
KEY_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True).filter(
    lambda key: key not in YAML_WORDS
)
"""Names of unknown keys (YAML reads the words it reads as booleans or null as keys too)."""


def toml(value: Any) -> str:
    """A value as TOML, on one line (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if not isinstance(value, float) or math.isfinite(value) else "0.0"
    if isinstance(value, str):
        # JSON's escapes are TOML's; TOML also wants DEL escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml(k)} = {toml(v)}" for k, v in value.items()) + "}"


def is_codes(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def is_version(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def is_versions(value: Any) -> bool:
    return isinstance(value, dict) and all(
        (key == "legacy-keras" and isinstance(v, bool))
        or (key in ("tensorflow", "keras") and is_version(v))
        for key, v in value.items()
    )


def is_pattern(value: str) -> bool:
    import pathspec

    try:
        pathspec.PathSpec.from_lines("gitwildmatch", [value])
    except ValueError:
        return False
    return True


VALID = {
    "select": is_codes,
    "ignore": is_codes,
    "exclude": lambda v: is_codes(v) and all(is_pattern(p) for p in v),
    "extend-rules": lambda v: v == [],  # no rule file exists under a random name
    "per-file-ignores": lambda v: (
        isinstance(v, dict) and all(is_pattern(p) and is_codes(c) for p, c in v.items())
    ),
    "target": lambda v: v in TARGETS or is_versions(v),
    "versions": is_versions,
    "unsafe-fixes": lambda v: isinstance(v, bool),
    "python": lambda v: isinstance(v, str) and bool(v),
}
"""What each setting accepts (docs/configuration.md), to tell a wrong value from a right one."""

GOOD = {"select": '["TFM4"]', "unsafe-fixes": "false", "target": '"tensorflow"'}
"""Right settings around the wrong one."""


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`tfmend check` in process on a one-line model; its exit code and stderr."""
    (root / "model.py").write_text("import keras.backend as K\ny = K.mean(x)\n")
    capsys.readouterr()
    code = main(["check", str(root / "model.py"), "--no-surface", "--no-progress", *args])
    captured = capsys.readouterr()
    return code, captured.err


def one_located_error(stderr: str, path: Path, lines: range, field: str) -> None:
    """Check that stderr is one message pointing at the file, one of the lines, the field."""
    messages = stderr.splitlines()
    assert len(messages) == 1, stderr
    found = re.fullmatch(rf"tfmend: {re.escape(str(path))}:(\d+): (.+)", messages[0])
    assert found, messages[0]
    assert int(found.group(1)) in lines, (messages[0], lines)
    rest = found.group(2)
    # The field, or a key inside it (`.key`, `[0]`), then the message.
    assert rest.startswith(field), (messages[0], field)
    assert rest[len(field)] in ":.[", (messages[0], field)


@st.composite
def wrong_settings(draw: st.DrawFn) -> tuple[str, range, str]:
    """A pyproject.toml with one wrong setting: its text, the lines it is on, its field."""
    layout = draw(st.sampled_from(("keys", "dotted", "subtable")))
    kind = draw(st.sampled_from(("value", "value", "unknown-key", "nested")))
    good = dict(GOOD)
    if kind == "unknown-key":
        key = draw(KEY_NAMES)
        assume(key not in VALID)
        value = draw(VALUES)
        field = f"tool.tfmend.{key}"
    elif kind == "nested":
        key = draw(st.sampled_from(("versions", "per-file-ignores")))
        inner = draw(st.sampled_from(("tensorflow", "legacy-keras")) | KEY_NAMES)
        value = {inner: draw(VALUES)}
        assume(not VALID[key](value))
        field = f"tool.tfmend.{key}"
    else:
        key = draw(st.sampled_from(sorted(VALID)))
        value = draw(VALUES)
        assume(not VALID[key](value))
        field = f"tool.tfmend.{key}"
    good.pop(key, None)
    if key == "target":
        good.pop("versions", None)
    lines = ["[project]", 'name = "demo"', ""]
    if layout == "dotted":
        lines.append("[tool]")
        lines += [f"tfmend.{k} = {v}" for k, v in good.items()]
        line = len(lines) + 1
        lines.append(f"tfmend.{toml(key)} = {toml(value)}")
    else:
        lines.append("[tool.tfmend]")
        lines += [f"{k} = {v}" for k, v in good.items()]
        if layout == "subtable" and isinstance(value, dict):
            lines.append(f"[tool.tfmend.{toml(key)}]")
            first = len(lines)
            lines += [f"{toml(k)} = {toml(v)}" for k, v in value.items()]
            # The table's header, or the line of the wrong key in it.
            return "\n".join(lines) + "\n", range(first, len(lines) + 1), field
        line = len(lines) + 1
        lines.append(f"{toml(key)} = {toml(value)}")
    return "\n".join(lines) + "\n", range(line, line + 1), field


@scaled(60)
@given(case=wrong_settings())
def test_a_wrong_setting_is_one_located_error(
    case: tuple[str, range, str], tmp_path_factory: pytest.TempPathFactory, capsys: Any
) -> None:
    text, lines, field = case
    root = tmp_path_factory.mktemp("settings")
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    code, stderr = run_check(root, capsys)
    FIGURES["settings files tried"] += 1
    assert code == 2, (text, stderr)
    one_located_error(stderr, root / "pyproject.toml", lines, field)


RULE = {
    "code": '"TFM9950"',
    "name": "my-mean",
    "apis": "[keras.backend.mean]",
    "status": "removed",
    "since": '{keras: "3.0"}',
    "severity": "error",
    "message": '"`{name}` is gone"',
    "explanation": "A rule of the project.",
    "fix": "{kind: replace, to: keras.ops.mean, safety: safe}",
}
"""A valid rule, field by field as YAML flow text."""

WRONG_TYPES = {
    "code": SCALARS.filter(lambda v: not isinstance(v, str)) | st.lists(SCALARS, max_size=2),
    "name": st.integers() | st.lists(SCALARS, min_size=1, max_size=2) | st.booleans(),
    "apis": SCALARS | st.lists(st.integers() | st.booleans(), min_size=1, max_size=1),
    "status": SCALARS.filter(lambda v: v not in ("removed", "deprecated", "moved", "renamed")),
    "since": SCALARS | st.lists(SCALARS, max_size=2),
    "severity": SCALARS.filter(lambda v: v not in ("error", "warning", "info", "hint")),
    "message": st.integers() | st.booleans() | st.lists(SCALARS, min_size=1, max_size=2),
    "explanation": st.integers() | st.booleans() | st.lists(SCALARS, min_size=1, max_size=2),
    "fix": SCALARS | st.lists(SCALARS, max_size=2),
}
"""Values of a wrong type or outside the allowed set, for each field."""


def yaml(value: Any) -> str:
    """A value as YAML flow text (JSON is YAML; booleans and strings quoted to stay so)."""
    # YAML's text has no control characters: those JSON leaves raw are escaped.
    return _UNPRINTABLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
    )


_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters YAML does not allow raw, or reads as line breaks (NEL, LS, PS)."""


@st.composite
def wrong_rules(draw: st.DrawFn) -> tuple[str, range, str]:
    """A rules file with one wrong field: its text, the line and the field to report."""
    rule = dict(RULE)
    kind = draw(st.sampled_from(("value", "value", "value", "unknown-field", "top")))
    extra: list[str] = []
    if kind == "value":
        key = draw(st.sampled_from(sorted(WRONG_TYPES)))
        rule[key] = yaml(draw(WRONG_TYPES[key]))
        field = f"rules[0].{key}"
    elif kind == "unknown-field":
        key = draw(KEY_NAMES)
        assume(key not in RULE and key not in ("when", "examples", "targets", "probe", "rename"))
        rule[key] = yaml(draw(VALUES))
        field = f"rules[0].{key}"
    else:
        key = draw(KEY_NAMES)
        # `x-` keys hold YAML anchors for the rules (docs/rules-file.md).
        assume(key not in ("schema", "rules", "include") and not key.startswith("x-"))
        extra = [f"{key}: {yaml(draw(VALUES))}"]
        field = key
    lines = ["schema: 1", *extra, "rules:"]
    target_line = 2 if extra else 0
    for index, (name, value) in enumerate(rule.items()):
        lines.append(f"  {'- ' if index == 0 else '  '}{name}: {value}")
        if kind != "top" and name == key:
            target_line = len(lines)
    return "\n".join(lines) + "\n", range(target_line, target_line + 1), field


@scaled(60)
@given(case=wrong_rules())
def test_a_wrong_rule_field_is_one_located_error(
    case: tuple[str, range, str], tmp_path_factory: pytest.TempPathFactory, capsys: Any
) -> None:
    text, lines, field = case
    root = tmp_path_factory.mktemp("rules")
    rules = root / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    code, stderr = run_check(root, capsys, "--rules", str(rules))
    FIGURES["rule files tried"] += 1
    assert code == 2, (text, stderr)
    one_located_error(stderr, rules, lines, field)
